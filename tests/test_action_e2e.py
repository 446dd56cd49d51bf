"""The Action end to end: entrypoint.py against the fake GitHub, as the runner runs it."""

from __future__ import annotations

import pytest

from tests.action_util import ActionRunner


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
