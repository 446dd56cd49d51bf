"""`releaser plan` end to end on real git repositories, including the bad inputs."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.gitutil import Repo, plan_json


def release(repo: Repo, *extra):
    (only,) = plan_json(repo.path, *extra)["releases"]
    return only


def test_first_release_uses_initial_version(repo):
    repo.commit("feat: first")
    r = release(repo)
    assert (r["previous_version"], r["version"], r["tag"], r["bump"]) == (
        None,
        "1.0.0",
        "v1.0.0",
        "minor",
    )
    assert r["notes"].startswith("## 1.0.0 (")


def test_feature_after_tag(repo):
    repo.commit("chore: init")
    repo.tag("v1.2.3")
    sha = repo.commit("feat(api): add thing")
    r = release(repo)
    assert r["version"] == "1.3.0" and r["bump"] == "minor" and r["previous_tag"] == "v1.2.3"
    assert r["commits"] == [
        {"sha": sha, "type": "feat", "scope": "api", "breaking": False, "subject": "add thing"}
    ]


def test_nothing_releasable_is_exit_zero_with_null_version(repo):
    repo.commit("feat: x")
    repo.tag("v1.0.0")
    repo.commit("chore: tidy")
    repo.commit("docs: words")
    r = release(repo)
    assert r["version"] is None and r["bump"] == "none" and r["tag"] is None


def test_no_commits_since_tag(repo):
    repo.commit("feat: x")
    repo.tag("v1.0.0")
    r = release(repo)
    assert r["version"] is None and r["commits"] == []


def run_cli(*argv: str) -> tuple[int, str, str]:
    import contextlib
    import io

    from releaser.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("mode", [["--json"], []], ids=["json", "text"])
def test_empty_repository(repo, mode):
    code, out, err = run_cli("plan", "--repo", str(repo.path), *mode)
    assert code == 0
    assert err == "releaser: warning: the repository has no commits yet\n"
    if mode:
        assert json.loads(out) == {
            "releases": [
                {
                    "component": "",
                    "path": ".",
                    "previous_version": None,
                    "previous_tag": None,
                    "version": None,
                    "bump": "none",
                    "tag": None,
                    "notes": "",
                    "commits": [],
                }
            ]
        }
    else:
        assert "warning" not in out and "no commits" not in out


@pytest.mark.parametrize("mode", [["--json"], []], ids=["json", "text"])
def test_release_warnings_go_to_stderr_named_by_component(repo, mode):
    cfg = "components:\n  - {name: api, path: api}\n"
    repo.commit("chore: init", {".github/releaser.yml": cfg, "api/a": "1"})
    repo.commit("fix: x\n\nRelease-As: banana\n", {"api/a": "2"})
    code, out, err = run_cli("plan", "--repo", str(repo.path), *mode)
    assert code == 0
    assert err == "releaser: warning: api: ignored Release-As 'banana': not a SemVer version\n"
    assert "banana" not in out
    if mode:
        (api,) = json.loads(out)["releases"]
        assert (api["component"], api["version"]) == ("api", "1.0.0")
        assert "warnings" not in api


def test_detached_head(repo):
    repo.commit("fix: a")
    repo.tag("v1.0.0")
    repo.commit("fix: b")
    repo.git("checkout", "-q", "--detach", "HEAD")
    assert release(repo)["version"] == "1.0.1"


def test_tags_not_semver_or_other_prefix_or_unreachable_are_ignored(repo):
    repo.commit("feat: a")
    repo.tag("v1.0.0")
    repo.tag("latest")
    repo.tag("v2")
    repo.tag("release-9.0.0")
    repo.git("checkout", "-q", "-b", "side")
    repo.commit("feat: on a side branch")
    repo.tag("v5.0.0")
    repo.git("checkout", "-q", "main")
    repo.commit("fix: b")
    r = release(repo)
    assert r["previous_tag"] == "v1.0.0" and r["version"] == "1.0.1"


def test_tag_prefix_config(repo):
    repo.commit("feat: a", {".github/releaser.yml": "tag-prefix: rel/\n"})
    repo.tag("rel/1.0.0")
    repo.tag("v7.0.0")
    repo.commit("feat: b")
    r = release(repo)
    assert r["previous_tag"] == "rel/1.0.0" and r["tag"] == "rel/1.1.0"


def test_revert_in_range_cancels_both(repo):
    repo.commit("fix: base")
    repo.tag("v1.0.0")
    feat = repo.commit("feat: risky")
    repo.commit(f'Revert "feat: risky"\n\nThis reverts commit {feat}.\n')
    repo.commit("fix: small")
    r = release(repo)
    assert r["version"] == "1.0.1"
    assert [c["subject"] for c in r["commits"]] == ["small"]
    assert "risky" not in r["notes"]


def test_revert_of_commit_before_the_tag_is_a_patch(repo):
    feat = repo.commit("feat: shipped")
    repo.tag("v1.0.0")
    repo.commit(f'Revert "feat: shipped"\n\nThis reverts commit {feat}.\n')
    r = release(repo)
    assert r["version"] == "1.0.1" and "### Reverts" in r["notes"]


def test_revert_of_revert_restores(repo):
    repo.commit("fix: base")
    repo.tag("v1.0.0")
    feat = repo.commit("feat: again")
    rev = repo.commit(f'Revert "feat: again"\n\nThis reverts commit {feat}.\n')
    repo.commit(f'Revert "Revert "feat: again""\n\nThis reverts commit {rev}.\n')
    r = release(repo)
    assert r["version"] == "1.1.0"
    assert [c["subject"] for c in r["commits"]] == ["again"]


def test_release_as_newest_wins(repo):
    repo.commit("fix: a")
    repo.tag("v1.0.0")
    repo.commit("chore: a\n\nRelease-As: 3.0.0")
    repo.commit("chore: b\n\nRelease-As: 2.5.0")
    r = release(repo)
    assert r["version"] == "2.5.0" and r["bump"] == "explicit"


@pytest.mark.parametrize(
    "ignored, why",
    [("banana", "'banana': not a SemVer version"), ("0.9.0", "0.9.0: not above 1.0.0")],
    ids=["not-semver", "not-above"],
)
def test_an_ignored_release_as_does_not_hide_an_older_one(repo, ignored, why):
    repo.commit("fix: a")
    repo.tag("v1.0.0")
    repo.commit("chore: a\n\nRelease-As: 3.0.0")
    repo.commit(f"fix: b\n\nRelease-As: {ignored}")
    code, out, err = run_cli("plan", "--repo", str(repo.path), "--json")
    assert code == 0
    (r,) = json.loads(out)["releases"]
    assert r["version"] == "3.0.0" and r["bump"] == "explicit"
    assert err == f"releaser: warning: ignored Release-As {why}\n"


def test_prerelease_channel_and_promotion(repo):
    repo.commit("feat: a")
    repo.tag("v1.1.0")
    repo.commit("feat: b", {".github/releaser.yml": "prerelease: rc\n"})
    assert release(repo)["version"] == "1.2.0-rc.1"
    repo.tag("v1.2.0-rc.1")
    assert release(repo)["version"] is None
    repo.commit("fix: c")
    r = release(repo)
    assert (r["version"], r["bump"], r["previous_tag"]) == (
        "1.2.0-rc.2",
        "prerelease",
        "v1.2.0-rc.1",
    )
    assert "* c (" in r["notes"] and "* b (" not in r["notes"]
    repo.tag("v1.2.0-rc.2")
    repo.commit("chore: go stable", {".github/releaser.yml": "prerelease: false\n"})
    r = release(repo)
    assert r["version"] == "1.2.0" and r["previous_version"] == "1.2.0-rc.2"
    assert "compare/v1.1.0...v1.2.0" not in r["notes"]  # no origin: no links
    assert "* b (" in r["notes"] and "* c (" in r["notes"]


def test_squash_title_wins_over_abandoned_breaking_bullet(repo):
    repo.commit("fix: a")
    repo.tag("v2.3.0")
    repo.commit(
        "fix: parser edge case (#51)\n\n* feat!: rewrite\n\n* undo rewrite\n\n* fix: edge\n"
    )
    assert release(repo)["version"] == "2.3.1"


def test_links_from_origin(repo):
    repo.git("remote", "add", "origin", "git@github.com:acme/widgets.git")
    repo.commit("fix: a")
    repo.tag("v1.0.0")
    repo.commit("fix: b (#3)")
    notes = release(repo)["notes"]
    assert "https://github.com/acme/widgets/compare/v1.0.0...v1.0.1" in notes
    assert "[#3](https://github.com/acme/widgets/pull/3)" in notes


@pytest.mark.parametrize(
    "remote, expected",
    [
        ("https://github.com/acme/widgets.git", "https://github.com/acme/widgets"),
        (
            "https://x-access-token:SECRET@github.com/acme/widgets",
            "https://github.com/acme/widgets",
        ),
        ("git@github.com:acme/widgets.git", "https://github.com/acme/widgets"),
        ("ssh://git@github.com/acme/widgets.git", "https://github.com/acme/widgets"),
        ("https://ghe.corp.example/acme/widgets", "https://ghe.corp.example/acme/widgets"),
        ("/srv/git/widgets.git", None),
    ],
)
def test_repo_url_from_remote(remote, expected):
    from releaser.engine import repo_url_from_remote

    assert repo_url_from_remote(remote) == expected


def test_monorepo_components(repo):
    cfg = "components:\n  - {name: api, path: api}\n  - {name: web, path: web}\n"
    repo.commit("chore: init", {".github/releaser.yml": cfg, "api/a": "1", "web/w": "1"})
    repo.tag("api-v1.0.0")
    repo.tag("web-v2.0.0")
    repo.commit("feat: api thing", {"api/a": "2"})
    repo.commit("fix: web thing", {"web/w": "2"})
    repo.commit("fix!: both", {"api/a": "3", "web/w": "3"})
    repo.commit("docs: root only", {"README": "x"})
    api, web = plan_json(repo.path)["releases"]
    assert (api["component"], api["version"], api["tag"]) == ("api", "2.0.0", "api-v2.0.0")
    assert (web["component"], web["version"], web["tag"]) == ("web", "3.0.0", "web-v3.0.0")
    assert [c["subject"] for c in api["commits"]] == ["both", "api thing"]
    assert [c["subject"] for c in web["commits"]] == ["both", "web thing"]


def test_non_utf8_commit_message(repo):
    repo.commit(b"fix: caf\xe9 cr\xe8me\n")
    r = release(repo)
    assert r["version"] == "1.0.0" and r["commits"][0]["subject"].startswith("caf")


def test_megabyte_message_and_crlf_and_script(repo):
    repo.commit("fix: base")
    repo.tag("v1.0.0")
    repo.commit("feat: big\n\n" + "x" * 1_100_000 + "\n")
    repo.commit("fix: windows\r\n\r\nBREAKING CHANGE: crlf footer\r\n")
    repo.commit("fix: <script>alert(1)</script> 🚀   ")
    r = release(repo)
    assert r["version"] == "2.0.0"
    assert "<script>" not in r["notes"] and "&lt;script&gt;" in r["notes"] and "🚀" in r["notes"]


def test_shallow_clone_says_history_is_missing(repo, tmp_path):
    repo.commit("feat: a")
    repo.tag("v1.0.0")
    for i in range(3):
        repo.commit(f"fix: {i}")
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "2", "--no-tags", f"file://{repo.path}", str(clone)],
        check=True,
    )
    proc = subprocess.run(
        [sys.executable, "-m", "releaser", "plan", "--repo", str(clone), "--json"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "shallow clone" in proc.stderr and "fetch-depth: 0" in proc.stderr
    assert proc.stdout == "" and "Traceback" not in proc.stderr


def test_shallow_clone_deep_enough_is_fine(repo, tmp_path):
    repo.commit("feat: a")
    repo.tag("v1.0.0")
    repo.commit("fix: b")
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "5", f"file://{repo.path}", str(clone)], check=True
    )
    assert (
        json.loads(
            subprocess.run(
                [sys.executable, "-m", "releaser", "plan", "--repo", str(clone), "--json"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )["releases"][0]["version"]
        == "1.0.1"
    )


@pytest.mark.parametrize(
    "setup, message",
    [
        ("missing", "not a git repository"),
        ("plain-dir", "not a git repository"),
        ("bad-config", "unknown key 'nope'"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path, setup, message):
    target = tmp_path / "x"
    if setup != "missing":
        target.mkdir()
    if setup == "bad-config":
        r = Repo(target)
        r.commit("fix: a", {".github/releaser.yml": "nope: 1\n"})
    proc = subprocess.run(
        [sys.executable, "-m", "releaser", "plan", "--repo", str(target)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in proc.stderr


def test_human_summary(repo):
    repo.commit("fix: a")
    repo.tag("v1.0.0")
    repo.commit("feat: b")
    proc = subprocess.run(
        [sys.executable, "-m", "releaser", "plan", "--repo", str(repo.path)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert proc.stdout.startswith("(root): 1.0.0 -> 1.1.0 (minor, v1.1.0)")
    assert "### Features" in proc.stdout


def test_plan_text_output_has_no_workflow_command_lines(repo):
    import contextlib
    import io

    from releaser.cli import main

    repo.commit("chore: init")
    repo.tag("v1.0.0")
    repo.commit("::stop-commands::x")
    repo.commit("::error::x")
    repo.commit("fix: a\n\nBREAKING CHANGE: big\n::stop-commands::x\n  ::error::x\n")
    repo.commit("feat(::error::y): ::warning::z\n")
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        assert main(["plan", "--repo", str(repo.path)]) == 0
    text = out.getvalue()
    assert "stop-commands::x" in text and "error::x" in text  # shown, as text
    assert [line for line in text.split("\n") if line.lstrip().startswith("::")] == []
