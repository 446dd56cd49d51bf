"""Create or update the one release PR (or one per component) from the engine's plan."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from releaser.config import Component, Config
from releaser.domain.changelog import prepend_entry
from releaser.domain.notes_size import PULL_BODY_LIMIT, cap_notes
from releaser.domain.release import Release
from releaser.domain.release_pr import (
    NOTICE_ROOM,
    Marker,
    MarkerError,
    PlannedRelease,
    branch_name,
    digest_commits,
    keep_edits,
    notes_sha256,
    parse_body,
    plan_digest,
    render_body,
    render_title,
    replaced_edits,
)
from releaser.domain.updaters import UpdateError, updater_for
from releaser.errors import ConfigError
from releaser.github import GitHub, PullInfo
from releaser.publish import PENDING


@dataclass(frozen=True, slots=True)
class PrResult:
    number: int
    html_url: str
    branch: str
    title: str
    created: bool
    changed: bool
    closed: bool = False
    replaced_edits: tuple[str, ...] = ()  # tags whose edited notes were regenerated

    def as_json(self) -> dict:
        return {
            "number": self.number,
            "html_url": self.html_url,
            "branch": self.branch,
            "title": self.title,
            "created": self.created,
            "changed": self.changed,
            "closed": self.closed,
        }


ReadFile = Callable[[str], str | None]


def _groups(config: Config, releases: tuple[Release, ...]):
    """(component-or-None, releases) per PR: one PR unless separate-pull-requests."""
    if config.separate_pull_requests and config.monorepo:
        return [(r.component, (r,)) for r in releases]
    return [(None, releases)]


def file_changes(config: Config, releases: tuple[Release, ...], read: ReadFile) -> dict[str, str]:
    """New contents of every CHANGELOG.md and version file the releases touch."""
    by_name: dict[str, Component] = {c.policy.name: c for c in config.components}
    changes: dict[str, str] = {}
    for release in releases:
        component = by_name[release.component]
        path = component.changelog_path
        current = changes.get(path, read(path))
        changes[path] = prepend_entry(current, release.notes)
        for vf in component.version_files:
            text = changes.get(vf.path, read(vf.path))
            if text is None:
                raise ConfigError(f"version-files: {vf.path} does not exist", file=config.source)
            try:
                changes[vf.path] = updater_for(vf.path, vf.type).update(text, release.version)
            except UpdateError as exc:
                raise ConfigError(f"version-files: {vf.path}: {exc}", file=config.source) from None
    return changes


def sync_release_prs(
    gh: GitHub,
    config: Config,
    target: str,
    head: str,
    releases: tuple[Release, ...],
    read: ReadFile,
    head_tree: Callable[[], str],
    dry_run: bool = False,
) -> list[PrResult]:
    results = []
    for component, group in _groups(config, releases):
        branch = branch_name(target, component)
        pending = tuple(r for r in group if r.version)
        open_prs = gh.pulls(branch, "open", target)
        current = open_prs[0] if open_prs else None
        if not pending:
            if current is not None and not dry_run:
                gh.close_pull(current.number, "Nothing is releasable any more; closing.")
                results.append(
                    PrResult(
                        current.number,
                        current.html_url,
                        branch,
                        current.title,
                        False,
                        True,
                        closed=True,
                    )
                )
            continue
        planned = _fitting(
            config,
            target,
            head,
            tuple(
                PlannedRelease(
                    r.component,
                    r.path,
                    r.version,
                    r.tag,
                    r.previous_tag,
                    r.notes,
                    notes_sha256(r.notes),
                )
                for r in pending
            ),
        )
        digest = plan_digest(planned, digest_commits(c for r in pending for c in r.commits))
        title = render_title(config.pull_request_title, target, planned)
        if current is not None and _marker_digest(current) == digest:
            results.append(
                PrResult(current.number, current.html_url, branch, current.title, False, False)
            )
            continue
        if dry_run:
            results.append(PrResult(0, "", branch, title, current is None, True))
            continue
        files = file_changes(config, pending, read)
        commit = gh.create_commit(title, head, head_tree(), files)
        gh.force_ref(f"heads/{branch}", commit, known_to_exist=current is not None)
        before = _marker(current) if current is not None else None
        kept = keep_edits(planned, before)
        if len(render_body(Marker(target, head, digest, kept))) > PULL_BODY_LIMIT:
            kept = planned  # kept edits of one release beside new notes of another
        replaced = replaced_edits(kept, before)
        body = render_body(Marker(target, head, digest, kept), replaced)
        if current is None:
            pr = gh.create_pull(branch, target, title, body)
            gh.add_labels(pr.number, [PENDING])
            results.append(PrResult(pr.number, pr.html_url, branch, title, True, True))
        else:
            pr = gh.update_pull(current.number, title, body)
            lost = tuple(r.tag for r in replaced)
            results.append(
                PrResult(pr.number, pr.html_url, branch, title, False, True, False, lost)
            )
    return results


def _fitting(
    config: Config, target: str, head: str, planned: tuple[PlannedRelease, ...]
) -> tuple[PlannedRelease, ...]:
    """The releases with their notes cut (at an entry, pointing to the CHANGELOG, which keeps
    them whole) so that the PR body fits GitHub's limit; `generated` is the digest of the notes
    as written, which is what a merge publishes."""
    empty = tuple(replace(r, notes="") for r in planned)
    used = len(render_body(Marker(target, head, "0" * 64, empty))) + NOTICE_ROOM
    room = (PULL_BODY_LIMIT - used) // len(planned)
    changelogs = {c.policy.name: c.changelog_path for c in config.components}
    out = []
    for release in planned:
        notes = cap_notes(release.notes, room, changelogs.get(release.component, "CHANGELOG.md"))
        out.append(replace(release, notes=notes, generated=notes_sha256(notes)))
    return tuple(out)


def _marker(pr: PullInfo) -> Marker | None:
    try:
        return parse_body(pr.body)
    except MarkerError:
        return None


def _marker_digest(pr: PullInfo) -> str | None:
    marker = _marker(pr)
    return None if marker is None else marker.plan_digest
