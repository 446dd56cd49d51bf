"""The Action's dry run fails where the real run fails, a finished re-run writes nothing, and
an input that contradicts the config is an error (issue #12 items 5, 9, 16; settings → plan)."""

from __future__ import annotations

import contextlib
import io
import typing
from datetime import UTC, datetime

import pytest

from releaser import apply as apply_mod
from releaser.actions import Runner
from releaser.cli import main as cli_main
from releaser.flow import decide
from releaser.run_state import Run
from releaser.settings import from_env
from releaser.steps import Step
from tests.action_util import ActionRunner
from tests.test_action_e2e import open_release_prs, seed

MISSING = {
    ".github/releaser.yml": "# releaser\nversion-files:\n  - VERSION\n  - nonexistent.toml\n"
}


@pytest.fixture
def action(fakegithub, tmp_path):
    return ActionRunner(fakegithub, tmp_path)


def writes(fake) -> list:
    return [(c.method, c.path) for c in fake.reset_requests() if c.method != "GET"]


def test_redelivered_closed_event_of_a_published_pr_writes_nothing(fakegithub, action):
    """GitHub re-delivers the webhook as it was sent: its labels predate the publish."""
    fake = fakegithub
    seed(fake)
    assert action.run("push").code == 0
    (pr,) = open_release_prs(fake)
    fake.merge_pull(pr.number)
    event = action.merged_event(pr.number)  # labels: releaser: pending
    assert action.run("pull_request.closed", event=event).code == 0
    assert fake.pulls[pr.number].labels == ["releaser: released"]
    fake.reset_requests()
    again = action.run("pull_request.closed", event=event)
    assert again.code == 0, again.stdout
    assert writes(fake) == []
    assert fake.pulls[pr.number].labels == ["releaser: released"]


@pytest.mark.parametrize("depth", [None, 1], ids=["local", "api"])
def test_plan_command_fails_like_the_real_run_on_a_missing_version_file(fakegithub, action, depth):
    fake = fakegithub
    seed(fake)
    fake.commit("main", "chore: cfg", MISSING)
    fake.reset_requests()
    dry = action.run("push", inputs={"command": "plan"}, depth=depth)
    assert writes(fake) == []
    real = action.run("push", depth=depth)
    assert writes(fake) == []
    assert real.code == dry.code == 2, dry.stdout
    (error,) = [line for line in real.stdout.splitlines() if line.startswith("::error")]
    assert error.startswith("::error file=.github/releaser.yml,line=4::"), error
    assert "nonexistent.toml" in error
    assert error in dry.stdout.splitlines()


def test_cli_plan_fails_on_a_missing_version_file(repo):
    repo.commit("chore: init", {"VERSION": "1.0.0\n", **MISSING})
    repo.tag("v1.0.0")
    repo.commit("feat: more")
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = cli_main(["plan", "--repo", str(repo.path)])
    assert code == 2, err.getvalue()
    assert "nonexistent.toml" in err.getvalue() and ".github/releaser.yml:4" in err.getvalue()


@pytest.mark.parametrize(
    "config, given, code",
    [
        ("fail-on-missing-evidence: true\n", "false", 2),
        ("fail-on-missing-evidence: false\n", "true", 2),
        ("fail-on-missing-evidence: true\n", "true", 0),
        ("fail-on-missing-evidence: true\n", None, 0),
        ("{}\n", "true", 0),
    ],
    ids=["input-false-config-true", "input-true-config-false", "agree", "unset", "no-key"],
)
def test_an_explicit_input_that_contradicts_the_config_is_an_error(
    fakegithub, action, config, given, code
):
    fake = fakegithub
    seed(fake)
    fake.commit("main", "chore: cfg", {".github/releaser.yml": config})
    inputs = {"command": "plan"}
    if given is not None:
        inputs["fail-on-missing-evidence"] = given
    result = action.run("push", inputs=inputs)
    assert result.code == code, result.stdout
    errors = [line for line in result.stdout.splitlines() if line.startswith("::error")]
    if code:
        (error,) = errors
        assert "fail-on-missing-evidence" in error and "conflicts" in error, error
    else:
        assert errors == []


def test_plan_summary_says_what_would_be_written_with_the_notes(fakegithub, action):
    fake = fakegithub
    seed(fake)
    dry = action.run("push", inputs={"command": "plan"})
    assert dry.code == 0, dry.stdout
    assert "Release PR would open: chore(main): release 1.1.0" in dry.summary, dry.summary
    assert "add widgets" in dry.summary  # the notes the PR would carry
    assert action.run("push").code == 0
    fake.commit("main", "fix: later", {"src/b.py": "B = 1\n"})
    again = action.run("push", inputs={"command": "plan"})
    (pr,) = open_release_prs(fake)
    assert f"Release PR #{pr.number} would update: chore(main): release 1.1.0" in again.summary
    assert "later" in again.summary


def _decide(action, env):
    """The run's mode and Proposal, in process, as the entry point would compute them."""
    runner = Runner(env, out=io.StringIO())
    settings = from_env(env, datetime.now(UTC))
    return decide(Run(settings, runner, action.fake.token, (action.fake.token,)))


def test_a_finished_publish_plans_nothing_and_reads_its_outputs(fakegithub, action):
    """A re-delivered closed event of a published release PR: the Plan itself is empty."""
    fake = fakegithub
    seed(fake)
    assert action.run("push").code == 0
    (pr,) = open_release_prs(fake)
    fake.merge_pull(pr.number)
    event = action.merged_event(pr.number)
    assert action.run("pull_request.closed", event=event).code == 0
    fake.reset_requests()
    decision = _decide(action, action.environment("pull_request.closed", event=event))
    assert decision.mode == "publish-event"
    assert decision.proposal.plan.steps == ()
    assert [p.tag for p in decision.proposal.plan.published] == ["v1.1.0"]
    assert writes(fake) == []


def test_plan_command_shows_the_publish_steps_of_a_merged_release_pr(fakegithub, action):
    fake = fakegithub
    seed(fake)
    assert action.run("push").code == 0
    (pr,) = open_release_prs(fake)
    sha = fake.merge_pull(pr.number)
    fake.reset_requests()
    dry = action.run("push", inputs={"command": "plan"})
    assert dry.code == 0, dry.stdout + dry.stderr
    assert writes(fake) == []
    n = pr.number
    for line in (
        f"- would tag v1.1.0 at `{sha[:12]}` (release PR #{n})",
        "- would draft the release v1.1.0 with these notes:",
        "- would upload the release evidence to the draft of v1.1.0",
        "- would publish v1.1.0",
        f"- would comment on #{n}: Released v1.1.0.",
        f"- would label #{n} `releaser: released`",
        f"- would remove the label `releaser: pending` from #{n}",
    ):
        assert line in dry.summary.splitlines(), (line, dry.summary)
        assert line in dry.stdout.splitlines(), (line, dry.stdout)
    assert "add widgets" in dry.summary  # the notes the release would carry
    assert action.run("push").code == 0  # the real run does it
    assert fake.tags()["v1.1.0"] == sha
    again = action.run("push", inputs={"command": "plan"})
    assert "- Nothing would be written." in again.summary.splitlines(), again.summary


def test_every_step_kind_has_its_apply_function():
    assert set(typing.get_args(Step)) == apply_mod.kinds()
