"""Promotion of model releases: the environment's gates re-evaluated at promote time (break
glass included), and GTO stage tags that `gto show` reads in agreement with GitHub."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.action_util import ActionRunner
from tests.promotion_util import MODEL_CONFIG, Promoter, model_releases, releases

GATED = (
    MODEL_CONFIG
    + """environments:
  staging: {}
  production:
    gates:
      - {metric: auc, min: 0.88}
      - {metric: auc, baseline: stage:production, min-delta: 0}
"""
)


@pytest.fixture
def action(fakegithub, tmp_path):
    return ActionRunner(fakegithub, tmp_path)


def _writes(fake) -> list:
    return [c for c in fake.reset_requests() if c.method != "GET"]


def test_gates_refuse_a_model_below_threshold_or_the_active_version(fakegithub, action, tmp_path):
    fake = fakegithub
    good, low, worse, better = model_releases(fake, action, [0.90, 0.85, 0.89, 0.95])
    cli = Promoter(fake, tmp_path, GATED)
    first = cli.deploy(good, "production")  # nothing active yet: no baseline to regress from
    gates = fake.deployments[first].payload["gates"]
    assert [(g["gate"], g["value"], g["baseline"], g["passed"]) for g in gates] == [
        ("auc >= 0.88", 0.90, None, True),
        ("auc - stage:production >= 0", 0.90, None, True),
    ]
    assert gates[0]["assurance"] == "declared"

    fake.reset_requests()
    for tag, gate in ((low, "auc >= 0.88"), (worse, "auc - stage:production >= 0")):
        for extra in ((), ("--emergency", "--reason", "outage")):  # break glass: still gated
            refused = cli("promote", tag, "--to", "production", *extra)
            assert refused.code != 0 and refused.stdout == "", refused
            assert refused.stderr.count("\n") == 1, refused.stderr
            assert "rule `gates`" in refused.stderr and f"`{gate}`" in refused.stderr
        assert _writes(fake) == []
    assert "auc is 0.89 against 0.9" in refused.stderr

    second = cli.deploy(better, "production")
    gates = fake.deployments[second].payload["gates"]
    assert [(g["value"], g["baseline"], g["passed"]) for g in gates] == [
        (0.95, None, True),
        (0.95, 0.90, True),  # against the version active in production: `good`
    ]
    rows = cli.history("--environment", "production")
    assert [r["gates"] for r in rows] == [
        fake.deployments[first].payload["gates"],
        fake.deployments[second].payload["gates"],
    ]
    assert cli.ok("promote", low, "--to", "staging").code == 0  # staging has no gates
    # Rolling back from the better-scoring model stays possible: the stage gate then has no
    # baseline (it would compare with the version being left), the threshold gate holds.
    back = cli.ok("rollback", "--environment", "production", "--component", "churn")
    assert back.outputs["tag"] == good
    gates = fake.deployments[int(back.outputs["deployment_id"])].payload["gates"]
    assert [(g["value"], g["baseline"], g["passed"]) for g in gates] == [
        (0.90, None, True),
        (0.90, None, True),
    ]


def test_stage_tags_agree_with_github_in_gto_show(fakegithub, action, tmp_path):
    fake = fakegithub
    first, second = model_releases(fake, action, [0.90, 0.95])
    cli = Promoter(fake, tmp_path, GATED)
    fake.reset_requests()
    staged = cli.ok("promote", first, "--to", "staging", "--reason", "try it")
    calls = fake.reset_requests()
    writes = [(c.method, c.path.rsplit("/", 2)[-2:]) for c in calls if c.method != "GET"]
    assert [w[0] for w in writes] == ["POST"] * 4  # deployment, status, tag object, tag ref
    assert writes[2][1] == ["git", "tags"] and writes[3][1] == ["git", "refs"]
    assert len([c for c in calls if "/git/matching-refs/tags/churn" in c.path]) == 1
    assert staged.outputs["stage_tag"] == "churn#staging#1"
    tag_sha = fake.ref_sha("refs/tags/churn#staging#1")
    first_stage = json.loads(fake.git.read_tag(tag_sha).message)
    assert first_stage["reason"] == "try it" and first_stage["deployment_id"] == int(
        staged.outputs["deployment_id"]
    )
    ids = {"staging": [int(staged.outputs["deployment_id"])]}
    cli.ok("deployment-status", str(ids["staging"][0]), "success")
    for tag, env in ((first, "production"), (second, "staging"), (second, "production")):
        # A tag object's date has whole seconds, and `gto show` orders a stage's assignments
        # by it: promotions in one second would tie (minutes apart in real use).
        time.sleep(1.05 - time.time() % 1)
        out = cli.ok("promote", tag, "--to", env)
        cli.ok("deployment-status", out.outputs["deployment_id"], "success")
        ids.setdefault(env, []).append(int(out.outputs["deployment_id"]))
    assert sorted(t for t in fake.tags() if "#" in t) == [
        "churn#production#2",
        "churn#production#4",
        "churn#staging#1",
        "churn#staging#3",
    ]
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(fake.bare_path), str(clone)], check=True)

    def gto(*args):
        done = subprocess.run(
            [str(Path(sys.executable).with_name("gto")), *args],
            cwd=clone,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        return done.stdout

    from gto import api

    for env, deployment_ids in ids.items():
        (found,) = api.find_versions_in_stage(str(clone), "churn", env)
        active = [d for d in deployment_ids if fake.deployment_states(d)[-1] == "success"]
        assert [fake.deployments[d].ref for d in active] == [f"churn@{found.version}"]
        assert found.version == "v1.2.0"
        message = json.loads(found.assignments[-1].message)  # the assignment GTO reads
        assert message == {
            "deployment_id": active[0],
            "actor": "octocat",
            "reason": "",
            "gates": fake.deployments[active[0]].payload["gates"],
        }
    assert "v1.2.0" in gto("show", "churn#production")
    fake.reset_requests()
    text = cli.ok("history", "--component", "churn").stdout
    assert len([c for c in fake.reset_requests() if "/git/matching-refs/" in c.path]) == 1
    assert text.count(" stage churn#") == 4 and "production churn 1.2.0" in text
    assert "stage churn#production#4\n" in text
    fake.git.delete_ref("refs/tags/churn#staging#1")
    assert "stage churn#staging#1 (missing in git)" in cli.ok("history").stdout
    assert fake.deployments[ids["staging"][0]].payload["stage_tag"] == "churn#staging#1"


def test_code_components_meet_check_gates_and_never_get_stage_tags(fakegithub, action, tmp_path):
    fake = fakegithub
    (tag,) = releases(fake, action, 1)
    policy = "environments:\n  production:\n    gates:\n      - {check: model-eval}\n"
    cli = Promoter(fake, tmp_path, policy)
    fake.reset_requests()
    refused = cli("promote", tag, "--to", "production")
    assert refused.code != 0 and "rule `gates`" in refused.stderr, refused.stderr
    assert "`check model-eval` failed" in refused.stderr and _writes(fake) == []
    cli = Promoter(fake, tmp_path, "environments:\n  production: {}\n")
    done = cli.ok("promote", tag, "--to", "production")
    assert "stage_tag" not in done.outputs and not [t for t in fake.tags() if "#" in t]


def test_racing_model_promotions_leave_one_deployment_and_one_stage_tag(
    fakegithub, action, tmp_path
):
    import threading

    fake = fakegithub
    first, second = model_releases(fake, action, [0.90, 0.95])
    cli = Promoter(fake, tmp_path, GATED)
    fake.race("POST", r"/deployments$", parties=2)
    results = {}

    def run(tag):
        results[tag] = cli("promote", tag, "--to", "staging")

    threads = [threading.Thread(target=run, args=(t,)) for t in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    (winner,) = [r for r in results.values() if r.code == 0]
    (loser,) = [r for r in results.values() if r.code != 0]
    assert "supersedes" in loser.stderr and loser.stderr.count("\n") == 1
    (stage,) = [t for t in fake.tags() if "#" in t]  # the loser retired before tagging
    assert stage == winner.outputs["stage_tag"]
    message = json.loads(fake.git.read_tag(fake.ref_sha(f"refs/tags/{stage}")).message)
    assert message["deployment_id"] == int(winner.outputs["deployment_id"])
    live = [d for d in fake.deployments.values() if fake.deployment_states(d.id)[-1] != "inactive"]
    assert [d.id for d in live] == [message["deployment_id"]]


def test_a_stage_tag_that_cannot_be_pushed_leaves_no_deployment_in_progress(
    fakegithub, action, tmp_path
):
    fake = fakegithub
    (tag,) = model_releases(fake, action, [0.90])
    cli = Promoter(fake, tmp_path, GATED)
    fake.inject("POST", r"/git/tags$", "forbidden")  # a token without contents: write
    failed = cli("promote", tag, "--to", "staging")
    assert failed.code != 0 and failed.stderr.count("\n") == 1, failed
    assert "stage tag churn#staging#1" in failed.stderr and "contents: write" in failed.stderr
    (deployment,) = fake.deployments
    assert fake.deployment_states(deployment) == ["in_progress", "error"]
    assert not [t for t in fake.tags() if "#" in t]
