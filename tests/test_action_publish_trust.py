"""What gets published is what was reviewed: the marker must match the merged files, and only a
release PR releaser opened (this repository's branch, its label, its author) publishes."""

from __future__ import annotations

import re

import pytest

from releaser.github import PullInfo
from releaser.publish_trust import not_a_release_pr
from tests.action_util import ActionRunner
from tests.fakegithub.handlers.pulls import fork_ref
from tests.test_action_e2e import open_release_prs, seed

BRANCH = "releaser--branches--main"
CONFIG = {".github/releaser.yml": "version-files: [VERSION]\n"}


@pytest.fixture
def action(fakegithub, tmp_path):
    return ActionRunner(fakegithub, tmp_path)


def release_pr(fake, action):
    """The repository at v1.0.0 plus a feature, and releaser's open PR for 1.1.0."""
    seed(fake)
    fake.commit("main", "chore: cfg", CONFIG)
    first = action.run("push")
    assert first.code == 0, first.stdout + first.stderr
    (pr,) = open_release_prs(fake)
    assert pr.title == "chore(main): release 1.1.0"
    return pr


def publish(fake, action, number, depth=None):
    """Run the Action on the merge event of PR `number`; returns (result, its calls)."""
    fake.reset_requests()
    result = action.run("pull_request.closed", event=action.merged_event(number), depth=depth)
    return result, fake.reset_requests()


def nothing_written(fake, calls):
    assert [f"{c.method} {c.path}" for c in calls if c.method != "GET"] == []
    assert fake.tags().keys() == {"v1.0.0"} and not fake.releases


def close(fake, number):
    fake.client().get_repo(fake.full_name).get_pull(number).edit(state="closed")


@pytest.mark.parametrize("depth", [None, 1], ids=["local-clone", "api"])
def test_a_marker_edited_to_another_version_is_refused_before_any_write(fakegithub, action, depth):
    fake = fakegithub
    pr = release_pr(fake, action)
    # Someone who may edit the body, after the review: another version and a link of theirs.
    forged = pr.body.replace("1.1.0", "9.0.0").replace("add widgets", "[get it](http://evil/)")
    fake.pulls[pr.number].body = forged
    merge = fake.merge_pull(pr.number)
    result, calls = publish(fake, action, pr.number, depth)
    assert result.code == 3, result.stdout + result.stderr
    assert (
        f"release PR #{pr.number} cannot be published: its marker says 9.0.0,"
        f" VERSION at {merge[:12]} says 1.1.0"
    ) in result.stdout
    nothing_written(fake, calls)
    assert fake.pulls[pr.number].labels == ["releaser: pending"]
    assert fake.comments(pr.number) == []
    # Without a clone holding the merge commit the files are read through the API; it stops at
    # the first file that disagrees.
    reads = [c.path for c in calls if re.search(r"/contents/", c.path)]
    assert reads == ([] if depth is None else [f"/repos/{fake.full_name}/contents/VERSION"])


@pytest.mark.parametrize(
    "path, edit, says",
    [
        ("VERSION", "1.2.0", "1.2.0"),
        ("CHANGELOG.md", None, "1.2.0"),
    ],
)
def test_a_merged_file_that_disagrees_with_the_marker_is_named(
    fakegithub, action, path, edit, says
):
    fake = fakegithub
    pr = release_pr(fake, action)
    if edit is None:  # the CHANGELOG's newest heading, edited on the release branch
        text = fake.git.text("show", f"refs/heads/{BRANCH}:CHANGELOG.md")
        edit = text.replace("## [1.1.0]", "## [1.2.0]", 1)
    fake.commit(BRANCH, f"chore: touch {path}", {path: edit})
    merge = fake.merge_pull(pr.number)
    result, calls = publish(fake, action, pr.number)
    assert result.code == 3, result.stdout + result.stderr
    assert f"its marker says 1.1.0, {path} at {merge[:12]} says {says}" in result.stdout
    nothing_written(fake, calls)


def test_a_maintainers_wording_edit_still_publishes_through_the_api(fakegithub, action):
    fake = fakegithub
    pr = release_pr(fake, action)
    fake.pulls[pr.number].body = pr.body.replace("add widgets", "add widgets (polished)")
    merge = fake.merge_pull(pr.number)
    result, calls = publish(fake, action, pr.number, depth=1)
    assert result.code == 0, result.stdout + result.stderr
    assert fake.tags()["v1.1.0"] == merge
    assert "add widgets (polished)" in fake.release_by_tag("v1.1.0").body
    # One read per checked file: the version file and the CHANGELOG.
    reads = sorted(c.path.rsplit("/", 1)[-1] for c in calls if "/contents/" in c.path)
    assert reads == ["CHANGELOG.md", "VERSION"]


@pytest.mark.parametrize("fork", ["mallory/widgets", "acme/widgets-copy"])
def test_a_fork_branch_named_like_the_release_branch_publishes_nothing(fakegithub, action, fork):
    fake = fakegithub
    pr = release_pr(fake, action)
    close(fake, pr.number)
    # The fork's branch holds exactly the release commit, the PR copies releaser's body and
    # label, and its author is a member: only the branch's repository differs.
    fake.add_token("ghp_mallory", "mallory")
    fake.git.update_ref(fork_ref(fork, BRANCH), fake.ref_sha(f"refs/heads/{BRANCH}"))
    forked = fake.create_pull(BRANCH, "main", pr.title, pr.body, user="mallory", head_repo=fork)
    forked.labels = ["releaser: pending"]
    fake.merge_pull(forked.number)
    result, calls = publish(fake, action, forked.number)
    assert result.code == 0, result.stdout + result.stderr
    assert f"its branch is in {fork}, not in {fake.full_name}" in result.stdout
    nothing_written(fake, calls)
    # Nor does a later run find it among the merged release PRs.
    fake.reset_requests()
    later = action.run("push", inputs={"command": "publish"})
    assert later.code == 0, later.stdout + later.stderr
    nothing_written(fake, fake.reset_requests())


@pytest.mark.parametrize(
    "user, labels, why",
    [
        ("contributor", ["releaser: pending"], "its author contributor is no bot"),
        ("releaser-bot", [], "it carries neither the 'releaser: pending'"),
    ],
    ids=["another-author", "no-label"],
)
def test_a_pr_releaser_did_not_open_is_no_release_pr(fakegithub, action, user, labels, why):
    fake = fakegithub
    pr = release_pr(fake, action)
    close(fake, pr.number)
    # The same branch, the same body: a second PR that releaser did not open and label.
    other = fake.create_pull(BRANCH, "main", pr.title, pr.body, user=user)
    other.labels = labels
    fake.merge_pull(other.number)
    result, calls = publish(fake, action, other.number)
    assert result.code == 0, result.stdout + result.stderr
    assert why in result.stdout
    nothing_written(fake, calls)
    fake.reset_requests()
    later = action.run("push", inputs={"command": "publish"})
    assert later.code == 0, later.stdout + later.stderr
    nothing_written(fake, fake.reset_requests())


def _pr(**change) -> PullInfo:
    fields = dict(
        number=7,
        state="closed",
        merged=True,
        merge_commit_sha="a" * 40,
        head_ref=BRANCH,
        head_sha="b" * 40,
        base_ref="main",
        title="t",
        body="",
        html_url="",
        labels=("releaser: pending",),
        author="github-actions[bot]",
        merged_by="maintainer",
        merged_at="2026-01-01T00:00:00Z",
        head_repo="acme/widgets",
        author_type="Bot",
        author_association="NONE",
    )
    return PullInfo(**(fields | change))


@pytest.mark.parametrize(
    "change, problem",
    [
        ({}, ""),
        ({"labels": ("releaser: released",)}, ""),
        ({"head_repo": "ACME/Widgets"}, ""),  # GitHub names are case-insensitive
        ({"author": "pat-owner", "author_type": "User", "author_association": "MEMBER"}, ""),
        ({"author": "me", "author_type": "User", "author_association": "OWNER"}, ""),
        ({"author": "x", "author_type": "User", "author_association": "COLLABORATOR"}, ""),
        ({"author": "x", "author_type": "User", "author_association": "CONTRIBUTOR"}, "author"),
        ({"author": "x", "author_type": "User", "author_association": "NONE"}, "author"),
        ({"head_repo": "mallory/widgets"}, "mallory/widgets"),
        ({"head_repo": ""}, "a deleted fork"),
        ({"labels": ("bug",)}, "label"),
    ],
    ids=[
        "workflow-bot",
        "released-label",
        "name-case",
        "member",
        "owner",
        "collaborator",
        "contributor",
        "stranger",
        "fork",
        "deleted-fork",
        "no-label",
    ],
)
def test_which_prs_are_releasers_own(change, problem):
    found = not_a_release_pr(_pr(**change), "acme/widgets")
    assert (problem in found and found) if problem else found == ""
