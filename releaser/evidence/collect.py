"""Gather one release's evidence at publish time: GitHub facts plus the workspace's files.

Everything read from GitHub goes through releaser.github; the files come from the evidence
inputs (globs in the workspace). The result feeds releaser.evidence.assets.build_assets.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from releaser import __version__
from releaser.domain.evidence import (
    Artifact,
    Commit,
    EvidenceFacts,
    Note,
    PreviousRelease,
    RequiredCheck,
    RunInfo,
    Sbom,
)
from releaser.domain.evidence_intoto import download_url, notes_digest
from releaser.domain.evidence_json import EVIDENCE_JSON
from releaser.domain.release_pr import PlannedRelease
from releaser.errors import EvidenceError
from releaser.evidence.assets import Asset, build_assets, footer_for, generated_sbom
from releaser.evidence.changes import attribute
from releaser.evidence.files import artifacts_from, check_patterns, resolve_globs
from releaser.evidence.junit import JUnitResults, collect_junit
from releaser.evidence.sbom import sbom_name, validate_sbom
from releaser.github import GitHub, ReleaseInfo
from releaser.leaks import refuse_leaks
from releaser.paths import PathRefused

if TYPE_CHECKING:  # loaded for model releases only
    from releaser.models.release import ModelRelease

IMMUTABLE_WARNING = {
    False: "off: anyone who can edit releases can replace these assets after publishing;"
    " turn it on in Settings > General > Releases",
    None: "the token cannot read the setting; the assets may be replaceable",
}


def split_globs(text: str) -> tuple[str, ...]:
    """An input holding globs, one per line or separated by commas."""
    return tuple(p.strip() for line in text.splitlines() for p in line.split(",") if p.strip())


@dataclass(frozen=True, slots=True)
class EvidenceSettings:
    workspace: Path
    server_url: str
    repository: str
    target: str
    run: RunInfo  # its time is replaced by the release's creation time
    test_results: tuple[str, ...] = ()
    artifacts: tuple[str, ...] = ()
    sboms: tuple[str, ...] = ()
    required_checks: tuple[RequiredCheck, ...] = ()
    fail_on_missing: bool = False
    run_id: str = ""  # check runs of this very run are not evidence for it
    # (base, head, path) -> shas touching path, from a local clone; None: ask the API per commit
    touching: Callable[[str | None, str, str], frozenset[str] | None] | None = None
    secrets: tuple[str, ...] = ()  # no asset may carry these (the token, in any form)
    # From a local clone that holds them (no request), None otherwise: ask the API.
    tree_of: Callable[[str], str | None] | None = None  # commit -> its tree
    tag_commit: Callable[[str], str | None] | None = None  # tag -> its commit


def run_info(env: Mapping[str, str], server_url: str, repository: str, now: str) -> RunInfo:
    run_id = env.get("GITHUB_RUN_ID", "")
    attempt = env.get("GITHUB_RUN_ATTEMPT", "1") or "1"
    url = f"{server_url.rstrip('/')}/{repository}/actions/runs/{run_id}" if run_id else ""
    if url:
        url += f"/attempts/{attempt}"
    return RunInfo(
        workflow_ref=env.get("GITHUB_WORKFLOW_REF", ""),
        run_id=run_id,
        run_attempt=attempt,
        run_url=url,
        actor=env.get("GITHUB_ACTOR", ""),
        releaser_version=__version__,
        time=now,
    )


def _in_path(gh: GitHub, sha: str, path: str) -> bool:
    prefix = path.strip("/") + "/"
    return any(f.startswith(prefix) for f in gh.commit_files(sha))


@dataclass(frozen=True, slots=True)
class FileEvidence:
    """What the evidence inputs hold, read and checked once, before the tag exists."""

    junit: JUnitResults
    artifacts: tuple[Artifact, ...]
    sboms: tuple[Sbom, ...]
    paths: Mapping[str, Path]  # the files to upload, by asset name
    skipped: tuple[Note, ...]
    warnings: tuple[Note, ...]


def _files(settings: EvidenceSettings, warn: Callable[[str], None]) -> FileEvidence:
    """Read and check every evidence input; every note is also reported through `warn`."""
    ws, strict = settings.workspace, settings.fail_on_missing
    root = ws.resolve()
    junit = collect_junit(ws, settings.test_results, fail_on_missing=strict)
    found = resolve_globs(ws, settings.artifacts, fail_on_missing=strict)
    artifacts = artifacts_from(found.files, root)
    paths = {p.name: p for p in found.files}
    sbom_files = resolve_globs(ws, settings.sboms, fail_on_missing=strict)
    skipped = [*found.skipped, *sbom_files.skipped]
    sboms = []
    for path in sbom_files.files:
        try:
            sboms.append(validate_sbom(path, root=root))
            paths[path.name] = path
        except (EvidenceError, PathRefused) as exc:
            if strict:
                raise
            skipped.append(Note(path.relative_to(root).as_posix(), str(exc)))
    warnings = [*junit.warnings, *found.warnings, *sbom_files.warnings]
    if strict and (skipped or junit.rejected):
        first = [*skipped, *junit.rejected][0]
        raise EvidenceError(f"evidence: {first.item}: {first.reason}")
    for note in [*warnings, *skipped, *junit.rejected]:
        warn(f"evidence: {note.item}: {note.reason}")
    return FileEvidence(junit, artifacts, tuple(sboms), paths, tuple(skipped), tuple(warnings))


def preflight(
    settings: EvidenceSettings, warn: Callable[[str], None] = lambda _: None
) -> FileEvidence:
    """Read, parse and check the evidence inputs (JUnit, artifacts, SBOMs) before anything is
    public: the tag and the draft come next. Patterns outside the workspace are refused always,
    an artifact or SBOM holding the token always; a bad input is refused with
    fail-on-missing-evidence, else skipped with a warning; nothing about it can fail later."""
    check_patterns((*settings.test_results, *settings.artifacts, *settings.sboms))
    found = _files(settings, warn)
    if settings.secrets:
        root = settings.workspace.resolve()
        uploads = [Asset(n, "", "", path=p, root=root) for n, p in found.paths.items()]
        refuse_leaks(uploads, settings.secrets)
    return found


@dataclass(frozen=True, slots=True)
class Gathered:
    """One release's facts as read before its tag and draft exist (the run's own time)."""

    facts: EvidenceFacts
    paths: Mapping[str, Path]


def gather(
    gh: GitHub,
    settings: EvidenceSettings,
    planned: PlannedRelease,
    sha: str,
    warn: Callable[[str], None] = lambda _: None,
    files: FileEvidence | None = None,
    tags: Mapping[str, str] | None = None,
) -> Gathered:
    """Every GitHub fact of one release, read once: the PRs, reviews, checks... need the merge
    commit and the previous tag only, so they can be judged before anything is written.
    `tags` holds the tags this run is about to create (tag -> sha), earlier in its order."""
    server = settings.server_url.rstrip("/")
    previous = None
    base = None
    if planned.previous_tag:
        prev = planned.previous_tag
        base = (
            (tags or {}).get(prev)
            or (settings.tag_commit and settings.tag_commit(prev))
            or gh.ref_sha(f"tags/{prev}")
        )
        if base is None:
            warn(f"evidence: previous tag {planned.previous_tag} is not on GitHub")
        else:
            url = f"{server}/{settings.repository}/releases/tag/{planned.previous_tag}"
            previous = PreviousRelease(planned.previous_tag, base, url)
    history = gh.history(base, sha)
    if planned.path not in ("", "."):
        local = settings.touching(base, sha, planned.path) if settings.touching else None
        if local is not None:
            history = [(c, login) for c, login in history if c.sha in local]
        else:
            history = [(c, login) for c, login in history if _in_path(gh, c.sha, planned.path)]
    raw = [c for c, _ in history]
    prs, direct = attribute(gh, raw, settings.target)
    checks, own, unreadable = gh.checks(sha, settings.run_id)
    for what in unreadable:
        warn(f"evidence: cannot read {what}")
    found = files if files is not None else _files(settings, warn)
    junit, artifacts, sboms = found.junit, found.artifacts, found.sboms
    paths, skipped, warnings = dict(found.paths), found.skipped, found.warnings
    immutable = gh.immutable_releases()
    if immutable is not True:
        why = IMMUTABLE_WARNING[immutable]
        warn(f"evidence: immutable releases: {why}")
        warnings += (Note("immutable releases", why),)
    skipped += tuple(Note(f"check run {name}", "the run publishing this release") for name in own)
    skipped += tuple(Note(what, "the token may not read them") for what in unreadable)
    facts = EvidenceFacts(
        repository=settings.repository,
        server_url=server,
        sha=sha,
        tree_sha=(settings.tree_of and settings.tree_of(sha)) or gh.commit_tree(sha),
        version=planned.version,
        tag=planned.tag,
        run=settings.run,
        component=planned.component,
        previous=previous,
        compare_url=f"{server}/{settings.repository}/compare/{base}...{sha}" if base else "",
        notes_sha256=notes_digest(planned.notes),
        commits=tuple(
            Commit(c.sha, c.message.split("\n", 1)[0], c.author, login) for c, login in history
        ),
        pull_requests=prs,
        direct_pushes=direct,
        checks=tuple(checks),
        required_checks=settings.required_checks,
        tests=junit.summaries,
        rejected_tests=junit.rejected,
        artifacts=artifacts,
        sboms=sboms,
        skipped=skipped,
        warnings=warnings,
        immutable_releases=immutable,
    )
    return Gathered(facts, paths)


def collect(
    gh: GitHub,
    settings: EvidenceSettings,
    planned: PlannedRelease,
    sha: str,
    release: ReleaseInfo,
    warn: Callable[[str], None] = lambda _: None,
    files: FileEvidence | None = None,
    gathered: Gathered | None = None,
    model: ModelRelease | None = None,
) -> tuple[EvidenceFacts, dict[str, Path], dict[str, bytes]]:
    """The facts, the on-disk files named in them, and in-memory ones (a generated SBOM).
    `files` is the preflight's reading of the evidence inputs (read now when None);
    `gathered` what `gather` read before the tag (read now when None); `model` a model
    component's release, checked before the tag (publish_checks.check_model_release)."""
    if gathered is None:
        gathered = gather(gh, settings, planned, sha, warn, files)
    paths = dict(gathered.paths)
    # The draft's creation time: a re-run after a failure renders the very same evidence.
    run = replace(settings.run, time=release.created_at or settings.run.time)
    facts = replace(gathered.facts, run=run, notes_sha256=notes_digest(planned.notes))
    server, sboms, artifacts = facts.server_url, facts.sboms, facts.artifacts
    data: dict[str, bytes] = {}
    if model is not None:  # model-manifest.json, the model statement, the evidence's section
        from releaser.models.release import model_evidence  # loaded for model releases only

        section, model_files = model_evidence(model, sha)
        facts = replace(facts, model=section)
        data.update(model_files)
    # A model release's card is in the SBOM releaser generates, beside any supplied ones.
    taken = any(s.name == sbom_name(facts.name, planned.version) for s in sboms)
    if model is not None and taken:
        warn(
            f"evidence: a supplied SBOM is named {sbom_name(facts.name, planned.version)}:"
            " the model card is not added to it"
        )
    if not sboms or (model is not None and not taken):
        repo_url = f"{server}/{settings.repository}"
        manifest = None if model is None else model.manifest
        fact, sbom = generated_sbom(
            facts.name, planned.version, repo_url, sha, artifacts, run.time, manifest
        )
        facts = replace(facts, sboms=(*sboms, fact))
        data[fact.name] = sbom
    return facts, paths, data


def evidence_assets(
    gh: GitHub,
    settings: EvidenceSettings,
    planned: PlannedRelease,
    sha: str,
    release: ReleaseInfo,
    warn: Callable[[str], None] = lambda _: None,
    files: FileEvidence | None = None,
    gathered: Gathered | None = None,
    model: ModelRelease | None = None,
) -> tuple[Sequence[Asset], str, str]:
    """The publish hook: (assets in upload order, notes footer, evidence JSON download URL)."""
    facts, paths, data = collect(gh, settings, planned, sha, release, warn, files, gathered, model)
    assets = build_assets(facts, paths, data, settings.workspace.resolve())
    url = download_url(facts.repository_url, planned.tag, EVIDENCE_JSON)
    return assets, footer_for(facts, assets), url
