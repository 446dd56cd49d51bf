"""What a promotion's App token may do: contents: write (GTO's stage tag) only when a model is
promoted or rolled back, decided from the version input and the config before the mint."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from releaser.github.permissions import permissions_for
from releaser.promote_action import pushes_stage_tag
from releaser.settings import from_env

CONFIG = """components:
  - {name: churn, path: models/churn, type: model}
  - {name: ranker, path: models/ranker, tag-prefix: "ranker@v"}
  - {name: api, path: services/api}
  - {name: odd, path: models/odd, type: model, tag-prefix: "odd-v"}
"""


def test_the_stage_tag_step_adds_contents_write_to_promote_and_rollback_only():
    code = {"actions": "read", "contents": "read", "deployments": "write"}
    model = {**code, "contents": "write"}
    assert permissions_for("promote") == code
    assert permissions_for("rollback") == code
    assert permissions_for("promote", stage_tag=True) == model
    assert permissions_for("rollback", stage_tag=True) == model
    assert permissions_for("promote", break_glass=True, stage_tag=True) == {
        **model,
        "issues": "write",
    }
    assert permissions_for("deployment-status", stage_tag=True) == {"deployments": "write"}
    assert permissions_for("plan", stage_tag=True) == permissions_for("plan")


@pytest.mark.parametrize(
    ("command", "inputs", "pushes"),
    [
        ("promote", {"version": "churn@v1.3.0"}, True),  # type: model
        ("promote", {"version": "churn@v1.3.0-rc.1"}, True),
        ("promote", {"version": "ranker@v2.0.0"}, True),  # GTO's tag form, as promote has it
        ("promote", {"version": "odd-v1.0.0"}, True),  # type: model with its own tag prefix
        ("promote", {"version": "api-v1.3.0"}, False),
        ("promote", {"version": "api@v1.3.0"}, False),  # a code component
        ("promote", {"version": "v1.3.0"}, False),
        ("promote", {"version": "churn@v1.3"}, False),  # no semver: no release of churn
        ("promote", {"version": "nobody@v1.3.0"}, False),  # not in the config
        ("promote", {"version": "churn"}, False),
        ("rollback", {"component": "churn"}, True),
        ("rollback", {"component": "ranker"}, True),
        ("rollback", {"component": "api"}, False),
        ("rollback", {}, False),  # the repository's root component
        ("deployment-status", {"deployment-id": "7", "state": "success"}, False),
    ],
)  # fmt: skip
def test_the_version_and_the_config_decide(tmp_path, command, inputs, pushes):
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "releaser.yml").write_text(CONFIG + "environments:\n  production: {}\n")
    env = {
        "GITHUB_REPOSITORY": "o/r",
        "GITHUB_API_URL": "http://127.0.0.1:9",  # never asked: the config is in the checkout
        "GITHUB_WORKSPACE": str(tmp_path),
        "INPUT_COMMAND": command,
        "INPUT_ENVIRONMENT": "production",
        **{f"INPUT_{k.upper()}": v for k, v in inputs.items()},
    }
    settings = from_env(env, datetime(2026, 1, 1, tzinfo=UTC))
    assert pushes_stage_tag(settings, "t") is pushes
