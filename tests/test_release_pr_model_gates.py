"""The release PR of a model release against the fake GitHub: both tables in the body, and
one `releaser/model-gates` check run on the PR head that fails when a gate fails.

The model results are given to plan_release_prs directly (over what flow.model_results finds),
so each test chooses the gates' outcome; tests/test_action_model_plan.py runs the real thing.
"""

from __future__ import annotations

from datetime import date

import pytest

from releaser.api_history import ApiHistory
from releaser.apply import apply
from releaser.config import from_dict
from releaser.domain.bump import Bump
from releaser.domain.model_bump import Change
from releaser.domain.model_gates import GateResult
from releaser.domain.model_tables import CHECK_NAME, ModelTables, check_output
from releaser.domain.release_pr import parse_body
from releaser.engine import plan
from releaser.flow import model_results
from releaser.github import GitHub
from releaser.release_pr_flow import gates_check, plan_release_prs
from releaser.steps import CheckRun, Plan

TAG = "churn@v1.1.0"
CONFIG = from_dict(
    {"components": [{"name": "churn", "path": "models/churn", "tag-prefix": "churn@v"}]}
)


def _model(latency: float) -> ModelTables:
    return ModelTables(
        (Change("retrained", "artifact", "a" * 64, "b" * 64, Bump.PATCH),),
        (
            GateResult("auc >= 0.85", "auc", 0.91, 0.85, None, True, "declared"),
            GateResult("latency <= 100", "latency", latency, 100, None, latency <= 100, "ci"),
        ),
    )


FAILING, PASSING = _model(150), _model(40)


@pytest.fixture
def fake(fakegithub):
    fakegithub.commit("main", "chore: init", {"models/churn/model.yaml": "name: churn\n"})
    fakegithub.tag("churn@v1.0.0")
    fakegithub.commit("main", "feat: retrain on June data", {"models/churn/w.bin": "2\n"})
    return fakegithub


def _sync(fake, models, dry_run=False):
    """Plan the release PR with these model results; apply it unless a dry run. Returns the PR
    result (None for a dry run) and the plan."""
    gh = GitHub(fake.token, fake.api_url, fake.full_name, write_interval=0)
    history = ApiHistory(gh, fake.ref_sha("refs/heads/main"), ("churn@v",))
    result = plan(history, CONFIG, date(2024, 6, 1), None)
    found = {**model_results(result), **models}
    steps = plan_release_prs(gh, CONFIG, "main", history, result.releases, found)
    if dry_run:
        return None, steps
    (pr,) = apply(steps, gh).prs
    return pr, steps


def _conclusions(fake, number):
    return [r.conclusion for r in _runs(fake, _head(fake, number))]


def _runs(fake, sha):
    return [c for c in fake.state.check_runs if c.head_sha == sha and c.name == CHECK_NAME]


def _writes(fake):
    return [(c.method, c.path) for c in fake.calls if c.method != "GET"]


def _head(fake, number):
    return fake.ref_sha(f"refs/heads/{fake.pulls[number].head}")


def test_a_failing_gate_fails_the_check_run_on_the_pr_head(fake):
    pr, _ = _sync(fake, {TAG: FAILING})
    assert pr.created and _conclusions(fake, pr.number) == ["failure"]
    body = fake.pulls[pr.number].body
    assert "| Rule | Field | Old → new | Bump |" in body
    assert "| ❌ fail | latency <= 100 | latency | 150 | 100 | — | ci |" in body
    assert [r.tag for r in parse_body(body).releases] == [TAG]
    (run,) = _runs(fake, _head(fake, pr.number))
    assert (run.status, run.conclusion) == ("completed", "failure")
    assert (run.conclusion, run.title, run.summary) == check_output({TAG: FAILING})


def test_a_rerun_with_the_same_results_writes_nothing(fake):
    _sync(fake, {TAG: FAILING})
    fake.reset_requests()
    pr, steps = _sync(fake, {TAG: FAILING})
    assert not pr.changed and steps.steps == ()  # a finished state plans nothing
    assert _writes(fake) == [] and _conclusions(fake, pr.number) == ["failure"]


def test_gates_that_pass_now_update_the_body_and_pass_on_the_new_head(fake):
    _sync(fake, {TAG: FAILING})
    pr, _ = _sync(fake, {TAG: PASSING})  # no new commit: a metrics-file or a check moved
    assert pr.changed
    # The release commit is made again; within the same second it is the very same commit,
    # whose run is then updated in place: either way the head has one run, and it passes.
    assert [r.conclusion for r in _runs(fake, _head(fake, pr.number))] == ["success"]
    assert (
        "| ✅ pass | latency <= 100 | latency | 40 | 100 | — | ci |" in fake.pulls[pr.number].body
    )


def test_a_lost_check_run_is_written_again_without_touching_the_pr(fake):
    """A run that stopped between pushing the release branch and the check run."""
    first, _ = _sync(fake, {TAG: FAILING})
    fake.state.check_runs.clear()
    fake.reset_requests()
    pr, steps = _sync(fake, {TAG: FAILING})
    assert not pr.changed and [type(s) for s in steps.steps] == [CheckRun]
    assert [m for m, _ in _writes(fake)] == ["POST"]
    assert [r.conclusion for r in _runs(fake, _head(fake, first.number))] == ["failure"]


def test_a_dry_run_writes_no_check_run(fake):
    _, steps = _sync(fake, {TAG: FAILING}, dry_run=True)
    (check,) = [s for s in steps.steps if isinstance(s, CheckRun)]
    assert check.conclusion == "failure" and "would set the releaser/model-gates" in "".join(
        check.describe()
    )
    assert fake.state.check_runs == [] and _writes(fake) == []


def test_a_release_pr_without_a_model_has_no_check_run(fake):
    pr, steps = _sync(fake, {})
    assert pr.created and not any(isinstance(s, CheckRun) for s in steps.steps)
    assert fake.count(None, r"check-runs") == 0
    assert "Model release" not in fake.pulls[pr.number].body


def test_the_step_writes_one_check_run_over_every_model_release(fake):
    gh = GitHub(fake.token, fake.api_url, fake.full_name, write_interval=0)
    sha = fake.ref_sha("refs/heads/main")
    assert gates_check("b", sha, {}) is None
    step = gates_check("b", sha, {TAG: PASSING, "fraud@v2.0.0": FAILING})
    assert step is not None and step.conclusion == "failure"
    apply(Plan((step,)), gh)
    (run,) = _runs(fake, sha)
    assert run.title == "3 of 4 gates passed, 1 failed"
    assert run.summary.index(TAG) < run.summary.index("fraud@v2.0.0")
