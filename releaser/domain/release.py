"""From parsed commits and tags to one component's next release (pure)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from releaser.domain.bump import BumpPolicy, Section, decide_bump, soften
from releaser.domain.commits import Entry, ParsedCommit
from releaser.domain.notes import Links, render_notes
from releaser.domain.version import Version, next_version, parse_version

if TYPE_CHECKING:  # a code-only plan never loads the model modules (nor rfc8785)
    from releaser.domain.model_plan import ModelPlan
    from releaser.domain.model_view import PlannedModel


@dataclass(frozen=True, slots=True)
class Tag:
    name: str
    version: Version
    sha: str


@dataclass(frozen=True, slots=True)
class ComponentPolicy:
    name: str
    path: str
    tag_prefix: str
    initial_version: Version
    prerelease: str | None
    bump: BumpPolicy

    def tag_for(self, version: Version | str) -> str:
        return f"{self.tag_prefix}{version}"

    def version_of(self, tag_name: str) -> Version | None:
        if not tag_name.startswith(self.tag_prefix):
            return None
        return parse_version(tag_name[len(self.tag_prefix) :])


@dataclass(frozen=True, slots=True)
class Release:
    component: str
    path: str
    previous_version: str | None
    previous_tag: str | None
    version: str | None
    bump: str
    tag: str | None
    notes: str
    entries: tuple[Entry, ...]
    commits: tuple[ParsedCommit, ...]
    warnings: tuple[str, ...] = ()
    # A model component's manifest bump, digests and gates; as printed (PlannedModel) when
    # `releaser plan`'s child planned it.
    model: ModelPlan | PlannedModel | None = None


def select_tags(
    tag_names: dict[str, str], policy: ComponentPolicy
) -> tuple[Tag | None, Tag | None]:
    """(newest stable, newest including prereleases) among this component's SemVer tags."""
    tags = []
    for name, sha in tag_names.items():
        version = policy.version_of(name)
        if version is not None:
            tags.append(Tag(name, version, sha))
    if not tags:
        return None, None
    latest = max(tags, key=lambda t: t.version)
    stable = [t for t in tags if not t.version.prerelease]
    return (max(stable, key=lambda t: t.version) if stable else None), latest


_PR_SUFFIX = re.compile(r"\s*\(#\d+\)$")


def _revert_targets(
    ordered: list[ParsedCommit], index: int, skip: Callable[[int], bool]
) -> list[int]:
    """Indexes of the earlier commits `ordered[index]` reverts (newest match for each)."""
    commit = ordered[index]

    def earlier() -> Iterator[int]:
        return (i for i in range(index - 1, -1, -1) if not skip(i))

    if commit.reverts_shas:
        found = []
        for sha in commit.reverts_shas:
            hit = next((i for i in earlier() if ordered[i].sha.startswith(sha)), None)
            if hit is not None and hit not in found:
                found.append(hit)
        return found
    header = commit.reverts_header
    if header is None:
        return []
    hit = next((i for i in earlier() if ordered[i].header == header), None)
    if hit is None:
        # GitHub's revert quotes the title, which may lack the `(#N)` the squash subject got.
        bare = _PR_SUFFIX.sub("", header)
        hit = next((i for i in earlier() if _PR_SUFFIX.sub("", ordered[i].header) == bare), None)
    return [] if hit is None else [hit]


def cancel_reverts(commits: tuple[ParsedCommit, ...]) -> tuple[ParsedCommit, ...]:
    """Drop reverts whose target is in range, and the targets (a revert of a revert restores)."""
    ordered = list(reversed(commits))  # oldest first, as history happened
    cancelled: dict[int, list[int]] = {}  # index of a reverter -> indexes of what it cancelled
    dead: set[int] = set()

    def skip(i: int) -> bool:
        return i in dead and i not in cancelled

    for index, commit in enumerate(ordered):
        if not (commit.reverts_shas or commit.reverts_header):
            continue
        targets = _revert_targets(ordered, index, skip)
        if not targets:
            continue
        for target in targets:
            if target in cancelled:
                dead.difference_update(cancelled[target])  # reverting a revert restores
            dead.add(target)
        dead.add(index)
        cancelled[index] = targets
    if not dead:
        return commits
    return tuple(c for i, c in enumerate(ordered) if i not in dead)[::-1]


def _release_as(
    commits: tuple[ParsedCommit, ...], previous: Tag | None, warnings: list[str]
) -> Version | None:
    """The newest Release-As among `commits` (newest first) that can be used, or None; each
    newer one that cannot is ignored with a warning and does not hide an older one that can."""
    for commit in commits:
        value = commit.release_as
        if not value:
            continue
        forced = parse_version(value.removeprefix("v"))
        if forced is None:
            warnings.append(f"ignored Release-As {value!r}: not a SemVer version")
        elif previous is not None and forced <= previous.version:
            warnings.append(f"ignored Release-As {value}: not above {previous.version}")
        else:
            return forced
    return None


def plan_release(
    policy: ComponentPolicy,
    stable: Tag | None,
    latest: Tag | None,
    commits: tuple[ParsedCommit, ...],
    new_since_latest: frozenset[str] | None,
    links: Links,
    today: date,
    sections: tuple[Section, ...],
    model: ModelPlan | PlannedModel | None = None,
) -> Release:
    """`commits` are newest first since the tag the bump is measured from.

    `new_since_latest` names the commits after a newer prerelease tag (None when the newest tag is
    stable); a prerelease channel only moves when one of them is releasable.

    `model` is a model component's plan: the bump is the larger of the commits' and the
    manifest's (measured against the newest tag), with the same pre-1.0 rules.
    """
    live = cancel_reverts(commits)
    entries = tuple(e for c in live for e in c.entries)
    base = stable.version if stable else None
    pre_major = (base or policy.initial_version).major == 0
    bump = decide_bump(entries, policy.bump, pre_major)
    manifest_bump = type(bump).NONE
    if model is not None:
        manifest_bump = soften(model.model_bump, policy.bump, pre_major)
        bump = max(bump, manifest_bump)
    warnings: list[str] = []
    previous = latest
    forced = _release_as(live, previous, warnings)
    result = None if forced is None else (forced, "explicit")
    if result is None:
        if new_since_latest is not None and policy.prerelease is not None:
            fresh = tuple(e for e in entries if e.sha in new_since_latest)
            if decide_bump(fresh, policy.bump, pre_major).value == 0 and not manifest_bump:
                bump = type(bump).NONE
        nxt = next_version(
            base,
            latest.version if latest else None,
            bump,
            policy.initial_version,
            policy.prerelease,
        )
        if nxt is not None:
            result = (nxt.version, nxt.bump_label)
    if result is None:
        return Release(
            policy.name,
            policy.path,
            str(previous.version) if previous else None,
            previous.name if previous else None,
            None,
            "none",
            None,
            "",
            entries,
            live,
            tuple(warnings),
            model,
        )
    version, label = result
    tag = policy.tag_for(version)
    shown = entries
    notes_previous = previous.name if previous else None
    if version.prerelease and new_since_latest is not None:
        shown = tuple(e for e in entries if e.sha in new_since_latest)
    elif not version.prerelease and stable is not None:
        notes_previous = stable.name
    notes = render_notes(str(version), tag, notes_previous, shown, links, today, sections)
    return Release(
        policy.name,
        policy.path,
        str(previous.version) if previous else None,
        previous.name if previous else None,
        str(version),
        label,
        tag,
        notes,
        entries,
        live,
        tuple(warnings),
        model,
    )
