"""Publishing merged release PRs: which are unpublished, and the steps that publish them (tag,
draft, assets, publish, comment, labels), planned from what exists."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import NoReturn

from releaser.config import Labels
from releaser.domain.evidence_intoto import download_url
from releaser.domain.evidence_json import EVIDENCE_JSON
from releaser.domain.notes_size import FOOTER_ROOM, RELEASE_BODY_LIMIT, cap_notes
from releaser.domain.release_pr import (
    Marker,
    MarkerError,
    PlannedRelease,
    branch_name,
    parse_body,
)
from releaser.domain.version import parse_version
from releaser.errors import StateConflict
from releaser.github import GitHub, PullInfo, ReleaseInfo
from releaser.publish_trust import not_a_release_pr
from releaser.steps import (
    AddLabel,
    AssetsRecipe,
    Comment,
    Draft,
    Plan,
    Publish,
    Release,
    RemoveLabel,
    Step,
    Tag,
    Upload,
)


@dataclass(frozen=True, slots=True)
class Published:
    component: str
    path: str
    version: str
    tag: str
    sha: str
    html_url: str
    upload_url: str
    pr: int
    evidence_url: str = ""


def read_marker(pr: PullInfo, config=None) -> Marker:
    try:
        marker = parse_body(pr.body)
    except MarkerError as exc:
        raise StateConflict(
            f"release PR #{pr.number} cannot be published: {exc}",
            hint="restore the body releaser wrote; the PR's edit history keeps it",
        ) from None
    if config is not None:
        check_marker(pr, marker, config)
    return marker


def check_marker(pr: PullInfo, marker: Marker, config) -> None:
    """The marker must describe releases this repository's config can make, from this PR."""

    def refuse(why: str) -> NoReturn:
        raise StateConflict(
            f"release PR #{pr.number} cannot be published: {why}",
            hint="restore the body releaser wrote; the PR's edit history keeps it",
        )

    if marker.target != pr.base_ref:
        refuse(f"its marker targets {marker.target!r}, the PR was merged into {pr.base_ref!r}")
    policies = {c.policy.name: c.policy for c in config.components}
    for release in marker.releases:
        policy = policies.get(release.component)
        if policy is None:
            refuse(f"its marker names component {release.component!r}, not in the config")
        if release.tag != policy.tag_for(release.version) or release.path != policy.path:
            refuse(f"its marker's {release.tag} does not match the config's tags and paths")


def _tagged(gh: GitHub, sha: str, cache: dict) -> bool:
    if "tags" not in cache:
        cache["tags"] = {gh.peel_tag(*obj) for obj in gh.matching_tags("").values()}
    return sha in cache["tags"]


def unpublished(
    gh: GitHub,
    target: str,
    branches: tuple[str, ...],
    releases: Callable[[], list[ReleaseInfo]],
    known: dict[str, str],
    config,
) -> list[tuple[PullInfo, Marker]]:
    """Merged release PRs whose releases are not all published, newest first.

    `known` collects tag -> merge sha of the published ones: the local clone may predate them.
    A PR releaser did not open (a fork's branch of the same name, no label, another author) is
    not a release PR, whatever its body says. `releases` is read only when a merged release PR
    is found (no request otherwise).
    """
    out = []
    tags: dict = {}
    for branch in branches:
        for pr in gh.pulls(branch, "closed", target):
            if not pr.merged or not pr.merge_commit_sha:
                continue
            if not_a_release_pr(pr, gh.repository, config.labels):
                continue
            try:
                marker = parse_body(pr.body)
            except MarkerError:
                # Unreadable: refuse unless its merge commit carries a tag (it was released
                # or a maintainer settled it by hand), rather than open the release again.
                if _tagged(gh, pr.merge_commit_sha, tags):
                    continue
                read_marker(pr)
            published = {r.tag_name for r in releases() if not r.draft}
            missing = [r.tag for r in marker.releases if r.tag not in published]
            # The list holds the newest 100 releases; an older one is looked up by its tag.
            if any(gh.published_release(tag) is None for tag in missing):
                check_marker(pr, marker, config)
                out.append((pr, marker))
            else:
                known.update({r.tag: pr.merge_commit_sha for r in marker.releases})
    return out


def release_branches(target: str, components: tuple[str, ...], separate: bool) -> tuple[str, ...]:
    if separate and any(components):
        return tuple(branch_name(target, c) for c in components)
    return (branch_name(target),)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """How a publish plan reads what exists, before any write."""

    gh: GitHub
    releases: Callable[[], list[ReleaseInfo]]  # read at most once, only when a tag exists
    tag_at: Callable[[str, str], str | None]  # (tag, merge sha) -> the commit it is at


# (release as published, merge sha) -> the recipe of its assets, run on its draft.
RecipeFor = Callable[[PlannedRelease, str], AssetsRecipe]


def plan_publish(
    snap: Snapshot,
    pr: PullInfo,
    marker: Marker,
    recipe_for: RecipeFor,
    labels: Labels,
    tag_messages: Mapping[str, str] | None = None,
) -> Plan:
    """Tag, draft, upload and publish each release of `pr` that is not out yet, then announce.
    A tag named in `tag_messages` (a model release) is annotated with that message.

    The releases list is read only when a tag exists: a tag missing now has no release from an
    earlier run (the tag comes first), and a racer's draft is settled after ours is made.
    """
    sha = pr.merge_commit_sha
    if not sha:
        raise StateConflict(f"release PR #{pr.number} is not merged; nothing to publish")
    steps: list[Step] = []
    out = []
    tagging = False
    for planned in marker.releases:
        tag = planned.tag
        existing = snap.tag_at(tag, sha)
        if existing is not None and existing != sha:
            raise tag_elsewhere(tag, existing, sha)
        version = parse_version(planned.version)
        # The PR body's own limit keeps notes well inside this one; a body edited elsewhere is
        # cut here, before the evidence records the digest of the notes as published.
        body = cap_notes(planned.notes, RELEASE_BODY_LIMIT - FOOTER_ROOM, "the CHANGELOG")
        planned = replace(planned, notes=body)
        facts = Release(planned.component, planned.path, planned.version, tag, sha, pr.number)
        draft = None
        if existing is None:
            steps.append(Tag(tag, sha, pr.number, (tag_messages or {}).get(tag, "")))
            tagging = True
        else:
            draft = next((r for r in snap.releases() if r.tag_name == tag), None)
            if draft is not None and not draft.draft:
                out.append(published(facts, draft, evidence_url(draft)))
                continue
        if draft is None:
            prerelease = bool(version and version.prerelease)
            steps.append(Draft(facts, body, prerelease))
        steps.append(Upload(facts, draft, recipe_for(planned, sha)))
        steps.append(Publish(facts, body, draft))
    tags = tuple(r.tag for r in marker.releases)
    steps += _announce(snap.gh, pr, tags, labels, tagging)
    return Plan(tuple(steps), published=tuple(out), order=tags)


def _announce(gh: GitHub, pr: PullInfo, tags: tuple[str, ...], labels: Labels, tagging: bool):
    """The comment and the labels. A run that tags posts without a look (apply looks if a
    racer made the tags); else the look is part of the snapshot, so a finished re-run plans
    nothing."""
    comment = Comment(pr.number, tags)
    current = pr.labels
    steps: list[Step] = [comment]
    if not tagging and any(comment.key in body for body in gh.comments(pr.number)):
        # An earlier run announced it and then set the labels: `pr` may be the webhook as it
        # was sent (a re-delivery), whose labels predate that run. Look before writing.
        fresh = gh.pull(pr.number)
        current = fresh.labels if fresh is not None else current
        steps = []
    if labels.released not in current:
        steps.append(AddLabel(pr.number, "", labels.released))
    if labels.pending in current:
        steps.append(RemoveLabel(pr.number, labels.pending))
    return steps


def tag_elsewhere(tag: str, found: str, sha: str) -> StateConflict:
    return StateConflict(
        f"tag {tag} already exists at {found[:12]}, not at the merge commit {sha[:12]}",
        hint="move or delete that tag yourself; releaser never rewrites a tag",
    )


def evidence_url(release: ReleaseInfo) -> str:
    """The evidence JSON's download URL of a published release that has one, else ""."""
    if not any(a.name == EVIDENCE_JSON for a in release.assets):
        return ""
    repository_url = release.html_url.rsplit("/releases/tag/", 1)[0]
    return download_url(repository_url, release.tag_name, EVIDENCE_JSON)


def published(release: Release, info: ReleaseInfo, evidence: str) -> Published:
    return Published(
        release.component,
        release.path,
        release.version,
        release.tag,
        release.sha,
        info.html_url,
        info.upload_url,
        release.pr,
        evidence,
    )
