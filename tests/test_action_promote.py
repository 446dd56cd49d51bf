"""`command: promote | deployment-status | rollback` run as the runner runs the Action
(entrypoint.py, INPUT_* variables, GITHUB_OUTPUT, the job summary), against the fake GitHub,
on releases the Action really published."""

from __future__ import annotations

import shutil

import pytest

from tests.action_util import ActionRunner, RunResult
from tests.promotion_util import MODEL_CONFIG, POLICY, model_releases, releases

DAY = 86400


@pytest.fixture
def action(fakegithub, tmp_path):
    return ActionRunner(fakegithub, tmp_path)


def _policy(fake, text: str = POLICY) -> None:
    """The promotion policy lands on main; the Action reads it from its checkout."""
    fake.commit("main", "chore: promotion policy", {".github/releaser.yml": text})


def _run(action, command: str, **inputs: str) -> RunResult:
    named = {k.replace("_", "-"): v for k, v in inputs.items()}
    return action.run("workflow_dispatch", inputs={"command": command, **named})


def _errors(result: RunResult) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.startswith("::error")]


def _commands(result: RunResult) -> list[str]:
    """Every workflow command the run wrote, masks aside."""
    return [
        line
        for line in result.stdout.splitlines()
        if line.startswith("::") and not line.startswith("::add-mask::")
    ]


def _ok(result: RunResult) -> RunResult:
    assert result.code == 0, result.stdout + result.stderr
    assert _errors(result) == [], result.stdout
    return result


def _writes(fake) -> list:
    return [c for c in fake.calls if c.method != "GET"]


def test_staging_then_production_with_deployment_status_between(fakegithub, action):
    fake = fakegithub
    (tag,) = releases(fake, action, 1)
    _policy(fake)
    fake.add_environment("production", reviewers=("alice",))
    fake.approve_run(4242, "production", "alice")  # GITHUB_RUN_ID of every Action run here

    staging = _ok(_run(action, "promote", version=tag, environment="staging", reason="first"))
    deployment = int(staging.outputs["deployment_id"])
    assert staging.outputs["tag"] == tag and staging.outputs["version"] == "1.1.0"
    d = fake.deployments[deployment]
    assert (d.ref, d.environment, d.task) == (tag, "staging", "deploy")
    assert d.payload["reason"] == "first" and d.payload["promoted_by"] == "octocat"
    assert d.payload["break_glass"] is False and d.payload["approved_by"] == []
    assert fake.deployment_states(deployment) == ["in_progress"]
    assert tag in staging.summary and "staging" in staging.summary

    fake.reset_requests()
    soaking = _run(action, "promote", version=tag, environment="production")
    assert soaking.code != 0
    (error,) = _errors(soaking)  # "in staging" is not enough yet: it has not succeeded
    assert "rule `after`" in error, error
    assert _writes(fake) == [] and len(fake.deployments) == 1

    done = _ok(
        _run(
            action,
            "deployment-status",
            deployment_id=str(deployment),
            state="success",
            environment_url="https://staging.example.com",
            description="rolled out",
        )
    )
    assert done.outputs["deployment_id"] == str(deployment)
    assert fake.deployment_states(deployment) == ["in_progress", "success"]
    status = fake.deployments[deployment].statuses[-1]
    assert status.environment_url == "https://staging.example.com"
    assert status.description == "rolled out"
    assert "/actions/runs/4242/" in status.log_url  # the run that reported it

    fake.reset_requests()
    early = _run(action, "promote", version=tag, environment="production")
    (error,) = _errors(early)
    assert "rule `soak`" in error and early.code != 0, error
    assert _writes(fake) == [] and len(fake.deployments) == 1

    fake.age_deployments(DAY + 60)
    prod = _ok(_run(action, "promote", version=tag, environment="production", reason="soaked"))
    prod_id = int(prod.outputs["deployment_id"])
    p = fake.deployments[prod_id]
    assert p.environment == "production" and p.payload["approved_by"] == ["alice"]
    assert p.payload["required_reviewers"] == ["alice"]
    assert prod.outputs["tag"] == tag


def test_refusal_is_one_error_naming_the_rule_and_writes_nothing(fakegithub, action):
    fake = fakegithub
    (tag,) = releases(fake, action, 1)
    _policy(fake)
    fake.reset_requests()
    refused = _run(action, "promote", version=tag, environment="production", reason="x")
    assert refused.code == 1
    assert _commands(refused) == _errors(refused)  # no warning or notice beside it
    (error,) = _errors(refused)
    assert "promotion refused by rule `after`" in error, error
    assert "Failed: promotion refused by rule `after`" in refused.summary
    assert refused.outputs == {}
    assert _writes(fake) == [] and fake.deployments == {}


def test_break_glass_opens_the_review_issue_and_keeps_the_reason_inert(fakegithub, action):
    fake = fakegithub
    (tag,) = releases(fake, action, 1)
    _policy(fake)
    reason = "outage\n::error::injected\n<b>@team</b>"
    glass = _ok(
        _run(action, "promote", version=tag, environment="production", emergency="true",
             reason=reason)
    )  # fmt: skip
    assert _commands(glass) == []  # the reason, logged, formed no workflow command
    assert "injected" in glass.stdout  # it was logged, inert
    deployment = int(glass.outputs["deployment_id"])
    assert fake.deployments[deployment].payload["break_glass"] is True
    assert fake.deployments[deployment].payload["reason"] == reason
    (issue,) = fake.issues.values()
    assert issue.title == f"Post-release review: {tag} to production"
    assert glass.outputs["review_issue"]
    assert "<b>" not in glass.summary and "\n::error" not in glass.summary
    assert "@team" not in glass.summary.replace("`@team`", "")  # no mention


def _app(fake) -> dict[str, str]:
    return {"app-id": str(fake.app.app_id), "app-private-key": fake.app.private_key_pem}


def _minted(fake) -> list[dict[str, str]]:
    return [
        dict(fake.state.scopes[t].permissions)
        for t, login in fake.state.tokens.items()
        if login == fake.app.bot_login and t in fake.state.scopes
    ]


def test_an_app_token_gets_issues_write_only_for_break_glass(fakegithub, action):
    fake = fakegithub
    (tag,) = releases(fake, action, 1)
    _policy(fake, "environments:\n  staging: {}\n  production: {}\n")
    before = len(_minted(fake))
    plain = _ok(_run(action, "promote", version=tag, environment="staging", **_app(fake)))
    assert fake.deployments[int(plain.outputs["deployment_id"])].creator == fake.app.bot_login
    assert _minted(fake)[before:] == [
        {"actions": "read", "contents": "read", "deployments": "write"}
    ]
    glass = _run(action, "promote", version=tag, environment="production", emergency="true",
                 reason="outage", **_app(fake))  # fmt: skip
    _ok(glass)
    assert _minted(fake)[before + 1 :] == [
        {"actions": "read", "contents": "read", "deployments": "write", "issues": "write"}
    ]
    assert len(fake.issues) == 1
    status = _run(action, "deployment-status", deployment_id=glass.outputs["deployment_id"],
                  state="failure", **_app(fake))  # fmt: skip
    _ok(status)
    assert _minted(fake)[before + 2 :] == [{"deployments": "write"}]


def test_an_app_token_pushes_a_model_stage_tag_and_only_then_holds_contents_write(
    fakegithub, action
):
    """A model promotion (and a model component's rollback) pushes GTO's stage tag, so its
    App token holds contents: write; a code component's rollback keeps contents: read."""
    fake = fakegithub
    first, second = model_releases(fake, action, [0.90, 0.95])
    _policy(fake, MODEL_CONFIG + "environments:\n  production: {}\n")
    before = len(_minted(fake))
    out = _ok(_run(action, "promote", version=first, environment="production", **_app(fake)))
    _ok(_run(action, "deployment-status", deployment_id=out.outputs["deployment_id"],
             state="success", **_app(fake)))  # fmt: skip
    # As the reusable workflow runs it, without a checkout; and here without a token input:
    # the config is read through the API with a token that can only read.
    shutil.rmtree(action.workspace)
    inputs = {"command": "promote", "version": second, "environment": "production", "token": ""}
    out = _ok(action.run("workflow_dispatch", inputs={**inputs, **_app(fake)}, clone=False))
    _ok(_run(action, "deployment-status", deployment_id=out.outputs["deployment_id"],
             state="success", **_app(fake)))  # fmt: skip
    back = _ok(_run(action, "rollback", environment="production", component="churn",
                    **_app(fake)))  # fmt: skip
    assert back.outputs["tag"] == first
    assert sorted(t for t in fake.tags() if "#" in t) == [
        "churn#production#1",
        "churn#production#2",
        "churn#production#3",
    ]
    model = {"actions": "read", "contents": "write", "deployments": "write"}
    status = {"deployments": "write"}
    read = {"contents": "read"}
    assert _minted(fake)[before:] == [model, status, read, model, status, model]
    refused = _run(action, "rollback", environment="production", **_app(fake))  # the root
    assert "nothing of the repository is active" in _errors(refused)[0]
    assert _minted(fake)[-1] == {"actions": "read", "contents": "read", "deployments": "write"}


def test_rollback_through_the_action(fakegithub, action):
    fake = fakegithub
    first, second = releases(fake, action, 2)
    _policy(fake, "environments:\n  production: {}\n")
    for tag in (first, second):
        out = _ok(_run(action, "promote", version=tag, environment="production"))
        _ok(_run(action, "deployment-status", deployment_id=out.outputs["deployment_id"],
                 state="success"))  # fmt: skip
    back = _ok(_run(action, "rollback", environment="production"))
    assert back.outputs["tag"] == first and back.outputs["version"] == "1.1.0"
    rolled = fake.deployments[int(back.outputs["deployment_id"])]
    assert rolled.ref == first and rolled.payload["reason"] == "rollback"
    assert first in back.summary


@pytest.mark.parametrize(
    ("command", "inputs", "words"),
    [
        ("promote", {"environment": "staging"}, "input version is required"),
        ("promote", {"version": "v1.1.0"}, "input environment is required"),
        ("promote", {"version": "v1.1.0", "environment": "staging", "strategy": "blue-green"},
         "strategy 'blue-green'"),
        ("promote", {"version": "v1.1.0", "environment": "staging", "strategy": "canary:0"},
         "strategy 'canary:0'"),
        ("promote", {"version": "v1.1.0", "environment": "staging", "emergency": "yes"},
         "input emergency must be true or false"),
        ("promote", {"version": "v1.1.0", "environment": "production", "emergency": "true"},
         "input emergency needs a reason"),
        ("promote", {"version": "v1.1.0\n::warning::x", "environment": "staging"},
         "input version"),
        ("deployment-status", {"state": "success"}, "input deployment-id is required"),
        ("deployment-status", {"deployment-id": "12a", "state": "success"},
         "input deployment-id '12a' is not a number"),
        ("deployment-status", {"deployment-id": "12", "state": "done"},
         "input state must be success or failure"),
        ("rollback", {}, "input environment is required"),
    ],
)  # fmt: skip
def test_bad_input_is_one_error_exit_2_and_no_request(fakegithub, action, command, inputs, words):
    fake = fakegithub
    fake.commit("main", "chore: init", {"README.md": "hi\n"})
    fake.reset_requests()
    result = action.run("workflow_dispatch", inputs={"command": command, **inputs})
    assert result.code == 2, result.stdout + result.stderr
    assert _commands(result) == _errors(result)
    (error,) = _errors(result)
    assert words in error, error
    assert "Traceback" not in result.stderr
    assert fake.calls == []  # refused before any request, let alone a write


def test_unknown_environment_and_missing_deployment_write_nothing(fakegithub, action):
    fake = fakegithub
    (tag,) = releases(fake, action, 1)
    _policy(fake)
    fake.reset_requests()
    for command, inputs, words in (
        ("promote", {"version": tag, "environment": "qa"}, "unknown environment 'qa'"),
        ("promote", {"version": "v9.9.9", "environment": "staging"}, "has no published release"),
        ("deployment-status", {"deployment_id": "424242", "state": "success"},
         "no deployment 424242"),
        ("rollback", {"environment": "staging"}, "nothing of the repository is active"),
    ):  # fmt: skip
        result = _run(action, command, **inputs)
        assert result.code != 0
        (error,) = _errors(result)
        assert words in error, (command, error)
    assert _writes(fake) == []


def test_requests_of_a_promotion_without_a_checkout(fakegithub, action):
    """The reusable workflow runs promote without actions/checkout: the config is one contents
    read at the run's commit, the run's approvals one more; the rest is the CLI's promotion."""
    import shutil

    fake = fakegithub
    (tag,) = releases(fake, action, 1)
    _policy(fake, "environments:\n  staging: {}\n")
    shutil.rmtree(action.workspace)
    assets = len(fake.release_by_tag(tag).assets)
    fake.reset_requests()
    out = action.run(
        "workflow_dispatch",
        inputs={"command": "promote", "version": tag, "environment": "staging"},
        clone=False,
    )
    _ok(out)
    calls = fake.reset_requests()
    paths = [(c.method, c.path.split("/", 4)[-1]) for c in calls]
    assert [p for _, p in paths if p.startswith("contents/")] == ["contents/.github/releaser.yml"]
    assert len([p for m, p in paths if p.startswith("actions/runs/4242/approvals")]) == 1
    assert [m for m, p in paths if m != "GET"] == ["POST", "POST"]
    assert len(calls) == 13 + 2, paths  # bench/results-promotion.md: the CLI's 13, plus 2
    assert assets == 5
    status = action.run(
        "workflow_dispatch",
        inputs={"command": "deployment-status", "deployment-id": out.outputs["deployment_id"],
                "state": "success"},
        clone=False,
    )  # fmt: skip
    _ok(status)
    calls = fake.reset_requests()
    assert len(calls) == 5 and [c.method for c in calls].count("POST") == 1  # as the CLI's


def test_tampered_evidence_is_one_error_naming_evidence_even_for_break_glass(fakegithub, action):
    fake = fakegithub
    (tag,) = releases(fake, action, 1)
    _policy(fake)
    asset = next(a for a in fake.release_by_tag(tag).assets if a.name == "SHA256SUMS")
    asset.data = asset.data.replace(b"0", b"1", 1)
    fake.reset_requests()
    refused = _run(action, "promote", version=tag, environment="production", emergency="true",
                   reason="outage")  # fmt: skip
    assert refused.code != 0
    assert _commands(refused) == _errors(refused)
    (error,) = _errors(refused)
    assert "promotion refused by rule `evidence`" in error, error
    assert _writes(fake) == [] and fake.issues == {} and fake.deployments == {}
