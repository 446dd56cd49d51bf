"""The pull requests behind a release's commits, with their reviews (GitHub adapter calls).

Cost: one PR read plus one reviews read per PR when the history carries GitHub's squash or
merge titles (a hint confirmed by the PR's merge commit); a commit without a usable hint costs
one more lookup (`commits/{sha}/pulls`): rebase merges and direct pushes. An approval whose
author_association does not settle write access (see `needs_permission_lookup`) costs one
permission lookup per reviewer login, once per run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from releaser.domain.attribution import merged_side, pr_hint
from releaser.domain.commits import RawCommit
from releaser.domain.evidence import PullRequest, Review, needs_permission_lookup
from releaser.github import GitHub, PullInfo


class _Pulls:
    def __init__(self, gh: GitHub) -> None:
        self.gh = gh
        self.full: dict[int, PullInfo | None] = {}
        self.permissions: dict[str, str | None] = {}

    def get(self, number: int) -> PullInfo | None:
        if number not in self.full:
            self.full[number] = self.gh.pull(number)
        return self.full[number]

    def reviews(self, number: int) -> tuple[Review, ...]:
        out = []
        for review in self.gh.reviews(number):
            if needs_permission_lookup(review):
                key = review.reviewer.casefold()
                if key not in self.permissions:
                    self.permissions[key] = self.gh.permission(review.reviewer)
                review = replace(review, permission=self.permissions[key])
            out.append(review)
        return tuple(out)

    def merged_as(self, number: int, sha: str) -> PullInfo | None:
        pr = self.get(number)
        return pr if pr is not None and pr.merged and pr.merge_commit_sha == sha else None

    def associated(self, sha: str, target: str) -> PullInfo | None:
        merged = [p for p in self.gh.pulls_for_commit(sha) if p.merged]
        if not merged:
            return None
        # The PR that produced this very commit first, then one merged into the target branch.
        merged.sort(key=lambda p: (p.merge_commit_sha != sha, p.base_ref != target, p.number))
        return self.get(merged[0].number)


def attribute(
    gh: GitHub, commits: Sequence[RawCommit], target: str
) -> tuple[tuple[PullRequest, ...], tuple[str, ...]]:
    """(PRs with their reviews, sorted by number; shas of direct pushes, in history order)."""
    pulls = _Pulls(gh)
    parents = {c.sha: c.parents for c in commits}
    owner: dict[str, int] = {}
    # Merge commits first: each one claims the commits its PR brought in, which then cost nothing.
    ordered = sorted(commits, key=lambda c: len(c.parents) < 2)
    for commit in ordered:
        if commit.sha in owner:
            continue
        hint = pr_hint(commit.message)
        pr = pulls.merged_as(hint, commit.sha) if hint is not None else None
        if pr is None:
            pr = pulls.associated(commit.sha, target)
        if pr is None:
            continue
        owner[commit.sha] = pr.number
        if pr.merge_commit_sha == commit.sha:
            for sha in merged_side(commit.sha, parents):
                owner.setdefault(sha, pr.number)
    direct = tuple(c.sha for c in commits if c.sha not in owner)
    out = []
    for number in sorted(set(owner.values())):
        pr = pulls.full[number]
        assert pr is not None
        out.append(
            PullRequest(
                number=pr.number,
                title=pr.title,
                author=pr.author,
                url=pr.html_url,
                merged_by=pr.merged_by or "",
                merged_at=pr.merged_at or "",
                head_sha=pr.head_sha,
                reviews=pulls.reviews(number),
            )
        )
    return tuple(out), direct
