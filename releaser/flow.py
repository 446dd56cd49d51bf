"""One Action run: publish what was merged, then bring the release PR up to date.

The mode (modes.MODES) picks one function of PLANS; each gets the run's frozen Settings and
the one GitHub client, and nothing here reads the environment or the clock.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from releaser.actions import Runner
from releaser.api_history import ApiHistory
from releaser.domain.model_tables import CHECK_NAME, ModelResult
from releaser.domain.policy_check import Finding
from releaser.engine import EnginePlan, History, plan, plan_warnings
from releaser.errors import ConfigError
from releaser.evidence.collect import EvidenceSettings, evidence_assets, gather, preflight
from releaser.github import GitHub, pull_info
from releaser.models.publish_flow import model_releases, tag_messages
from releaser.modes import mode_for
from releaser.policy_gate import judge
from releaser.publish import Published, publish_pr, read_marker, release_branches, unpublished
from releaser.publish_trust import check_merged_tree
from releaser.release_pr_flow import PrResult, sync_release_prs
from releaser.settings import Settings
from releaser.workspace import LoadedConfig, load_config, local_clone


@dataclass(frozen=True, slots=True)
class Run:
    """What the edge hands down: the settings, where to say things, and the credentials."""

    settings: Settings
    runner: Runner
    token: str
    secrets: tuple[str, ...]  # every credential this run holds: no asset may carry one


@dataclass(slots=True)
class Outcome:
    published: list[Published] = field(default_factory=list)
    prs: list[PrResult] = field(default_factory=list)
    planned: EnginePlan | None = None
    pending: list = field(default_factory=list)  # (PR, marker) a real run would publish first
    findings: list[Finding] = field(default_factory=list)  # policies failed by what was published


@dataclass(frozen=True, slots=True)
class _State:
    """What every mode function reads: the run, the client, the config and the target."""

    run: Run
    gh: GitHub
    loaded: LoadedConfig
    target: str
    local: Callable  # () -> LocalHistory | None, inspected at most once

    @property
    def config(self):
        return self.loaded.config


def execute(run: Run) -> Outcome:
    s = run.settings
    gh = GitHub(
        run.token, s.api_url, s.repository, write_interval=s.write_interval, timing=s.timing
    )
    loaded = load_config(s, gh)
    for warning in loaded.config.warnings:  # what release-please's config holds that did not map
        run.runner.warning(warning)
    try:
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
        state = _State(run, gh, loaded, target, functools.cache(lambda: local_clone(s)))
        return PLANS[mode.name](state)
    except ConfigError as exc:
        if getattr(exc, "key", None):
            loaded.locate(exc)
        raise


def _idle(state: _State) -> Outcome:
    return Outcome()


def _publish_event(state: _State) -> Outcome:
    pr = pull_info(state.run.settings.event["pull_request"])
    return _publish(state, [(pr, read_marker(pr, state.config))], _releases(state))


def _publish_merged(state: _State) -> Outcome:
    releases = _releases(state)
    return _publish(state, _unpublished(state, {}, releases), releases)


def _push(state: _State) -> Outcome:
    known: dict[str, str] = {}
    releases = _releases(state)
    out = _publish(state, _unpublished(state, known, releases), releases)
    if not _other_branch(state, warn=True):
        known.update({p.tag: p.sha for p in out.published})
        out.planned, out.prs = _release_prs(state, known, dry_run=False)
    return out


def _release_pr(state: _State, dry_run: bool = False) -> Outcome:
    # What a real run would publish first: plan the release PR as if it had, so a merged
    # but unpublished release is not proposed a second time.
    known: dict[str, str] = {}
    out = Outcome(pending=_unpublished(state, known, _releases(state)))
    for pr, marker in out.pending:
        known.update({r.tag: pr.merge_commit_sha for r in marker.releases})
    if not _other_branch(state, warn=True):
        out.planned, out.prs = _release_prs(state, known, dry_run=dry_run)
    return out


def _plan(state: _State) -> Outcome:
    return _release_pr(state, dry_run=True)


# mode -> plan function: a new mode is one row in modes.MODES and one function here.
PLANS: dict[str, Callable[[_State], Outcome]] = {
    "idle": _idle,
    "publish-event": _publish_event,
    "publish": _publish_merged,
    "push": _push,
    "release-pr": _release_pr,
    "plan": _plan,
}


def _releases(state: _State) -> Callable[[], list]:
    """The releases list, read at most once and only when a step needs it."""
    return functools.cache(state.gh.releases)


def _unpublished(state: _State, known: dict[str, str], releases: Callable[[], list]):
    config = state.config
    components = tuple(c.policy.name for c in config.components)
    branches = release_branches(state.target, components, config.separate_pull_requests)
    return unpublished(state.gh, state.target, branches, releases, known, config)


def _publish(state: _State, candidates: list, releases: Callable[[], list]) -> Outcome:
    gh, out = state.gh, Outcome()
    models: dict = {}  # (merge sha, tag) -> ModelRelease, checked here (#13)
    # Before any write: each marker must say what its merged files say.
    for pr, marker in candidates:
        if pr.merge_commit_sha:  # else publish_pr refuses it, before any write too
            read = _merged_files(state, pr.merge_commit_sha)
            check_merged_tree(pr, marker, state.config, read)
            # Model components: gates at the merge commit, no version re-released (#13).
            s = state.run.settings
            clone = state.local()
            models.update(
                model_releases(
                    gh,
                    state.config,
                    marker,
                    pr.merge_commit_sha,
                    s.workspace,
                    clone,
                    s.run_id,
                    plan_for=_model_plan(state, pr.merge_commit_sha),
                )
            )
    if not candidates:
        return out
    settings = _evidence_settings(state)
    warn = state.run.runner.warning
    # The evidence inputs, read and checked once before the tag exists, reused per release.
    files = preflight(settings, warn)
    policies = state.config.policies
    strict = "fail" in (policies.second_person_review, policies.required_checks)
    # With a `fail` policy the GitHub facts are read, and judged, before anything is written
    # (that needs the releases list); else each release's facts are read when its draft asks
    # for its evidence, and judged after publishing, at no extra request.
    gathered = _gather(state, settings, candidates, releases(), files) if strict else {}
    if strict:
        judge(policies, [g.facts for g in gathered.values()])  # refuses, or finds nothing
    seen = [g.facts for g in gathered.values()]

    def assets(planned, sha, release):
        found = gathered.get((sha, planned.tag))
        if found is None:
            found = gather(gh, settings, planned, sha, warn, files)
            seen.append(found.facts)
        model = models.get((sha, planned.tag))  # a model release's files and section (#13)
        return evidence_assets(gh, settings, planned, sha, release, warn, files, found, model)

    labels = state.config.labels
    for pr, marker in reversed(candidates):
        out.published += publish_pr(
            gh,
            pr,
            marker,
            releases,
            assets,
            state.run.secrets,
            labels=labels,
            tag_messages=tag_messages(models),  # model tags are annotated (#13)
        )
    out.findings = judge(policies, seen)
    for finding in out.findings:
        warn(f"policy {finding.policy}: {finding.tag}: {finding.item}: {finding.why}")
    return out


def _model_plan(state: _State, sha: str) -> Callable | None:
    """planned release -> the engine's model plan at the merge commit `sha` (its changes, bump
    and flags, for the evidence), when the clone is checked out there; else None."""
    clone = state.local()
    if clone is None or clone.head() != sha:
        return None
    from releaser.domain.release import Tag
    from releaser.models.planning import plan_for

    components = {c.policy.name: c for c in state.config.components}
    tags = clone.repo.all_tags()

    def plan(planned):
        component = components[planned.component]
        previous = None
        name = planned.previous_tag
        version = component.policy.version_of(name) if name else None
        if name and version is not None and name in tags:
            previous = Tag(name, version, tags[name])
        return plan_for(clone.repo, state.run.settings.workspace, component, previous, previous)

    return plan


def _gather(state: _State, settings, candidates: list, releases: list, files) -> dict:
    """(merge sha, tag) -> the GitHub facts of each release this run will publish, read in the
    order it publishes them; a release already published gets no evidence, so no reads."""
    published = {r.tag_name for r in releases if not r.draft}
    tags: dict[str, str] = {}  # what this run tags before the release at hand
    out = {}
    for pr, marker in reversed(candidates):
        sha = pr.merge_commit_sha
        for planned in marker.releases:
            if sha and planned.tag not in published:
                warn = state.run.runner.warning
                out[sha, planned.tag] = gather(state.gh, settings, planned, sha, warn, files, tags)
            tags[planned.tag] = sha
    return out


def _merged_files(state: _State, sha: str):
    """Read files as a PR's merge commit `sha` has them: from the clone when it holds that
    commit (no request), else through the API (one request per file)."""
    clone = state.local()
    if clone is not None and clone.repo.is_ancestor(sha, sha):
        return lambda path: clone.repo.show(sha, path)
    return lambda path: state.gh.file_text(path, sha)


def _other_branch(state: _State, warn: bool) -> str:
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


def _evidence_settings(state: _State) -> EvidenceSettings:
    """The publish step's evidence inputs, from the settings and the config."""
    s = state.run.settings

    def touching(base: str | None, head: str, path: str):
        clone = state.local()
        return None if clone is None else clone.repo.shas_touching(base, head, path.strip("/"))

    return EvidenceSettings(
        workspace=s.workspace,
        server_url=s.server_url,
        repository=s.repository,
        target=state.target,
        run=s.run,
        test_results=s.test_results,
        artifacts=s.artifacts,
        sboms=s.sboms,
        required_checks=state.config.required_checks,
        fail_on_missing=s.fail_on_missing_evidence(state.config),
        run_id=s.run_id,
        touching=touching,
        secrets=state.run.secrets,
    )


def _history(state: _State, known: dict[str, str]) -> History:
    clone = state.local()
    if clone is not None:
        return clone.with_tags(known)
    s, config = state.run.settings, state.config
    head = s.sha or state.gh.ref_sha(f"heads/{state.target}")
    if head is None:
        raise ConfigError(f"target-branch {state.target!r} is not a branch of {s.repository}")
    prefixes = tuple(c.policy.tag_prefix for c in config.components)
    return ApiHistory(state.gh, head, prefixes, known)


def _release_prs(state: _State, known: dict[str, str], dry_run: bool):
    s, config = state.run.settings, state.config
    history = _history(state, known)
    # The runner names the server; the clone's origin may be a mirror or a local path.
    repo_url = config.repository_url or f"{s.server_url}/{s.repository}"
    result = plan(history, config, s.now.date(), repo_url)
    from releaser.release_please import manifest_warnings

    for warning in (*plan_warnings(result), *manifest_warnings(config, result)):
        state.run.runner.warning(warning)
    models = model_results(result)
    prs = sync_release_prs(
        state.gh, config, state.target, history, result.releases, dry_run=dry_run, models=models
    )
    for pr in prs:
        if pr.model_gates == "failure":  # reported; the check run is what blocks the merge
            state.run.runner.warning(
                f"release PR #{pr.number}: model gates failed; the {CHECK_NAME} check run on"
                " its head says which"
            )
    return result, prs


def model_results(result: EnginePlan) -> dict[str, ModelResult]:
    """Issue #13: each model release's result (its changes and gate results), by tag, for the
    release PR's tables and its releaser/model-gates check run (the engine's Release.model)."""
    out: dict[str, ModelResult] = {}
    for release in result.releases:
        if release.tag and release.version and release.model is not None:
            out[release.tag] = release.model
    return out
