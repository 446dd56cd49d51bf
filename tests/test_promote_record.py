"""The promotion record: history --at, break glass and its review issue, approvals, tampered
evidence, racing promotions, and the request count of a promotion."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.action_util import ActionRunner
from tests.promotion_util import Promoter, releases

HOUR = 3600


@pytest.fixture
def action(fakegithub, tmp_path):
    return ActionRunner(fakegithub, tmp_path)


def _iso(seconds_ago: float) -> str:
    return (datetime.now(UTC) - timedelta(seconds=seconds_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_history_at_three_moments_break_glass_and_approvals(fakegithub, action, tmp_path):
    fake = fakegithub
    first, second = releases(fake, action, 2)
    cli = Promoter(fake, tmp_path)
    fake.add_environment("production", reviewers=("alice",))
    fake.approve_run(99, "production", "alice", comment="ok")
    fake.approve_run(99, "staging", "mallory")  # another environment's review
    # Break glass: production without staging, then the review issue.
    glass = cli.ok(
        "promote", first, "--to", "production", "--emergency", "--reason", "outage <b>@team",
        GITHUB_RUN_ID="99",
    )  # fmt: skip
    old = int(glass.outputs["deployment_id"])
    cli.ok("deployment-status", str(old), "success")
    (issue,) = fake.issues.values()
    assert issue.title == f"Post-release review: {first} to production"
    assert "outage &lt;b>`@team`" in issue.body and "<b>" not in issue.body
    fake.age_deployments(10 * HOUR)  # v1 active from 15h ago (aged again below)
    canary = cli.deploy(second, "production", "--strategy", "canary:10", "--emergency",
                        "--reason", "hotfix")  # fmt: skip
    fake.age_deployments(5 * HOUR)  # canary active from 5h ago
    full = cli.deploy(second, "production", "--emergency", "--reason", "go")  # now

    def at(seconds_ago):
        rows = cli.history("--environment", "production", "--at", _iso(seconds_ago))
        return [r["deployment_id"] for r in rows]

    assert at(20 * HOUR) == []
    assert at(10 * HOUR) == [old]
    assert at(2 * HOUR) == [old, canary]
    assert at(0) == [full]
    rows = cli.history("--environment", "production")
    assert [r["deployment_id"] for r in rows] == [old, canary, full]  # oldest first
    assert rows[0]["break_glass"] is True and rows[0]["approved_by"] == ["alice"]
    assert rows[0]["reason"] == "outage <b>@team" and rows[0]["promoted_by"] == "octocat"
    assert rows[1]["strategy"] == "canary:10" and rows[1]["state"] == "inactive"
    assert fake.deployments[old].payload["required_reviewers"] == ["alice"]


def test_tampered_evidence_refuses_promotion(fakegithub, action, tmp_path):
    fake = fakegithub
    (tag,) = releases(fake, action, 1)
    cli = Promoter(fake, tmp_path)
    release = fake.release_by_tag(tag)
    for asset in release.assets:
        original = asset.data
        asset.data = original[:-2] + bytes([original[-2] ^ 1]) + original[-1:]
        fake.reset_requests()
        refused = cli("promote", tag, "--to", "staging", "--emergency", "--reason", "x")
        assert refused.code != 0 and "rule `evidence`" in refused.stderr, (asset.name, refused)
        assert refused.stderr.count("\n") == 1
        assert [c for c in fake.calls if c.method != "GET"] == []
        asset.data = original
    fake.tag(tag, "main~1")  # the tag moved away from the recorded commit
    fake.git.update_ref(f"refs/tags/{tag}", fake.ref_sha("refs/heads/main~1") or "")
    moved = cli("promote", tag, "--to", "staging")
    assert moved.code != 0 and "rule `evidence`" in moved.stderr and "points at" in moved.stderr
    assert fake.deployments == {}


def test_racing_promotions_leave_one_active_deployment(fakegithub, action, tmp_path):
    import threading

    fake = fakegithub
    first, second = releases(fake, action, 2)
    cli = Promoter(fake, tmp_path)
    fake.race("POST", r"/deployments$", parties=2)
    results = {}

    def run(tag):
        results[tag] = cli("promote", tag, "--to", "staging")

    threads = [threading.Thread(target=run, args=(t,)) for t in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [t for t, r in results.items() if r.code == 0]
    losers = [r for r in results.values() if r.code != 0]
    assert len(winners) == 1 and len(losers) == 1, results
    assert "supersedes" in losers[0].stderr and losers[0].stderr.count("\n") == 1
    for d in fake.deployments.values():
        if d.ref != winners[0]:
            assert fake.deployment_states(d.id)[-1] == "inactive"
    # Both deploys report success anyway (a loser's step ran regardless): still one active.
    for d in list(fake.deployments.values()):
        cli.ok("deployment-status", str(d.id), "success")
    active = [r for r in cli.history("--environment", "staging") if r["state"] == "success"]
    assert [r["tag"] for r in active] == winners


def test_concurrent_full_successes_leave_one_active(fakegithub, action, tmp_path):
    fake = fakegithub
    first, second = releases(fake, action, 2)
    cli = Promoter(fake, tmp_path)
    a = int(cli.ok("promote", first, "--to", "staging").outputs["deployment_id"])
    b = int(cli.ok("promote", second, "--to", "staging").outputs["deployment_id"])
    cli.ok("deployment-status", str(b), "success")  # the newer one finishes first
    cli.ok("deployment-status", str(a), "success")
    assert fake.deployment_states(a)[-1] == "inactive"
    assert fake.deployment_states(b)[-1] == "success"


def test_a_newer_racing_deployment_with_no_status_yet_still_supersedes(fakegithub):
    """The older of two racing promotions may read the deployments before the newer one has
    posted its first status: a releaser deployment with no status yet is in flight (GitHub
    shows it pending), so the older one still retires itself and one deployment goes on."""
    from releaser.errors import StateConflict
    from releaser.github import GitHub
    from releaser.promote import _settle

    fake = fakegithub
    fake.commit("main", "chore: init", {"README.md": "x\n"})
    for tag in ("v1.1.0", "v1.2.0"):
        fake.tag(tag, "main")
    gh = GitHub(fake.token, fake.api_url, fake.full_name, write_interval=0)

    def deploy(tag: str) -> int:
        payload = {"component": "", "version": tag[1:], "tag": tag, "strategy": "full"}
        return gh.create_deployment(tag, "staging", "deploy", {**payload, "nonce": tag}, tag)

    older = deploy("v1.1.0")
    gh.create_status(older, "in_progress", "promoting")
    newer = deploy("v1.2.0")  # created, its in_progress status not yet posted
    with pytest.raises(StateConflict, match=f"deployment {newer}\\) supersedes"):
        _settle(gh, older, "staging", "")
    assert fake.deployment_states(older)[-1] == "inactive"
    _settle(gh, newer, "staging", "")  # the newer one goes on
