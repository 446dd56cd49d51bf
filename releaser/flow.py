"""One Action run: read the state once, plan the steps of its mode, then apply them.

The mode (modes.MODES) picks one function of PLANS; each gets the run's frozen Settings and
the one GitHub client, reads what it needs and returns a Proposal: the frozen Plan of steps
(releaser.steps) and what the summary says. `command: plan` stops there; every other mode hands
the Plan to releaser.apply. Nothing here reads the environment or the clock.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from releaser.api_history import ApiHistory
from releaser.apply import apply
from releaser.domain.policy_check import Finding
from releaser.engine import EnginePlan, History, plan_warnings
from releaser.engine import plan as plan_releases
from releaser.errors import ConfigError
from releaser.github import GitHub, pull_info
from releaser.modes import mode_for
from releaser.publish import (
    Published,
    read_marker,
    release_branches,
    unpublished,
)
from releaser.publish_flow import mirror, publish_plan
from releaser.release_pr_flow import PrResult, plan_release_prs
from releaser.run_state import Run, RunState
from releaser.steps import Plan
from releaser.workspace import LoadedConfig, load_config, local_clone

if TYPE_CHECKING:  # loaded for model releases only
    from releaser.domain.model_tables import ModelResult


@dataclass(slots=True)
class Outcome:
    published: list[Published] = field(default_factory=list)
    prs: list[PrResult] = field(default_factory=list)
    planned: EnginePlan | None = None
    pending: list = field(default_factory=list)  # (PR, marker) a real run would publish first
    findings: list[Finding] = field(default_factory=list)  # policies failed by what was published
    plan: Plan | None = None  # `command: plan`: the steps a real run would take (none taken)


@dataclass(slots=True)
class Proposal:
    """What a mode function decided, before any write: the Plan, and what the summary says."""

    plan: Plan = field(default_factory=Plan)
    planned: EnginePlan | None = None
    pending: list = field(default_factory=list)
    judge: Callable[[], list[Finding]] = list  # policies, once the evidence is gathered


@dataclass(frozen=True, slots=True)
class Decision:
    """The run's mode and its Proposal, read from one snapshot; nothing written yet."""

    mode: str
    proposal: Proposal
    state: RunState


def decide(run: Run) -> Decision:
    s = run.settings
    gh = GitHub(
        run.token, s.api_url, s.repository, write_interval=s.write_interval, timing=s.timing
    )
    loaded = load_config(s, gh)
    for warning in loaded.config.warnings:  # what release-please's config holds that did not map
        run.runner.warning(warning)
    with _located(loaded):
        s.fail_on_missing_evidence(loaded.config)  # an input the config contradicts: refuse
        target = (
            s.target_branch
            or (s.event.get("repository") or {}).get("default_branch")
            or gh.default_branch()
        )
        mode = mode_for(s, target, loaded.config.labels)
        if mode.warning:
            run.runner.warning(mode.warning)
        # A run on the target branch itself (GITHUB_REF) needs no look: GitHub started it there.
        on_target = s.ref == f"refs/heads/{target}"
        if s.target_branch and mode.name != "idle" and not on_target:
            if gh.ref_sha(f"heads/{target}") is None:
                raise ConfigError(f"target-branch {target!r} is not a branch of {s.repository}")
        state = RunState(run, gh, loaded, target, functools.cache(lambda: local_clone(s)))
        return Decision(mode.name, PLANS[mode.name](state), state)


def execute(run: Run) -> Outcome:
    """Decide, then (unless `command: plan`) apply the plan."""
    decision = decide(run)
    proposal, state = decision.proposal, decision.state
    plan = proposal.plan
    if decision.mode == "plan":
        return Outcome([], list(plan.prs), proposal.planned, proposal.pending, plan=plan)
    with _located(state.loaded):
        done = apply(plan, state.gh, run.secrets, mirror(state))
    return Outcome(done.published, done.prs, proposal.planned, proposal.pending, proposal.judge())


@contextlib.contextmanager
def _located(loaded: LoadedConfig) -> Iterator[None]:
    """A ConfigError about a config key points at its line in the config file."""
    try:
        yield
    except ConfigError as exc:
        if getattr(exc, "key", None):
            loaded.locate(exc)
        raise


def _idle(state: RunState) -> Proposal:
    return Proposal()


def _publish_event(state: RunState) -> Proposal:
    pr = pull_info(state.run.settings.event["pull_request"])
    return _publish(state, [(pr, read_marker(pr, state.config))], _releases(state))


def _publish_merged(state: RunState) -> Proposal:
    releases = _releases(state)
    return _publish(state, _unpublished(state, {}, releases), releases)


def _push(state: RunState, dry_run: bool = False) -> Proposal:
    # One reading of the state for both: the release PR is planned as if what this run
    # publishes were out, so a merged but unpublished release is not proposed a second time.
    known: dict[str, str] = {}
    releases = _releases(state)
    candidates = _unpublished(state, known, releases)
    out = _publish(state, candidates, releases)
    if dry_run:
        out.pending = candidates
    for pr, marker in candidates:
        known.update({r.tag: pr.merge_commit_sha for r in marker.releases})
    if not _other_branch(state, warn=True):
        out.planned, prs = _release_prs(state, known)
        out.plan += prs
    return out


def _release_pr(state: RunState) -> Proposal:
    known: dict[str, str] = {}
    out = Proposal(pending=_unpublished(state, known, _releases(state)))
    for pr, marker in out.pending:
        known.update({r.tag: pr.merge_commit_sha for r in marker.releases})
    if not _other_branch(state, warn=True):
        out.planned, out.plan = _release_prs(state, known)
    return out


def _plan(state: RunState) -> Proposal:
    """What `auto` on a push would write: publishing what was merged, then the release PR."""
    return _push(state, dry_run=True)


# mode -> plan function: a new mode is one row in modes.MODES and one function here.
PLANS: dict[str, Callable[[RunState], Proposal]] = {
    "idle": _idle,
    "publish-event": _publish_event,
    "publish": _publish_merged,
    "push": _push,
    "release-pr": _release_pr,
    "plan": _plan,
}


def _publish(state: RunState, candidates: list, releases: Callable[[], list]) -> Proposal:
    plan, judged = publish_plan(state, candidates, releases)
    return Proposal(plan, judge=judged)


def _releases(state: RunState) -> Callable[[], list]:
    """The releases list, read at most once and only when a step needs it."""
    return functools.cache(state.gh.releases)


def _unpublished(state: RunState, known: dict[str, str], releases: Callable[[], list]):
    config = state.config
    components = tuple(c.policy.name for c in config.components)
    branches = release_branches(state.target, components, config.separate_pull_requests)
    return unpublished(state.gh, state.target, branches, releases, known, config)


def _other_branch(state: RunState, warn: bool) -> str:
    """The ref a push or a manual/scheduled run is on, when it is not the target branch.

    A release PR is built from the target's history only: a run on another branch (a push
    without a branch filter, workflow_dispatch from a feature branch) must not put that
    branch's commits into it.
    """
    s = state.run.settings
    if not s.ref.startswith("refs/heads/") or s.event_name.startswith("pull_request"):
        return ""
    if s.ref == f"refs/heads/{state.target}":
        return ""
    if warn:
        state.run.runner.warning(
            f"{s.ref} is not the target branch {state.target}: the release PR is left alone"
        )
    return s.ref


def _history(state: RunState, known: dict[str, str]) -> History:
    clone = state.local()
    if clone is not None:
        return clone.with_tags(known)
    s, config = state.run.settings, state.config
    head = s.sha or state.gh.ref_sha(f"heads/{state.target}")
    if head is None:
        raise ConfigError(f"target-branch {state.target!r} is not a branch of {s.repository}")
    prefixes = tuple(c.policy.tag_prefix for c in config.components)
    return ApiHistory(state.gh, head, prefixes, known)


def _release_prs(state: RunState, known: dict[str, str]) -> tuple[EnginePlan, Plan]:
    s, config = state.run.settings, state.config
    history = _history(state, known)
    # The runner names the server; the clone's origin may be a mirror or a local path.
    repo_url = config.repository_url or f"{s.server_url}/{s.repository}"
    result = plan_releases(history, config, s.now.date(), repo_url)
    from releaser.release_please import manifest_warnings

    for warning in (*plan_warnings(result), *manifest_warnings(config, result)):
        state.run.runner.warning(warning)
    models = model_results(result)
    for tag, model in models.items():  # reported; the check run is what blocks the merge
        if any(not g.passed for g in model.gates):
            from releaser.domain.model_tables import CHECK_NAME

            state.run.runner.warning(
                f"{tag}: model gates failed; the {CHECK_NAME} check run on the release PR's"
                " head says which"
            )
    prs = plan_release_prs(state.gh, config, state.target, history, result.releases, models)
    return result, prs


def model_results(result: EnginePlan) -> dict[str, ModelResult]:
    """Each model release's result (its changes and gate results), by tag, for the release
    PR's tables and its releaser/model-gates check run (the engine's Release.model, #13).
    The Action's engine plans each model whole, in-process: the printed form (PlannedModel)
    is only ever made for `releaser plan`, and has no tables to give."""
    from releaser.domain.model_view import PlannedModel

    out: dict[str, ModelResult] = {}
    for r in result.releases:
        if r.tag and r.version and r.model is not None:
            if isinstance(r.model, PlannedModel):  # never silently a release PR without gates
                raise AssertionError(f"{r.tag}: a model's printed plan where its whole plan is due")
            out[r.tag] = r.model
    return out
