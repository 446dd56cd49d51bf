"""Run a Plan's steps in order with the write rules of each: a step whose result already exists
(a racer made it since the snapshot) is skipped, so a finished re-run writes nothing.

A new kind of step: a dataclass in releaser.steps and one function here, registered with
`@applies(ThatStep)`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from releaser.domain.evidence_intoto import with_footer
from releaser.errors import StateConflict
from releaser.github import GitHub, PullInfo, ReleaseInfo, same_content
from releaser.leaks import refuse_leaks
from releaser.publish import Published, evidence_url, published, tag_elsewhere
from releaser.release_pr_flow import PrResult
from releaser.steps import (
    AddLabel,
    CheckRun,
    ClosePr,
    Comment,
    Draft,
    OpenPr,
    Plan,
    Publish,
    PushBranch,
    Release,
    RemoveLabel,
    Tag,
    UpdatePr,
    Upload,
)


@dataclass(slots=True)
class Applied:
    """What the steps made, for the outputs and for the steps after them."""

    gh: GitHub
    secrets: Sequence[str]  # no asset holding one is uploaded
    published: list[Published] = field(default_factory=list)
    prs: list[PrResult] = field(default_factory=list)
    opened: dict[str, PullInfo] = field(default_factory=dict)  # branch -> PR opened here
    releases: dict[str, ReleaseInfo] = field(default_factory=dict)  # tag -> its draft
    evidence: dict[str, tuple[str, str]] = field(default_factory=dict)  # tag -> (footer, url)
    tagged: set[int] = field(default_factory=set)  # PRs one of whose tags this run made
    labels: dict[int, tuple[str, ...]] = field(default_factory=dict)  # read while applying
    found: set[str] = field(default_factory=set)  # tags a racer made after the snapshot
    heads: dict[str, str] = field(default_factory=dict)  # branch -> the commit pushed there
    # Tells the local clone about a tag this run made, so a later run in the same workspace
    # sees it (the snapshot takes a tag the clone lacks for missing).
    mirror: Callable[[str, str], None] = lambda tag, sha: None


_APPLY: dict[type, Callable[[Any, Applied], None]] = {}


def applies(kind: type) -> Callable:
    def register(fn: Callable[[Any, Applied], None]) -> Callable[[Any, Applied], None]:
        _APPLY[kind] = fn
        return fn

    return register


def apply(
    plan: Plan,
    gh: GitHub,
    secrets: Sequence[str] = (),
    mirror: Callable[[str, str], None] | None = None,
) -> Applied:
    done = Applied(gh, secrets, published=list(plan.published), prs=list(plan.prs))
    if mirror is not None:
        done.mirror = mirror
    for step in plan.steps:
        _APPLY[type(step)](step, done)
    rank = {tag: i for i, tag in enumerate(plan.order)}
    done.published.sort(key=lambda p: rank.get(p.tag, len(rank)))
    return done


def kinds() -> frozenset[type]:
    """Every step kind apply knows (a test keeps it in step with releaser.steps.Step)."""
    return frozenset(_APPLY)


# -- the release PR ------------------------------------------------------------------------
@applies(PushBranch)
def _push_branch(step: PushBranch, done: Applied) -> None:
    tree = step.base_tree or done.gh.commit_tree(step.parent)
    commit = done.gh.create_commit(step.message, step.parent, tree, dict(step.files))
    done.gh.force_ref(f"heads/{step.branch}", commit, known_to_exist=step.exists)
    done.heads[step.branch] = commit


@applies(CheckRun)
def _check_run(step: CheckRun, done: Applied) -> None:
    """Looked up first (a racer, or the plan's own look, may have set it already)."""
    head = step.head or done.heads[step.branch]
    done.gh.upsert_check_run(step.name, head, step.conclusion, step.title, step.summary)


@applies(OpenPr)
def _open_pr(step: OpenPr, done: Applied) -> None:
    pr = done.gh.create_pull(step.branch, step.base, step.title, step.body)
    done.opened[step.branch] = pr
    done.prs.append(
        PrResult(
            pr.number,
            pr.html_url,
            step.branch,
            step.title,
            True,
            True,
            base=step.base,
            body=step.body,
            labels=step.labels,
            files=step.files,
        )
    )


@applies(UpdatePr)
def _update_pr(step: UpdatePr, done: Applied) -> None:
    pr = done.gh.update_pull(step.number, step.title, step.body)
    done.prs.append(
        PrResult(
            pr.number,
            pr.html_url,
            step.branch,
            step.title,
            False,
            True,
            base=step.base,
            body=step.body,
            labels=step.labels,
            files=step.files,
            replaced_edits=step.replaced_edits,
        )
    )


@applies(ClosePr)
def _close_pr(step: ClosePr, done: Applied) -> None:
    done.gh.close_pull(step.number, step.comment)
    done.prs.append(
        PrResult(step.number, step.html_url, step.branch, step.title, False, True, closed=True)
    )


@applies(AddLabel)
def _add_label(step: AddLabel, done: Applied) -> None:
    number = step.number or done.opened[step.branch].number
    if step.label not in done.labels.get(number, ()):
        done.gh.add_labels(number, [step.label])


@applies(RemoveLabel)
def _remove_label(step: RemoveLabel, done: Applied) -> None:
    if step.number in done.labels and step.label not in done.labels[step.number]:
        return
    done.gh.remove_label(step.number, step.label)


# -- publishing ----------------------------------------------------------------------------
@applies(Tag)
def _tag(step: Tag, done: Applied) -> None:
    """Created without a look (the snapshot found no tag); GitHub's "Reference already
    exists" means a racer made it: then it must be at the same commit."""
    try:
        if step.message:  # a model release: GTO's annotated tag (#13)
            made = done.gh.create_annotated_tag(step.tag, step.sha, step.message)
        else:
            made = done.gh.create_ref(f"tags/{step.tag}", step.sha)
    except StateConflict:
        raise tag_elsewhere(step.tag, done.gh.ref_sha(f"tags/{step.tag}") or "", step.sha) from None
    if made:
        done.tagged.add(step.pr)
    else:
        done.found.add(step.tag)
    done.mirror(step.tag, step.sha)


@applies(Draft)
def _draft(step: Draft, done: Applied) -> None:
    tag = step.release.tag
    if tag in done.found:
        # The tag was there after all: so may be its release. Look, as when the snapshot
        # had found the tag.
        there = done.gh.releases_for(tag)
        chosen = next((r for r in there if not r.draft), None) or (there[0] if there else None)
        if chosen is not None:
            done.releases[tag] = chosen
            return
    mine = done.gh.create_draft_release(
        tag, step.release.sha, tag, step.body, prerelease=step.prerelease
    )
    done.releases[tag] = settle(done.gh, tag, mine)


def settle(gh: GitHub, tag: str, mine: ReleaseInfo) -> ReleaseInfo:
    """The one release for `tag` when racing runs each made a draft: a published one, else the
    oldest draft. Every racer picks the same one and deletes only the draft it made itself."""
    if not mine.draft:
        return mine
    found = gh.releases_for(tag)
    winner = next((r for r in found if not r.draft), None) or (found[0] if found else mine)
    if winner.id != mine.id:
        gh.delete_release(mine.id)
    return winner


def _release(done: Applied, release: Release, draft: ReleaseInfo | None) -> ReleaseInfo:
    return done.releases.setdefault(release.tag, draft) if draft else done.releases[release.tag]


@applies(Upload)
def _upload(step: Upload, done: Applied) -> None:
    release = _release(done, step.release, step.draft)
    if not release.draft or step.recipe is None:  # a racer published it meanwhile
        return
    uploads, footer, url = step.recipe(release)
    refuse_leaks(uploads, done.secrets)  # every one, before the first upload
    have = {a.name: a for a in release.assets}
    for asset in uploads:
        current = have.get(asset.name)
        if current is not None and same_content(current, asset):
            continue
        if current is not None:
            done.gh.delete_asset(current.id)
        done.gh.upload_asset(release, asset)
    done.evidence[step.release.tag] = (footer, url)


@applies(Publish)
def _publish(step: Publish, done: Applied) -> None:
    release = _release(done, step.release, step.draft)
    footer, url = done.evidence.get(step.release.tag, ("", ""))
    if release.draft:
        body = with_footer(step.body, footer) if footer else None
        release = done.gh.publish_release(release.id, body)
    else:
        url = evidence_url(release)
    done.published.append(published(step.release, release, url))


@applies(Comment)
def _comment(step: Comment, done: Applied) -> None:
    if step.number not in done.tagged:
        if any(step.key in body for body in done.gh.comments(step.number)):
            # A racer announced it and may have set the labels: look before labelling.
            fresh = done.gh.pull(step.number)
            if fresh is not None:
                done.labels[step.number] = tuple(fresh.labels)
            return
    urls = {p.tag: p.html_url for p in done.published}
    done.gh.comment(step.number, step.body(urls))
