"""Whose approvals and checks count, and what immutable releases mean, end to end."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.action_util import ROOT, ActionRunner
from tests.test_action_e2e import open_release_prs
from tests.test_action_evidence import _download, _pr

CONFIG = """required-checks:
  - {name: tests, app: github-actions}
  - build
"""


@pytest.fixture
def action(fakegithub, tmp_path):
    return ActionRunner(fakegithub, tmp_path)


def _publish(fake, action):
    """Release the PRs on main; the release commit gets a `build` check run from Actions and a
    `tests` status that mallory posted with her own token."""
    assert action.run("push").code == 0
    (release_pr,) = open_release_prs(fake)
    fake.add_review(release_pr.number, "maintainer", "APPROVED")
    sha = fake.merge_pull(release_pr.number)
    fake.add_check_run(sha, "build", app="github-actions")
    fake.add_status(sha, "success", "tests", creator="mallory")
    fake.reset_requests()
    published = action.run("pull_request.closed", event=action.merged_event(release_pr.number))
    assert published.code == 0, published.stdout + published.stderr
    release = fake.release_by_tag("v1.1.0")
    assets = {a.name: a.data for a in release.assets}
    return json.loads(assets["release-evidence.json"]), assets["release-evidence.md"].decode()


def test_bots_and_readers_do_not_approve_and_spoofed_checks_do_not_pass(
    fakegithub, action, tmp_path
):
    fake = fakegithub
    fake.commit("main", "chore: init", {"README.md": "hi\n", ".github/releaser.yml": CONFIG})
    fake.tag("v1.0.0")
    fake.state.collaborators.update({"eve": "read", "frank": "write"})
    by_bot = _pr(fake, "feat-a", "feat: a", "src/a.py")
    fake.add_review(by_bot, "github-actions[bot]", "APPROVED", association="NONE")
    fake.merge_pull(by_bot)
    by_reader = _pr(fake, "feat-b", "feat: b", "src/b.py")
    fake.add_review(by_reader, "eve", "APPROVED", association="CONTRIBUTOR")
    fake.merge_pull(by_reader)
    by_writer = _pr(fake, "feat-c", "feat: c", "src/c.py")
    fake.add_review(by_writer, "eve", "APPROVED", association="CONTRIBUTOR")
    fake.add_review(by_writer, "frank", "APPROVED", association="NONE")
    fake.add_review(by_writer, "bob", "COMMENTED")
    fake.merge_pull(by_writer)

    doc, md = _publish(fake, action)

    # One permission lookup per ambiguous approver, however many PRs they approved.
    lookups = sorted(c.path for c in fake.reset_requests() if "/collaborators/" in c.path)
    assert [p.rsplit("/", 2)[-2] for p in lookups] == ["eve", "frank"], lookups
    review = next(p for p in doc["policies"] if p["name"] == "second-person-review")
    assert review["status"] == "fail"
    assert review["offending"] == [f"#{by_bot}", f"#{by_reader}"]
    prs = {p["number"]: p for p in doc["changes"]["pull_requests"]}
    assert prs[by_writer]["approved_by"] == ["frank"]
    (bot,) = prs[by_bot]["reviews"]
    assert (bot["bot"], bot["write_access"], bot["write_access_source"]) == (True, False, "bot")
    eve = prs[by_reader]["reviews"][0]
    assert (eve["author_association"], eve["permission"], eve["write_access"]) == (
        "CONTRIBUTOR",
        "read",
        False,
    )
    frank = next(r for r in prs[by_writer]["reviews"] if r["reviewer"] == "frank")
    assert (frank["permission"], frank["write_access_source"]) == ("write", "permission")

    checks = {c["name"]: c for c in doc["checks"]["results"]}
    assert (checks["build"]["kind"], checks["build"]["source"]) == ("check_run", "github-actions")
    assert (checks["tests"]["kind"], checks["tests"]["source"]) == ("status", "mallory")
    assert doc["checks"]["required"] == [
        {"name": "tests", "app": "github-actions"},
        {"name": "build", "app": ""},
    ]
    required = next(p for p in doc["policies"] if p["name"] == "required-checks-passed")
    assert (required["status"], required["offending"]) == (
        "pending",
        ["tests (app github-actions)"],
    )

    assert "github-actions[bot] (approved at head, a bot: not counted)" in md
    assert "eve (approved at head, no write access: not counted)" in md
    assert "bob (commented), eve (approved at head, no write access: not counted)" in md
    assert "| tests | status | mallory |" in md


@pytest.mark.parametrize("enabled", [True, False])
def test_immutable_releases_are_recorded_and_verify_warns_when_off(
    fakegithub, action, tmp_path, enabled
):
    fake = fakegithub
    fake.commit("main", "chore: init", {"README.md": "hi\n"})
    fake.tag("v1.0.0")
    fake.state.immutable_releases = enabled
    number = _pr(fake, "feat-a", "feat: a", "src/a.py")
    fake.add_review(number, "bob", "APPROVED")
    fake.merge_pull(number)
    doc, md = _publish(fake, action)
    assert doc["settings"] == {"immutable_releases": enabled}
    assert ("**Immutable releases:** on" in md) is enabled
    folder = _download(fake, "v1.1.0", tmp_path / "download")
    cli = subprocess.run(
        [sys.executable, "-m", "releaser", "verify", str(folder)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert cli.returncode == 0, cli.stdout + cli.stderr
    assert cli.stdout.startswith("verified: v1.1.0 ")
    assert "not signed" in cli.stdout
    warned = "warning: immutable releases were off when v1.1.0 was published" in cli.stdout
    assert warned is not enabled, cli.stdout


def test_approval_by_github_actions_or_a_reader_alone_fails_second_person_review(
    fakegithub, action
):
    fake = fakegithub
    fake.commit("main", "chore: init", {"README.md": "hi\n"})
    fake.tag("v1.0.0")
    fake.state.collaborators["eve"] = "read"
    by_bot = _pr(fake, "feat-a", "feat: a", "src/a.py")
    fake.add_review(by_bot, "github-actions[bot]", "APPROVED", association="NONE")
    fake.merge_pull(by_bot)
    by_reader = _pr(fake, "feat-b", "feat: b", "src/b.py")
    fake.add_review(by_reader, "eve", "APPROVED", association="CONTRIBUTOR")
    fake.merge_pull(by_reader)
    doc, _ = _publish(fake, action)
    review = next(p for p in doc["policies"] if p["name"] == "second-person-review")
    assert (review["status"], review["offending"]) == ("fail", [f"#{by_bot}", f"#{by_reader}"])
