"""Publish merged release PRs: tag, draft release, assets, publish, comment, labels (upserts)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, NoReturn

from releaser.config import Labels
from releaser.domain.evidence_intoto import download_url, with_footer
from releaser.domain.evidence_json import EVIDENCE_JSON
from releaser.domain.notes_size import FOOTER_ROOM, RELEASE_BODY_LIMIT, cap_notes
from releaser.domain.release_pr import Marker, MarkerError, branch_name, parse_body
from releaser.domain.version import parse_version
from releaser.errors import StateConflict
from releaser.github import GitHub, PullInfo, ReleaseInfo, same_content
from releaser.leaks import refuse_leaks
from releaser.publish_trust import not_a_release_pr


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


# (planned, sha, draft) -> (assets in upload order, notes footer, evidence url), called on the
# draft before it is published. Assets need .name, .sha256, .size, .content_type and .open().
AssetsHook = Callable[..., tuple[Sequence[Any], str, str]]


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


def publish_pr(
    gh: GitHub,
    pr: PullInfo,
    marker: Marker,
    releases: Callable[[], list[ReleaseInfo]],
    assets_for: AssetsHook | None = None,
    secrets: Sequence[str] = (),
    labels: Labels | None = None,
    tag_messages: Mapping[str, str] | None = None,
) -> list[Published]:
    """Tag, draft, upload and publish each release of `pr`; no asset holding one of `secrets`
    (the token) is uploaded, and the draft stays a draft if one does. `releases` is read only
    when a tag already exists: a tag this run found missing has no release from an earlier run
    (the tag comes first), and a racer's draft is settled after ours is made. A tag named in
    `tag_messages` (a model release) is an annotated tag with that message."""
    sha = pr.merge_commit_sha
    if not sha:
        raise StateConflict(f"release PR #{pr.number} is not merged; nothing to publish")
    done: list[Published] = []
    for planned in marker.releases:
        tag = planned.tag
        existing = gh.ref_sha(f"tags/{tag}")
        message = (tag_messages or {}).get(tag)
        if existing is None and message is not None:  # a model: GTO's annotated tag (#13)
            gh.create_annotated_tag(tag, sha, message)
        elif existing is None:
            gh.create_ref(f"tags/{tag}", sha)
        elif existing != sha:
            raise StateConflict(
                f"tag {tag} already exists at {existing[:12]}, not at the merge commit {sha[:12]}",
                hint="move or delete that tag yourself; releaser never rewrites a tag",
            )
        release = None
        if existing is not None:
            release = next((r for r in releases() if r.tag_name == tag), None)
        version = parse_version(planned.version)
        # The PR body's own limit keeps notes well inside this one; a body edited elsewhere is
        # cut here, before the evidence records the digest of the notes as published.
        body = cap_notes(planned.notes, RELEASE_BODY_LIMIT - FOOTER_ROOM, "the CHANGELOG")
        planned = replace(planned, notes=body)
        evidence_url = ""
        if release is None:
            release = gh.create_draft_release(
                tag, sha, tag, body, prerelease=bool(version and version.prerelease)
            )
            release = _settle(gh, tag, release)
        if release.draft:
            footer = ""
            if assets_for is not None:
                uploads, footer, evidence_url = assets_for(planned, sha, release)
                refuse_leaks(uploads, secrets)  # every one, before the first upload
                have = {a.name: a for a in release.assets}
                for asset in uploads:
                    current = have.get(asset.name)
                    if current is not None and same_content(current, asset):
                        continue
                    if current is not None:
                        gh.delete_asset(current.id)
                    gh.upload_asset(release, asset)
            release = gh.publish_release(release.id, with_footer(body, footer) if footer else None)
        elif any(a.name == EVIDENCE_JSON for a in release.assets):
            repository_url = release.html_url.rsplit("/releases/tag/", 1)[0]
            evidence_url = download_url(repository_url, tag, EVIDENCE_JSON)
        done.append(
            Published(
                planned.component,
                planned.path,
                planned.version,
                tag,
                sha,
                release.html_url,
                release.upload_url,
                pr.number,
                evidence_url,
            )
        )
    _announce(gh, pr, done, labels or Labels())
    return done


def _settle(gh: GitHub, tag: str, mine: ReleaseInfo) -> ReleaseInfo:
    """The one release for `tag` when racing runs each made a draft: a published one, else the
    oldest draft. Every racer picks the same one and deletes only the draft it made itself."""
    if not mine.draft:
        return mine
    found = gh.releases_for(tag)
    winner = next((r for r in found if not r.draft), None) or (found[0] if found else mine)
    if winner.id != mine.id:
        gh.delete_release(mine.id)
    return winner


def _announce(gh: GitHub, pr: PullInfo, done: list[Published], labels: Labels) -> None:
    key = "<!-- releaser:published " + ",".join(p.tag for p in done) + " -->"
    current = pr.labels
    if not any(key in body for body in gh.comments(pr.number)):
        lines = [f"Released [{p.tag}]({p.html_url})." for p in done]
        gh.comment(pr.number, "\n".join(lines) + "\n\n" + key)
    else:
        # An earlier run announced it and then set the labels: `pr` may be the webhook as it
        # was sent (a re-delivery), whose labels predate that run. Look before writing.
        fresh = gh.pull(pr.number)
        current = fresh.labels if fresh is not None else current
    if labels.released not in current:
        gh.add_labels(pr.number, [labels.released])
    if labels.pending in current:
        gh.remove_label(pr.number, labels.pending)
