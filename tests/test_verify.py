"""`verify`: a whole asset set passes; any flipped byte, forged digest or wrong clone fails."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from releaser.domain.evidence_json import canonical
from releaser.errors import VerificationError
from releaser.evidence.verify import verify
from tests.test_evidence_support import facts, write_release

ASSET_NAMES = [
    "demo-1.4.0-py3-none-any.whl",
    "demo-1.4.0.tar.gz",
    "demo-1.4.0.cdx.json",
    "release-evidence.json",
    "release-evidence.md",
    "demo-1.4.0.intoto.jsonl",
    "SHA256SUMS",
    "notes.md",
]


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("release")
    write_release(directory)
    return directory


def _copy(release: Path, tmp_path: Path) -> Path:
    target = tmp_path / "assets"
    shutil.copytree(release, target)
    return target


def test_happy_path(release):
    summary = verify([release])
    assert summary.startswith("verified: v1.4.0 aaaaaaaaaaaa — 7 files, 3 statements, 3 PRs")
    assert "second-person-review fail" in summary and "notes notes.md" in summary
    assert sorted(p.name for p in release.iterdir()) == sorted(ASSET_NAMES)
    assert verify(sorted(release.iterdir())).startswith("verified:")


def _section(report: str, title: str) -> list[str]:
    lines = report.splitlines()
    out = []
    for line in lines[lines.index(title) + 1 :]:
        if not line.startswith("  - "):
            break
        out.append(line)
    return out


def test_report_says_what_was_checked_and_what_was_not(release):
    report = verify([release])
    checked, not_checked = _section(report, "checked:"), _section(report, "not checked:")
    assert any("SHA256SUMS" in line for line in checked)
    assert any("statement subjects" in line for line in checked)
    assert any("recomputed from its facts" in line for line in checked)
    assert any("not signed" in line and "later version" in line for line in not_checked)
    assert any("as GitHub reported them" in line for line in not_checked)
    assert any("give --repo" in line for line in not_checked)


@pytest.mark.parametrize(
    ("immutable", "warning"),
    [
        (True, None),
        (False, "warning: immutable releases were off when v1.4.0 was published"),
        (None, "warning: immutable releases were not known to be on when v1.4.0 was published"),
    ],
)
def test_verify_warns_unless_immutable_releases_were_on(tmp_path, immutable, warning):
    write_release(tmp_path / "assets", replace(facts(), immutable_releases=immutable))
    report = verify([tmp_path / "assets"])
    warnings = [line for line in report.splitlines() if line.startswith("warning:")]
    if warning is None:
        assert warnings == []
    else:
        assert len(warnings) == 1 and warnings[0].startswith(warning), report
        assert warnings[0].endswith("its assets could have been replaced since")


# notes.md is a saved release body: its notes hash into the evidence, its footer is rendered.
@pytest.mark.parametrize("name", ASSET_NAMES)
@pytest.mark.parametrize("where", ["first", "middle", "last", "quarter"])
def test_any_flipped_byte_fails(release, tmp_path, name, where):
    target = _copy(release, tmp_path)
    path = target / name
    data = bytearray(path.read_bytes())
    spots = {"first": 0, "quarter": len(data) // 4, "middle": len(data) // 2}
    index = spots.get(where, len(data) - 1)
    data[index] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(VerificationError) as caught:
        verify([target])
    assert _blamed(caught.value.message) == name, caught.value.message


def _blamed(message: str) -> str:
    """The file a failure names first: `file: field: ...` or `file is altered: ...`."""
    return re.match(r"[^\s:]+", message).group(0)


# One hex digit of one SHA256SUMS line flipped: the file itself is intact, and every other
# record of its digest (in-toto subject, evidence JSON, notes marker, the rendering of the
# evidence) agrees with it, so SHA256SUMS is the one that changed.
@pytest.mark.parametrize("name", [n for n in ASSET_NAMES if n not in ("SHA256SUMS", "notes.md")])
def test_a_flipped_sums_line_blames_sums_not_the_file(release, tmp_path, name):
    target = _copy(release, tmp_path)
    sums = (target / "SHA256SUMS").read_text()
    (line,) = [line for line in sums.splitlines() if line.endswith(f"  {name}")]
    digit = "0" if line[5] != "0" else "1"
    (target / "SHA256SUMS").write_text(sums.replace(line, line[:5] + digit + line[6:]))
    with pytest.raises(VerificationError) as caught:
        verify([target])
    message = caught.value.message
    assert message.startswith(f"SHA256SUMS is altered: its line for {name} says "), message
    assert "the file" in message


@pytest.mark.parametrize(
    ("name", "witnesses"),
    [
        ("demo-1.4.0.tar.gz", "SHA256SUMS, the in-toto subject and release-evidence.json"),
        ("release-evidence.md", "SHA256SUMS, the in-toto subject and the rendering of"),
        ("release-evidence.json", "SHA256SUMS, the in-toto subject and the notes.md marker"),
        ("demo-1.4.0.intoto.jsonl", "SHA256SUMS and the rendering of release-evidence.json"),
    ],
)
def test_a_changed_file_is_blamed_with_the_sources_that_outvote_it(
    release, tmp_path, name, witnesses
):
    target = _copy(release, tmp_path)
    data = bytearray((target / name).read_bytes())
    data[len(data) // 2] ^= 0x01
    (target / name).write_bytes(bytes(data))
    with pytest.raises(VerificationError) as caught:
        verify([target])
    message = caught.value.message
    assert message.startswith(f"{name} is altered: its sha256 is "), message
    assert witnesses in message, message


@pytest.mark.parametrize("name", [n for n in ASSET_NAMES[:-1]])
def test_missing_asset_fails(release, tmp_path, name):
    target = _copy(release, tmp_path)
    (target / name).unlink()
    with pytest.raises(VerificationError):
        verify([target])


def test_unlisted_extra_file_fails(release, tmp_path):
    target = _copy(release, tmp_path)
    (target / "extra.bin").write_bytes(b"x")
    with pytest.raises(VerificationError, match="extra.bin: listed in SHA256SUMS: expected yes"):
        verify([target])


def _resum(target: Path) -> None:
    """Recompute SHA256SUMS the way a careless forger would."""
    import hashlib

    names = sorted(p.name for p in target.iterdir() if p.name not in ("SHA256SUMS", "notes.md"))
    lines = [f"{hashlib.sha256((target / n).read_bytes()).hexdigest()}  {n}\n" for n in names]
    (target / "SHA256SUMS").write_text("".join(lines))


def test_forged_evidence_with_fixed_sums_fails_on_statements(release, tmp_path):
    target = _copy(release, tmp_path)
    doc = json.loads((target / "release-evidence.json").read_bytes())
    doc["changes"]["pull_requests"][1]["title"] = "fix: something harmless"
    (target / "release-evidence.json").write_bytes(canonical(doc))
    _resum(target)
    with pytest.raises(VerificationError, match="demo-1.4.0.intoto.jsonl: statement 1: subject"):
        verify([target])


def test_swapped_artifact_with_fixed_sums_fails(release, tmp_path):
    target = _copy(release, tmp_path)
    (target / "demo-1.4.0.tar.gz").write_bytes(b"malware")
    _resum(target)
    with pytest.raises(VerificationError, match="demo-1.4.0.tar.gz: sha256: expected"):
        verify([target])


def test_non_canonical_evidence_fails(release, tmp_path):
    target = _copy(release, tmp_path)
    doc = json.loads((target / "release-evidence.json").read_bytes())
    (target / "release-evidence.json").write_text(json.dumps(doc, indent=1))
    _resum(target)
    with pytest.raises(VerificationError, match="release-evidence.json: encoding"):
        verify([target])


def test_notes_footer_must_agree(release, tmp_path):
    target = _copy(release, tmp_path)
    notes = (target / "notes.md").read_text()
    (target / "notes.md").write_text(notes.replace('"version":"1.4.0"', '"version":"1.4.1"'))
    with pytest.raises(VerificationError, match="notes.md: version: expected 1.4.0, found 1.4.1"):
        verify([target])


ENV = {
    "GIT_AUTHOR_NAME": "T",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "T",
    "GIT_COMMITTER_EMAIL": "t@example.com",
    "GIT_AUTHOR_DATE": "2025-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2025-01-01T00:00:00Z",
}


def _git(repo: Path, *args: str) -> str:
    env = {**os.environ, **ENV, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    out = subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)
    return out.stdout.decode().strip()


def _repo_release(tmp_path: Path, tag_at_release: bool = True, stray: bool = False):
    """A real repo: v1.3.2, two commits, v1.4.0; evidence written for that history."""
    from dataclasses import replace

    from releaser.domain.evidence import Commit
    from tests.test_evidence_support import facts

    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "commit", "-q", "--allow-empty", "-m", "chore: initial")
    _git(repo, "tag", "v1.3.2")
    prev = _git(repo, "rev-parse", "HEAD")
    _git(repo, "commit", "-q", "--allow-empty", "-m", "feat: one")
    one = _git(repo, "rev-parse", "HEAD")
    _git(repo, "commit", "-q", "--allow-empty", "-m", "chore(release): 1.4.0")
    sha = _git(repo, "rev-parse", "HEAD")
    tree = _git(repo, "rev-parse", "HEAD^{tree}")
    _git(repo, "tag", "v1.4.0", sha if tag_at_release else one)
    commits = [Commit(one, "feat: one", "T"), Commit(sha, "chore(release): 1.4.0", "T")]
    if stray:
        _git(repo, "checkout", "-q", "-b", "side", prev)
        _git(repo, "commit", "-q", "--allow-empty", "-m", "feat: elsewhere")
        commits.append(Commit(_git(repo, "rev-parse", "HEAD"), "feat: elsewhere", "T"))
    base = facts()
    base = replace(
        base,
        sha=sha,
        tree_sha=tree,
        previous=replace(base.previous, sha=prev),
        commits=tuple(commits),
        pull_requests=(),
        direct_pushes=(),
    )
    assets = tmp_path / "assets"
    write_release(assets, base)
    return repo, assets, sha


def test_repo_happy_path(tmp_path):
    repo, assets, sha = _repo_release(tmp_path)
    summary = verify([assets], repo=repo)
    assert sha[:12] in summary and f"  - git ({repo}): tags v1.4.0 and v1.3.2" in summary
    assert "not checked:" in summary and "give --repo" not in summary


def test_repo_tag_mismatch(tmp_path):
    repo, assets, sha = _repo_release(tmp_path, tag_at_release=False)
    with pytest.raises(VerificationError, match=f"tag v1.4.0: expected {sha}, found "):
        verify([assets], repo=repo)


def test_repo_non_ancestor_commit(tmp_path):
    repo, assets, _ = _repo_release(tmp_path, stray=True)
    with pytest.raises(VerificationError, match="expected an ancestor of"):
        verify([assets], repo=repo)


def test_repo_missing_tag(tmp_path):
    repo, assets, _ = _repo_release(tmp_path)
    _git(repo, "tag", "-d", "v1.4.0")
    with pytest.raises(VerificationError, match="no such tag"):
        verify([assets], repo=repo)


def _reforge(target: Path, mutate) -> None:
    """A careful forger: edit the JSON, then re-render the Markdown, statements and sums from it,
    so every file agrees with every other one."""
    import hashlib

    from releaser.domain.evidence_intoto import intoto_name, render_intoto
    from releaser.domain.evidence_json import facts_from_document
    from releaser.domain.evidence_md import render_markdown

    (target / "notes.md").unlink()
    doc = json.loads((target / "release-evidence.json").read_bytes())
    mutate(doc)
    raw = canonical(doc)
    (target / "release-evidence.json").write_bytes(raw)
    facts = facts_from_document(doc)
    md = render_markdown(facts).encode()
    (target / "release-evidence.md").write_bytes(md)
    statements = render_intoto(
        facts, hashlib.sha256(raw).hexdigest(), hashlib.sha256(md).hexdigest()
    )
    (target / intoto_name(facts)).write_bytes(statements)
    _resum(target)


def _pass_policies(doc):
    for policy in doc["policies"]:
        policy.update(status="pass", offending=[], detail="all good")


def _approve_all(doc):
    for pr in doc["changes"]["pull_requests"]:
        pr["approval_covers_head"] = True


def _approve_by(doc):
    doc["changes"]["pull_requests"][1]["approved_by"] = ["grace"]


def _tests_passed(doc):
    doc["tests"]["result"] = "PASSED"


def _check_outcome(doc):
    doc["checks"]["results"][2]["outcome"] = "pass"


def _rollback(doc):
    doc["rollback"]["commands"] = ["echo fine"]


def _repository_url(doc):
    doc["source"]["repository_url"] = "https://example.com/acme/demo"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        pytest.param(
            _pass_policies,
            'policies[0].status: expected "fail", found "pass"',
            id="policies",
        ),
        pytest.param(
            _approve_all,
            "changes.pull_requests[1].approval_covers_head: expected false, found true",
            id="approval_covers_head",
        ),
        pytest.param(
            _approve_by,
            'changes.pull_requests[1].approved_by[0]: expected (nothing), found "grace"',
            id="approved_by",
        ),
        pytest.param(
            _tests_passed, 'tests.result: expected "FAILED", found "PASSED"', id="tests.result"
        ),
        pytest.param(
            _check_outcome,
            'checks.results[2].outcome: expected "pending", found "pass"',
            id="check outcome",
        ),
        pytest.param(_rollback, "rollback.commands[0]: expected ", id="rollback"),
        pytest.param(
            _repository_url,
            'source.repository_url: expected "https://github.com/acme/demo", found',
            id="repository_url",
        ),
    ],
)
def test_computed_fields_must_follow_from_the_facts(release, tmp_path, mutate, message):
    target = _copy(release, tmp_path)
    _reforge(target, mutate)
    with pytest.raises(VerificationError) as caught:
        verify([target])
    assert str(caught.value).startswith(f"release-evidence.json: {message}")


def test_consistent_reforge_of_facts_alone_still_verifies(release, tmp_path):
    """The forge helper itself is sound: re-rendering untouched facts verifies."""
    target = _copy(release, tmp_path)
    _reforge(target, lambda doc: None)
    assert verify([target]).startswith("verified:")


@pytest.mark.parametrize(
    "marker",
    [
        pytest.param('{"commit":"a\tb"}', id="control character"),
        pytest.param('{"commit":"a",}', id="trailing comma"),
        pytest.param('{"commit"}', id="no value"),
        pytest.param('{"a":1} {"b":2}', id="two objects"),
    ],
)
def test_tampered_notes_marker_is_a_mismatch_not_a_crash(release, tmp_path, marker):
    import re

    target = _copy(release, tmp_path)
    notes = (target / "notes.md").read_text()
    tampered = re.sub(
        r"<!-- releaser-evidence: \{.*\} -->", f"<!-- releaser-evidence: {marker} -->", notes
    )
    assert tampered != notes
    (target / "notes.md").write_text(tampered)
    with pytest.raises(
        VerificationError, match="^notes.md: evidence marker: expected a JSON object"
    ):
        verify([target])


def _merge_history(tmp_path: Path, first: bool = False):
    """A real repo with a merge commit in the release range: v1.3.2, a PR branch of two
    commits merged with --no-ff, a direct commit, v1.4.0. Returns (repo, prev, [range shas])."""
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    (repo / "a.txt").write_text("a\n")
    _git(repo, "add", "a.txt")
    _git(repo, "commit", "-q", "-m", "chore: initial")
    prev = _git(repo, "rev-parse", "HEAD")
    if not first:
        _git(repo, "tag", "v1.3.2")
    _git(repo, "checkout", "-q", "-b", "topic")
    for name in ("b.txt", "c.txt"):
        (repo / name).write_text(name)
        _git(repo, "add", name)
        _git(repo, "commit", "-q", "-m", f"feat: {name}")
    _git(repo, "checkout", "-q", "main")
    _git(repo, "merge", "-q", "--no-ff", "-m", "Merge pull request #7 from acme/topic", "topic")
    (repo / "a.txt").write_text("a2\n")
    _git(repo, "commit", "-q", "-am", "chore(release): 1.4.0")
    sha = _git(repo, "rev-parse", "HEAD")
    _git(repo, "tag", "v1.4.0", sha)
    spec = sha if first else f"{prev}..{sha}"
    return repo, prev, _git(repo, "rev-list", spec).split()


def _evidence_for(tmp_path: Path, repo: Path, prev: str | None, shas, **changes) -> Path:
    from dataclasses import replace

    from releaser.domain.evidence import Commit
    from tests.test_evidence_support import facts

    sha = _git(repo, "rev-parse", "v1.4.0")
    base = facts()
    base = replace(
        base,
        sha=sha,
        tree_sha=_git(repo, "rev-parse", f"{sha}^{{tree}}"),
        previous=None if prev is None else replace(base.previous, sha=prev),
        compare_url=base.compare_url if prev else "",
        commits=tuple(Commit(s, "subject", "T") for s in shas),
        pull_requests=(),
        direct_pushes=(),
    )
    assets = tmp_path / "assets"
    write_release(assets, replace(base, **changes))
    return assets


def test_repo_complete_range_with_a_merge_verifies(tmp_path):
    repo, prev, shas = _merge_history(tmp_path)
    assert len(shas) == 4
    assert verify([_evidence_for(tmp_path, repo, prev, shas)], repo=repo).startswith("verified:")


def test_repo_first_release_lists_the_whole_history(tmp_path):
    repo, _, shas = _merge_history(tmp_path, first=True)
    assert len(shas) == 5
    assert verify([_evidence_for(tmp_path, repo, None, shas)], repo=repo).startswith("verified:")
    assets = _evidence_for(tmp_path / "short", repo, None, shas[:-1])
    with pytest.raises(VerificationError, match=f"commit {shas[-1]}: expected listed in"):
        verify([assets], repo=repo)


@pytest.mark.parametrize("dropped", [0, 1, 2, 3], ids=["release", "merge", "branch", "first"])
def test_repo_dropped_commit_is_named(tmp_path, dropped):
    repo, prev, shas = _merge_history(tmp_path)
    kept = [s for i, s in enumerate(shas) if i != dropped]
    with pytest.raises(VerificationError) as caught:
        verify([_evidence_for(tmp_path, repo, prev, kept)], repo=repo)
    assert f"commit {shas[dropped]}: expected listed in release-evidence.json" in str(caught.value)
    assert str(caught.value).endswith("found not listed")


def test_repo_commit_before_the_previous_release_is_extra(tmp_path):
    repo, prev, shas = _merge_history(tmp_path)
    assets = _evidence_for(tmp_path, repo, prev, [*shas, prev])
    with pytest.raises(
        VerificationError, match=f"commit {prev}: expected in v1.3.2..[0-9a-f]{{12}}"
    ):
        verify([assets], repo=repo)


def test_repo_tree_must_be_the_commits_tree(tmp_path):
    repo, prev, shas = _merge_history(tmp_path)
    real = _git(repo, "rev-parse", "v1.4.0^{tree}")
    assets = _evidence_for(tmp_path, repo, prev, shas, tree_sha="0" * 40)
    with pytest.raises(VerificationError, match=f"tree of .*: expected {'0' * 40}, found {real}"):
        verify([assets], repo=repo)


def test_repo_previous_must_be_the_previous_tag(tmp_path):
    """Moving `previous` up the history would shrink the range and hide commits."""
    repo, _, shas = _merge_history(tmp_path)
    later = shas[-1]  # first commit after v1.3.2
    assets = _evidence_for(tmp_path, repo, later, shas[:-1])
    with pytest.raises(VerificationError, match=f"tag v1.3.2: expected {later}, found "):
        verify([assets], repo=repo)


def test_repo_component_release_may_list_a_subset_of_the_range(tmp_path):
    repo, prev, shas = _merge_history(tmp_path)
    subset = [shas[0], shas[2]]
    assets = _evidence_for(tmp_path, repo, prev, subset, component="demo")
    assert verify([assets], repo=repo).startswith("verified:")
    outside = _evidence_for(tmp_path / "o", repo, prev, [*subset, prev], component="demo")
    with pytest.raises(VerificationError, match=f"commit {prev}: expected in v1.3.2.."):
        verify([outside], repo=repo)


def test_repo_commit_listed_twice(tmp_path):
    repo, prev, shas = _merge_history(tmp_path)
    assets = _evidence_for(tmp_path, repo, prev, [*shas, shas[1]])
    with pytest.raises(VerificationError, match=f"commit {shas[1]}: expected listed once"):
        verify([assets], repo=repo)


def _cli_verify(capsys, *args: str) -> tuple[int, str, str]:
    from releaser.cli import main

    code = main(["verify", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("setup", "said"),
    [
        ("missing", "does not exist"),
        ("missing/deeper", "does not exist"),
        ("plain-dir", "is not a git repository"),
        ("a-file", "is not a directory"),
    ],
)
def test_verify_repo_that_is_no_clone_says_what_it_is(
    release, tmp_path, capsys, monkeypatch, setup, said
):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    target = tmp_path / setup
    if setup == "plain-dir":
        target.mkdir()
    elif setup == "a-file":
        target.write_text("x")
    code, out, err = _cli_verify(capsys, str(release), "--repo", str(target))
    assert (code, out) == (1, "")
    assert err == f"releaser: error: --repo {target} {said}\n"
