"""The publish path: every check before the first write, then the publish steps of each
merged release PR (releaser.publish.plan_publish) with their evidence recipes."""

from __future__ import annotations

import functools
from collections.abc import Callable

from releaser.domain.policy_check import Finding
from releaser.evidence.collect import EvidenceSettings, evidence_assets, gather, preflight
from releaser.policy_gate import judge
from releaser.publish import Snapshot, plan_publish
from releaser.publish_trust import check_merged_tree
from releaser.run_state import RunState
from releaser.steps import Plan


def publish_plan(
    state: RunState, candidates: list, releases: Callable[[], list]
) -> tuple[Plan, Callable[[], list[Finding]]]:
    """The publish steps of each merged release PR, oldest first, after every check."""
    gh = state.gh
    gathered, files, models = _checks_before_writes(state, candidates, releases)
    if not candidates:
        return Plan(), list
    settings = _evidence_settings(state)
    warn = state.run.runner.warning
    seen = [g.facts for g in gathered.values()]

    def recipe_for(planned, sha):
        def assets(release):
            found = gathered.get((sha, planned.tag))
            if found is None:
                found = gather(gh, settings, planned, sha, warn, files)
                seen.append(found.facts)
            model = models.get((sha, planned.tag))  # a model release's files and section
            return evidence_assets(gh, settings, planned, sha, release, warn, files, found, model)

        return assets

    snap = Snapshot(gh, releases, _tag_at(state))
    plan = Plan()
    for pr, marker in reversed(candidates):
        labels = state.config.labels
        plan += plan_publish(snap, pr, marker, recipe_for, labels, _tag_messages(models))

    def judged() -> list[Finding]:
        findings = judge(state.config.policies, seen)
        for finding in findings:
            warn(f"policy {finding.policy}: {finding.tag}: {finding.item}: {finding.why}")
        return findings

    return plan, judged


def _checks_before_writes(state: RunState, candidates: list, releases: Callable[[], list]):
    """Every refusal publishing can make, before its first write (and in `command: plan`):
    each marker against its merged files, a model's gates and immutability, the evidence
    inputs, and `fail` policies. Returns (the GitHub facts read for those policies, the
    evidence inputs as read, the checked model releases by (merge sha, tag))."""
    models: dict = {}
    s = state.run.settings
    for pr, marker in candidates:
        sha = pr.merge_commit_sha
        if sha:  # else plan_publish refuses it, before any write too
            check_merged_tree(pr, marker, state.config, _merged_files(state, sha))
            # Model components (#13): gates at the merge commit, no version re-released.
            if not any(c.model is not None for c in state.config.components):
                continue
            clone = state.local()
            plan_for = _model_plan(state, sha)
            from releaser.models.publish_flow import model_releases

            found = model_releases(
                state.gh, state.config, marker, sha, s.workspace, clone, s.run_id, plan_for
            )
            models.update(found)
    if not candidates:
        return {}, None, models
    settings = _evidence_settings(state)
    # The evidence inputs, read and checked once before the tag exists, reused per release.
    files = preflight(settings, state.run.runner.warning)
    policies = state.config.policies
    # With a `fail` policy the GitHub facts are read, and judged, before anything is written
    # (that needs the releases list); else each release's facts are read when its draft asks
    # for its evidence, and judged after publishing, at no extra request.
    if "fail" not in (policies.second_person_review, policies.required_checks):
        return {}, files, models
    gathered = _gather(state, settings, candidates, releases(), files)
    judge(policies, [g.facts for g in gathered.values()])  # refuses, or finds nothing
    return gathered, files, models


def _model_plan(state: RunState, sha: str) -> Callable | None:
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


def mirror(state: RunState) -> Callable[[str, str], None]:
    """Each tag this run makes, also in the workspace clone (when it holds the commit), where
    the next run in the same workspace looks for it and later steps of the job find it."""

    def mirror(tag: str, sha: str) -> None:
        clone = state.local()
        if clone is not None:
            clone.repo.add_tag(tag, sha)

    return mirror


def _tag_at(state: RunState) -> Callable[[str, str], str | None]:
    """(tag, merge sha) -> the tag's commit, from the clone (fetched with its tags) when it
    has one: a tag it lacks is created without a look (GitHub's "Reference already exists"
    falls back to one); one it holds elsewhere is looked up on GitHub before refusing."""
    clone = state.local()
    if clone is None:
        return lambda tag, sha: state.gh.ref_sha(f"tags/{tag}")
    local = functools.cache(clone.repo.all_tags)

    def at(tag: str, sha: str) -> str | None:
        found = local().get(tag)
        if found is None or found == sha:
            return found
        return state.gh.ref_sha(f"tags/{tag}")

    return at


def _gather(state: RunState, settings, candidates: list, releases: list, files) -> dict:
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


def _merged_files(state: RunState, sha: str):
    """Read files as a PR's merge commit `sha` has them: from the clone when it holds that
    commit (no request), else through the API (one request per file)."""
    clone = state.local()
    if clone is not None and clone.repo.is_ancestor(sha, sha):
        return lambda path: clone.repo.show(sha, path)
    return lambda path: state.gh.file_text(path, sha)


def _evidence_settings(state: RunState) -> EvidenceSettings:
    """The publish step's evidence inputs, from the settings and the config."""
    s = state.run.settings

    def touching(base: str | None, head: str, path: str):
        clone = state.local()
        return None if clone is None else clone.repo.shas_touching(base, head, path.strip("/"))

    def tree_of(sha: str) -> str | None:
        clone = state.local()
        if clone is None or not clone.repo.is_ancestor(sha, sha):  # the clone lacks it
            return None
        return clone.repo.tree_of(sha)

    def tag_commit(tag: str) -> str | None:
        clone = state.local()
        return None if clone is None else clone.repo.all_tags().get(tag)

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
        tree_of=tree_of,
        tag_commit=tag_commit,
    )


def _tag_messages(models: dict) -> dict[str, str]:
    """tag -> an annotated tag's message, for the model releases (none: no model module)."""
    if not models:
        return {}
    from releaser.models.publish_flow import tag_messages

    return tag_messages(models)
