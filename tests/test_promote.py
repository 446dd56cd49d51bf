"""releaser promote / deployment-status / history against the fake GitHub, on releases the
Action really published (with verifiable evidence)."""

from __future__ import annotations

import pytest

from tests.action_util import ActionRunner
from tests.promotion_util import Promoter, releases

DAY = 86400


@pytest.fixture
def action(fakegithub, tmp_path):
    return ActionRunner(fakegithub, tmp_path)


def test_staging_then_production_and_the_refusals_on_the_way(fakegithub, action, tmp_path):
    fake = fakegithub
    (tag,) = releases(fake, action, 1)
    cli = Promoter(fake, tmp_path)

    refused = cli("promote", tag, "--to", "production")  # never in staging
    assert refused.code != 0 and refused.stdout == ""
    assert refused.stderr.count("\n") == 1 and "rule `after`" in refused.stderr, refused.stderr
    assert fake.deployments == {}

    fake.reset_requests()
    staging = cli.ok("promote", tag, "--to", "staging", "--reason", "first")
    calls = fake.reset_requests()
    deployment = int(staging.outputs["deployment_id"])
    assert fake.deployment_states(deployment) == ["in_progress"]
    d = fake.deployments[deployment]
    assert d.ref == tag and d.task == "deploy" and d.environment == "staging"
    assert d.payload["version"] == "1.1.0" and d.payload["reason"] == "first"
    assert d.payload["promoted_by"] == "octocat" and d.payload["break_glass"] is False
    release = fake.release_by_tag(tag)
    assert d.payload["commit"] == fake.tags()[tag]
    sums = {a.name for a in release.assets}
    assert set(d.payload["artifacts"]) <= sums
    downloads = [c for c in calls if "/releases/assets/" in c.path or "_downloads" in c.path]
    assert len(downloads) >= len(release.assets)
    writes = [(c.method, c.path.split("/", 4)[-1]) for c in calls if c.method != "GET"]
    assert [w[0] for w in writes] == ["POST", "POST"]  # the deployment and its status

    cli.ok("deployment-status", str(deployment), "success", "--url", "https://ci.example/1",
           "--environment-url", "https://staging.example.com")  # fmt: skip
    assert fake.deployment_states(deployment) == ["in_progress", "success"]
    status = fake.deployments[deployment].statuses[-1]
    assert (status.log_url, status.environment_url) == (
        "https://ci.example/1",
        "https://staging.example.com",
    )

    soaking = cli("promote", tag, "--to", "production")
    assert soaking.code != 0 and "rule `soak`" in soaking.stderr, soaking.stderr
    assert len(fake.deployments) == 1

    fake.age_deployments(DAY + 60)
    prod = cli.ok("promote", tag, "--to", "production", "--reason", "soaked")
    prod_id = int(prod.outputs["deployment_id"])
    assert fake.deployments[prod_id].environment == "production"
    (entry,) = cli.history("--environment", "production")
    assert entry["deployment_id"] == prod_id and entry["state"] == "in_progress"
    assert entry["reason"] == "soaked" and entry["approved_by"] == []


def test_canary_then_full_then_rollback(fakegithub, action, tmp_path):
    fake = fakegithub
    first, second, third = releases(fake, action, 3)
    cli = Promoter(fake, tmp_path, "environments:\n  production:\n    max-active: 2\n")
    v1 = cli.deploy(first, "production")
    canary = cli.deploy(second, "production", "--strategy", "canary:10")
    assert fake.deployments[canary].task == "deploy:canary"
    assert fake.deployment_states(v1) == ["in_progress", "success"]  # still active beside it
    active = [
        e["version"] for e in cli.history("--environment", "production") if e["state"] == "success"
    ]
    assert active == ["1.1.0", "1.2.0"]

    over = cli("promote", third, "--to", "production", "--strategy", "canary:5")
    assert over.code != 0 and "rule `max-active`" in over.stderr, over.stderr

    full = cli.deploy(second, "production")
    assert fake.deployment_states(v1)[-1] == "inactive"
    assert fake.deployment_states(canary)[-1] == "inactive"
    assert fake.deployment_states(full)[-1] == "success"

    back = cli.ok("rollback", "--environment", "production")
    assert back.outputs["tag"] == first and back.outputs["version"] == "1.1.0"
    rolled = int(back.outputs["deployment_id"])
    assert fake.deployments[rolled].payload["reason"] == "rollback"


def test_bad_input_gets_one_line_and_no_write(fakegithub, action, tmp_path):
    fake = fakegithub
    (tag,) = releases(fake, action, 1)
    cli = Promoter(fake, tmp_path)
    fake.reset_requests()
    cases = [
        (("promote", "v9.9.9", "--to", "staging"), "has no published release"),
        (("promote", tag, "--to", "qa"), "unknown environment 'qa'"),
        (("promote", tag, "--to", "staging", "--strategy", "canary:0"), "strategy"),
        (("promote", tag, "--to", "staging", "--emergency"), "--emergency needs --reason"),
        (("deployment-status", "424242", "success"), "no deployment 424242"),
        (("rollback", "--environment", "staging"), "nothing of the repository is active"),
        (("history", "--at", "yesterday"), "not an ISO 8601"),
        (("history", "--at", "2999-01-01T00:00:00Z"), "in the future"),
    ]
    for args, words in cases:
        result = cli(*args)
        assert result.code != 0, args
        assert result.stderr.count("\n") == 1 and words in result.stderr, (args, result.stderr)
    assert [c for c in fake.calls if c.method != "GET"] == []
    cli.deploy(tag, "staging")
    nothing = cli("rollback", "--environment", "staging")
    assert nothing.code != 0 and "nothing to roll back to" in nothing.stderr, nothing.stderr


def test_githubs_own_auto_inactive_does_not_retire_a_version_releaser_keeps(
    fakegithub, action, tmp_path
):
    """A job that names an environment makes GitHub create a deployment of its own there; its
    `success` status, with GitHub's default auto_inactive, marks every earlier successful
    deployment of that (non-production) environment inactive. The canary's predecessor stays
    active in releaser's record: only releaser's own `inactive` statuses retire a version."""
    import requests

    fake = fakegithub
    first, second = releases(fake, action, 2)
    cli = Promoter(fake, tmp_path, "environments:\n  staging:\n    max-active: 2\n")
    v1 = cli.deploy(first, "staging")
    canary = cli.deploy(second, "staging", "--strategy", "canary:10")
    headers = {"Authorization": f"token {fake.token}", "Accept": "application/vnd.github+json"}
    api = f"{fake.api_url}/repos/{fake.full_name}"
    job = requests.post(
        f"{api}/deployments",
        json={
            "ref": "main",
            "environment": "staging",
            "auto_merge": False,
            "required_contexts": [],
        },
        headers=headers,
        timeout=30,
    ).json()
    done = requests.post(
        f"{api}/deployments/{job['id']}/statuses",
        json={"state": "success"},
        headers=headers,
        timeout=30,
    )
    assert done.status_code == 201
    assert fake.deployment_states(v1)[-1] == "inactive"  # what GitHub did
    active = [
        e["version"] for e in cli.history("--environment", "staging") if e["state"] == "success"
    ]
    assert active == ["1.1.0", "1.2.0"]
    assert fake.deployment_states(canary)[-1] == "inactive"


def test_history_text_keeps_a_forged_payload_on_its_own_line(fakegithub, tmp_path):
    """Anyone with deployments: write can post a deployment carrying releaser's payload keys;
    its text must not become a workflow command or a line of its own in `history`."""
    import requests

    fake = fakegithub
    fake.commit("main", "chore: init", {"README.md": "x\n"})
    headers = {"Authorization": f"token {fake.token}", "Accept": "application/vnd.github+json"}
    api = f"{fake.api_url}/repos/{fake.full_name}"
    payload = {
        "component": "x\n::error::forged",
        "version": "1.0.0\n::add-mask::y",
        "tag": "v1.0.0",
        "strategy": "full",
    }
    made = requests.post(
        f"{api}/deployments",
        json={
            "ref": "main",
            "environment": "staging",
            "payload": payload,
            "auto_merge": False,
            "required_contexts": [],
        },
        headers=headers,
        timeout=30,
    )
    assert made.status_code == 201, made.text
    out = Promoter(fake, tmp_path)("history", "--environment", "staging")
    assert out.code == 0, out.stderr
    assert len(out.stdout.splitlines()) == 1, out.stdout
    assert not any(line.lstrip().startswith("::") for line in out.stdout.splitlines())
