"""The Action end to end: entrypoint.py against the fake GitHub, as the runner runs it."""

from __future__ import annotations

import json
import re

import pytest

from tests.action_util import ActionRunner
from tests.fakegithub.events import make_event


@pytest.fixture
def action(fakegithub, tmp_path):
    return ActionRunner(fakegithub, tmp_path)


def open_release_prs(fake):
    return [p for p in fake.pulls.values() if p.state == "open"]


def seed(fake):
    fake.commit("main", "chore: init", {"README.md": "hi\n", "VERSION": "1.0.0\n"})
    fake.tag("v1.0.0")
    return fake.commit("main", "feat(api): add widgets (#3)", {"src/a.py": "A = 1\n"})


def test_first_release_pr_then_publish_then_noop(fakegithub, action):
    fake = fakegithub
    seed(fake)
    fake.commit("main", "chore: cfg", {".github/releaser.yml": "version-files: [VERSION]\n"})
    first = action.run("push")
    assert first.code == 0, first.stdout + first.stderr
    (pr,) = open_release_prs(fake)
    assert pr.head == "releaser--branches--main" and pr.title == "chore(main): release 1.1.0"
    assert "releaser: pending" in pr.labels
    files = fake.git.text("show", "--name-only", "--format=", f"refs/heads/{pr.head}").split()
    assert sorted(files) == ["CHANGELOG.md", "VERSION"]
    assert fake.git.text("show", f"refs/heads/{pr.head}:VERSION") == "1.1.0"
    assert first.outputs["prs_created"] == "true" and first.outputs["release_created"] == "false"
    assert json.loads(first.outputs["pr"])["number"] == pr.number
    unchanged = action.run("push")  # nothing new: the PR is left as it is
    assert unchanged.outputs["pr"] == "" and unchanged.outputs["prs_created"] == "false"

    merge_sha = fake.merge_pull(pr.number)
    published = action.run("pull_request.closed", event=action.merged_event(pr.number))
    assert published.code == 0, published.stdout + published.stderr
    assert fake.tags()["v1.1.0"] == merge_sha
    release = fake.release_by_tag("v1.1.0")
    assert release is not None and not release.draft
    assert "### Features" in release.body and "add widgets" in release.body
    assert published.outputs["release_created"] == "true"
    assert published.outputs["tag_name"] == "v1.1.0" and published.outputs["minor"] == "1"
    assert "releaser: released" in fake.pulls[pr.number].labels
    assert any("v1.1.0" in c for c in fake.comments(pr.number))

    fake.reset_requests()
    again = action.run("push")
    assert again.code == 0, again.stdout + again.stderr
    writes = [c for c in fake.reset_requests() if c.method != "GET"]
    assert writes == []
    assert open_release_prs(fake) == []
    assert len(fake.releases) == 1


def test_later_breaking_commit_updates_the_same_pr(fakegithub, action):
    fake = fakegithub
    seed(fake)
    assert action.run("push").code == 0
    (pr,) = open_release_prs(fake)
    fake.commit("main", "fix!: drop the old flag", {"src/b.py": "B = 2\n"})
    second = action.run("push")
    assert second.code == 0, second.stdout + second.stderr
    (again,) = open_release_prs(fake)
    assert again.number == pr.number and again.title == "chore(main): release 2.0.0"
    assert "BREAKING CHANGES" in again.body
    assert fake.count("POST", r"/pulls$") == 1


def test_maintainer_edits_survive_until_the_plan_changes(fakegithub, action):
    fake = fakegithub
    seed(fake)
    action.run("push")
    (pr,) = open_release_prs(fake)
    edited = pr.body.replace("add widgets", "add widgets, hand-polished")
    fake.pulls[pr.number].body = edited
    assert action.run("push").code == 0
    assert fake.pulls[pr.number].body == edited
    # A commit that changes neither version nor notes moves the branch, keeps the edits.
    fake.commit("main", "chore: tidy the build", {"Makefile": "all:\n"})
    assert action.run("push").code == 0
    assert "hand-polished" in fake.pulls[pr.number].body
    assert fake.git.text("rev-parse", f"refs/heads/{pr.head}~1") == fake.ref_sha("refs/heads/main")
    fake.merge_pull(pr.number)
    assert action.run("pull_request.closed", event=action.merged_event(pr.number)).code == 0
    assert "hand-polished" in fake.release_by_tag("v1.1.0").body


def test_a_change_to_the_notes_replaces_the_edits(fakegithub, action):
    fake = fakegithub
    seed(fake)
    action.run("push")
    (pr,) = open_release_prs(fake)
    fake.pulls[pr.number].body = pr.body.replace("add widgets", "add widgets, hand-polished")
    fake.commit("main", "fix: a bug", {"src/b.py": "B = 2\n"})
    result = action.run("push")
    assert result.code == 0, result.stdout + result.stderr
    body = fake.pulls[pr.number].body
    notes = body.split("<!-- releaser:end", 1)[0]
    assert "hand-polished" not in notes and "a bug" in notes
    # Said so, outside the notes, with the replaced text in view.
    assert "were replaced by the regenerated notes" in body
    details = body.split("<details><summary>Replaced notes of v1.1.0</summary>", 1)[1]
    assert "add widgets, hand-polished" in details.split("</details>", 1)[0]
    assert "Edited notes of v1.1.0 replaced by new commits" in result.summary, result.summary
    fake.merge_pull(pr.number)
    assert action.run("pull_request.closed", event=action.merged_event(pr.number)).code == 0
    assert "were replaced" not in fake.release_by_tag("v1.1.0").body


def test_only_chores_open_no_pr(fakegithub, action):
    fake = fakegithub
    fake.commit("main", "feat: a", {"a": "1"})
    fake.tag("v1.0.0")
    fake.commit("main", "chore: tidy", {"a": "2"})
    result = action.run("push")
    assert result.code == 0 and open_release_prs(fake) == []
    assert result.outputs["prs_created"] == "false"


def test_plan_command_writes_nothing(fakegithub, action):
    seed(fakegithub)
    fakegithub.reset_requests()
    result = action.run("push", inputs={"command": "plan"})
    assert result.code == 0, result.stdout + result.stderr
    assert [c for c in fakegithub.reset_requests() if c.method != "GET"] == []
    assert "1.1.0" in result.summary and open_release_prs(fakegithub) == []


@pytest.mark.parametrize("command", ["plan", "release-pr"])
@pytest.mark.parametrize("depth", [None, 1], ids=["local", "api"])
def test_plan_after_a_merge_says_what_would_be_published(fakegithub, action, depth, command):
    fake = fakegithub
    seed(fake)
    assert action.run("push").code == 0
    (pr,) = open_release_prs(fake)
    fake.merge_pull(pr.number)
    fake.commit("main", "fix: after the release", {"src/b.py": "B = 1\n"})
    fake.reset_requests()
    result = action.run("push", inputs={"command": command}, depth=depth)
    assert result.code == 0, result.stdout + result.stderr
    writes = [c for c in fake.reset_requests() if c.method != "GET"]
    assert writes == [] if command == "plan" else writes
    assert f"Not published yet: `v1.1.0` from merged release PR #{pr.number}" in result.summary
    # Planned as if v1.1.0 were out: the next release PR holds only the later fix.
    assert "| (root) | 1.1.0 | 1.1.1 | patch |" in result.summary, result.summary
    assert fake.tags().get("v1.1.0") is None and not fake.releases
    if command == "release-pr":
        (again,) = open_release_prs(fake)
        assert again.title == "chore(main): release 1.1.1"
        changelog = fake.git.text("show", f"refs/heads/{again.head}:CHANGELOG.md")
        assert changelog.count("## [1.1.0]") == 1 and changelog.count("## [1.1.1]") == 1


def test_a_push_to_another_branch_leaves_the_release_pr_alone(fakegithub, action):
    fake = fakegithub
    seed(fake)
    fake.branch("feature")
    fake.commit("feature", "feat: unreviewed work", {"src/x.py": "X = 1\n"})
    fake.reset_requests()
    event = make_event("push", repo=fake.full_name, default_branch="main", ref="refs/heads/feature")
    result = action.run("push", event=event, extra_env={"GITHUB_REF": "refs/heads/feature"})
    assert result.code == 0, result.stdout + result.stderr
    assert "::warning::refs/heads/feature is not the target branch main" in result.stdout
    assert [c for c in fake.reset_requests() if c.method != "GET"] == []
    assert open_release_prs(fake) == []


def test_push_after_merge_publishes_pending_release(fakegithub, action):
    """The pull_request run never happened: the next push publishes, then opens no new PR."""
    fake = fakegithub
    seed(fake)
    action.run("push")
    (pr,) = open_release_prs(fake)
    merge_sha = fake.merge_pull(pr.number)
    result = action.run("push")
    assert result.code == 0, result.stdout + result.stderr
    assert fake.tags()["v1.1.0"] == merge_sha
    assert open_release_prs(fake) == [] and len(fake.releases) == 1
    assert result.outputs["release_created"] == "true"


def test_local_and_api_history_give_the_same_plan(fakegithub, action):
    fake = fakegithub
    seed(fake)
    fake.commit("main", "fix(io): handle EOF\n\nFixes #4", {"src/c.py": "C = 3\n"})
    fake.commit("main", "docs: words", {"README.md": "more\n"})
    local = action.run("push", inputs={"command": "plan"})
    shallow = action.run("push", inputs={"command": "plan"}, depth=1)
    assert local.code == shallow.code == 0, shallow.stdout + shallow.stderr
    assert local.summary == shallow.summary
    assert action.run("push").code == 0
    (pr,) = open_release_prs(fake)
    local_body = pr.body
    fake.pulls[pr.number].body = "stale"
    assert action.run("push", depth=1).code == 0
    assert fake.pulls[pr.number].body == local_body


def test_monorepo_two_components_one_pr(fakegithub, action):
    fake = fakegithub
    cfg = "components:\n  - {name: api, path: api}\n  - {name: web, path: web}\n"
    fake.commit("main", "chore: init", {".github/releaser.yml": cfg, "api/a": "1", "web/w": "1"})
    fake.tag("api-v1.0.0")
    fake.tag("web-v1.0.0")
    fake.commit("main", "feat: api thing", {"api/a": "2"})
    fake.commit("main", "fix: web thing", {"web/w": "2"})
    assert action.run("push").code == 0
    (pr,) = open_release_prs(fake)
    files = fake.git.text("show", "--name-only", "--format=", f"refs/heads/{pr.head}").split()
    assert sorted(files) == ["api/CHANGELOG.md", "web/CHANGELOG.md"]
    merge_sha = fake.merge_pull(pr.number)
    fake.reset_requests()
    result = action.run("pull_request.closed", event=action.merged_event(pr.number))
    assert result.code == 0, result.stdout + result.stderr
    assert fake.tags()["api-v1.1.0"] == merge_sha and fake.tags()["web-v1.0.1"] == merge_sha
    assert result.outputs["paths_released"] == '["api", "web"]'
    # Each component's evidence lists the commits touching its path, read from the clone.
    assert not [
        c for c in fake.reset_requests() if re.search(r"/widgets/commits/[0-9a-f]{40}$", c.path)
    ]
    for tag, own in (("api-v1.1.0", "feat: api thing"), ("web-v1.0.1", "fix: web thing")):
        asset = next(a for a in fake.release_by_tag(tag).assets if a.name.endswith("ence.json"))
        subjects = [c["subject"] for c in json.loads(asset.data)["source"]["commits"]]
        assert subjects == [f"{pr.title} (#{pr.number})", own]
    # release-please v4's shape: no root release, so the unprefixed outputs stay empty.
    assert result.outputs["releases_created"] == "true"
    assert result.outputs["release_created"] == "false" and result.outputs["tag_name"] == ""
    assert result.outputs["api--release_created"] == "true"
    assert result.outputs["api--tag_name"] == "api-v1.1.0"
    assert (result.outputs["web--version"], result.outputs["web--patch"]) == ("1.0.1", "1")
    assert result.outputs["web--sha"] == merge_sha
    assert result.outputs["web--evidence_url"].endswith(
        "/releases/download/web-v1.0.1/release-evidence.json"
    )


def test_separate_pull_requests_per_component(fakegithub, action):
    fake = fakegithub
    cfg = (
        "separate-pull-requests: true\n"
        "components:\n  - {name: api, path: api}\n  - {name: web, path: web}\n"
    )
    fake.commit("main", "chore: init", {".github/releaser.yml": cfg, "api/a": "1", "web/w": "1"})
    fake.commit("main", "feat: api thing", {"api/a": "2"})
    fake.commit("main", "fix: web thing", {"web/w": "2"})
    assert action.run("push").code == 0
    heads = sorted(p.head for p in open_release_prs(fake))
    assert heads == [
        "releaser--branches--main--components--api",
        "releaser--branches--main--components--web",
    ]


def test_a_release_older_than_the_newest_hundred_is_still_known(fakegithub, action):
    """GitHub lists 100 releases per page: an older published one must not look unpublished."""
    fake = fakegithub
    seed(fake)
    assert action.run("push").code == 0
    (pr,) = open_release_prs(fake)
    fake.merge_pull(pr.number)
    assert action.run("pull_request.closed", event=action.merged_event(pr.number)).code == 0
    repo = fake.client().get_repo(fake.full_name)
    for i in range(101):  # e.g. nightly builds, another tool's releases
        repo.create_git_release(f"nightly-{i}", f"nightly {i}", "")
    fake.commit("main", "feat: more widgets", {"src/c.py": "C = 1\n"})
    result = action.run("push")
    assert result.code == 0, result.stdout + result.stderr
    (again,) = open_release_prs(fake)
    assert again.title == "chore(main): release 1.2.0"
    assert [r.tag_name for r in fake.releases.values()].count("v1.1.0") == 1


def test_without_a_checkout_the_config_comes_from_the_api(fakegithub, action):
    fake = fakegithub
    cfg = "components:\n  - {name: api, path: api}\n  - {name: web, path: web}\n"
    fake.commit("main", "chore: init", {".github/releaser.yml": cfg, "api/a": "1", "web/w": "1"})
    fake.tag("api-v1.0.0")
    fake.tag("web-v1.0.0")
    fake.commit("main", "feat: api thing", {"api/a": "2"})
    result = action.run("push", clone=False)  # no actions/checkout step at all
    assert result.code == 0, result.stdout + result.stderr
    assert "| api | 1.0.0 | 1.1.0 | minor |" in result.summary, result.summary
    (pr,) = open_release_prs(fake)
    files = fake.git.text("show", "--name-only", "--format=", f"refs/heads/{pr.head}").split()
    assert files == ["api/CHANGELOG.md"]


def test_plan_warnings_become_annotations(fakegithub, action):
    fake = fakegithub
    seed(fake)
    fake.commit("main", "fix: pin it\n\nRelease-As: banana", {"src/p.py": "P = 1\n"})
    result = action.run("push", inputs={"command": "plan"})
    assert result.code == 0, result.stdout + result.stderr
    assert "::warning::ignored Release-As 'banana': not a SemVer version" in result.stdout


def _changelogs(fake, branch: str, paths) -> dict[str, str]:
    return {p: fake.git.text("show", f"refs/heads/{branch}:{p}") for p in paths}


def test_a_shallow_checkout_renders_the_release_pr_byte_for_byte(fakegithub, action):
    """A full clone lists a merge that touched a component; the API's path listing (what a
    fetch-depth: 1 run reads) never does. The marker must not depend on that."""
    fake = fakegithub
    cfg = "components:\n  - {name: api, path: api}\n  - {name: web, path: web}\n"
    fake.commit("main", "chore: init", {".github/releaser.yml": cfg, "api/a": "1", "web/w": "1"})
    fake.tag("api-v1.0.0")
    fake.tag("web-v1.0.0")
    fake.commit("main", "feat: api thing", {"api/a": "2"})
    fake.branch("side")
    fake.commit("side", "fix: web thing", {"web/w": "2"})
    fake.merge_pull(fake.create_pull("side", title="fix: web thing").number, method="merge")
    assert action.run("push").code == 0
    (pr,) = open_release_prs(fake)
    logs = ("api/CHANGELOG.md", "web/CHANGELOG.md")
    full_body, full_logs = pr.body, _changelogs(fake, pr.head, logs)
    fake.reset_requests()
    shallow = action.run("push", depth=1)
    assert shallow.code == 0, shallow.stdout + shallow.stderr
    # The same plan: the shallow run leaves the PR and its branch alone.
    assert [c for c in fake.reset_requests() if c.method != "GET"] == []
    fake.pulls[pr.number].body = "stale"
    assert action.run("push", depth=1).code == 0
    assert fake.pulls[pr.number].body == full_body  # the marker's digests included
    assert _changelogs(fake, pr.head, logs) == full_logs
