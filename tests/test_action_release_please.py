"""The Action on a repository that still has release-please's files, against the fake GitHub."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.action_util import ActionRunner
from tests.release_please_fixture import BASE, RELEASER_YML, RP_FILES, TAGS, WORK


@pytest.fixture
def action(fakegithub, tmp_path):
    return ActionRunner(fakegithub, tmp_path)


def seed(fake):
    for message, files in BASE:
        fake.commit("main", message, files)
    fake.commit("main", "chore: release-please config", RP_FILES)
    for tag in TAGS:
        fake.tag(tag)
    for message, files in WORK:
        fake.commit("main", message, files)


def test_plan_from_release_please_files_equals_the_releaser_yml_plan(fakegithub, action):
    seed(fakegithub)
    from_rp = action.run("push", inputs={"command": "plan"})
    assert from_rp.code == 0, from_rp.stdout + from_rp.stderr
    assert "| api | 0.3.0 | 0.4.0 | minor |" in from_rp.summary
    assert "| web | 1.1.0 | 1.1.1 | patch |" in from_rp.summary
    assert "::warning" not in from_rp.stdout
    fakegithub.commit("main", "chore: releaser config", {".github/releaser.yml": RELEASER_YML})
    from_yml = action.run("push", inputs={"command": "plan"})
    assert from_yml.code == 0 and from_yml.summary == from_rp.summary


def test_release_please_labels_pr_output_and_publish(fakegithub, action):
    fake = fakegithub
    seed(fake)
    first = action.run("push")
    assert first.code == 0, first.stdout + first.stderr
    (pr,) = [p for p in fake.pulls.values() if p.state == "open"]
    assert list(pr.labels) == ["autorelease: pending"]
    out = json.loads(first.outputs["pr"])
    files = fake.git.text("show", "--name-only", "--format=", f"refs/heads/{pr.head}").split()
    assert out["headBranchName"] == pr.head == out["branch"]
    assert out["baseBranchName"] == "main"
    assert out["number"] == pr.number and out["title"] == pr.title
    assert out["body"] == pr.body
    assert out["labels"] == ["autorelease: pending"]
    assert (
        out["files"]
        == sorted(files)
        == [
            "packages/api/HISTORY.md",
            "packages/api/version.txt",
            "packages/web/CHANGELOG.md",
            "packages/web/package.json",
            "packages/web/src/version.ts",
        ]
    )
    head = f"refs/heads/{pr.head}"
    assert '"1.1.1"' in fake.git.text("show", f"{head}:packages/web/src/version.ts")

    merge_sha = fake.merge_pull(pr.number)
    published = action.run("pull_request.closed", event=action.merged_event(pr.number))
    assert published.code == 0, published.stdout + published.stderr
    assert fake.tags()["api-v0.4.0"] == merge_sha and fake.tags()["web@1.1.1"] == merge_sha
    assert list(fake.pulls[pr.number].labels) == ["autorelease: tagged"]
    assert json.loads(published.outputs["paths_released"]) == ["packages/api", "packages/web"]


def test_without_a_checkout_release_please_files_come_from_the_api(fakegithub, action):
    """No actions/checkout step: release-please's config and manifest are read through the
    API as the event's commit has them, so the plan equals the one a checkout gives."""
    seed(fakegithub)
    with_clone = action.run("push", inputs={"command": "plan"})
    assert with_clone.code == 0, with_clone.stdout + with_clone.stderr
    shutil.rmtree(action.workspace)
    without = action.run("push", inputs={"command": "plan"}, clone=False)
    assert without.code == 0, without.stdout + without.stderr
    assert "| api | 0.3.0 | 0.4.0 | minor |" in without.summary, without.summary
    assert without.summary == with_clone.summary
