"""The release evidence facts model and what is computed from it (approvals, policies, rollback).

Pure: adapters fill `EvidenceFacts`; nothing here reads the clock, the network or the disk.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import TYPE_CHECKING

from releaser.domain.reviews import (
    AMBIGUOUS_ASSOCIATIONS,
    WRITE_PERMISSIONS,
    WRITER_ASSOCIATIONS,
    Access,
    Review,
    needs_permission_lookup,
    write_access,
)

if TYPE_CHECKING:  # a code-only plan loads no model module
    from releaser.domain.model_evidence import ModelEvidence

__all__ = [
    "AMBIGUOUS_ASSOCIATIONS",
    "WRITE_PERMISSIONS",
    "WRITER_ASSOCIATIONS",
    "Access",
    "Review",
    "needs_permission_lookup",
    "write_access",
]

PENDING_STATUSES = frozenset(
    {"queued", "in_progress", "waiting", "requested", "pending", "expected"}
)
# GitHub branch protection treats neutral and skipped as satisfying a required check.
PASSING_CONCLUSIONS = frozenset({"success", "neutral", "skipped"})
# COMMENTED reviews do not change a reviewer's standing, as on GitHub.
DECISIVE_REVIEW_STATES = frozenset({"APPROVED", "CHANGES_REQUESTED", "DISMISSED"})


@dataclass(frozen=True, slots=True)
class Commit:
    sha: str
    subject: str
    author_name: str
    author_login: str = ""


@dataclass(frozen=True, slots=True)
class PreviousRelease:
    tag: str
    sha: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class PullRequest:
    number: int
    title: str
    author: str
    url: str
    merged_by: str
    merged_at: str
    head_sha: str
    reviews: tuple[Review, ...] = ()


@dataclass(frozen=True, slots=True)
class Check:
    """A check run (kind "check_run") or a commit status (kind "status") on the release commit.

    Commit statuses map as: state pending -> status "pending"; otherwise status "completed"
    and conclusion = the state (success/failure/error). `source` is who made it: the App's
    slug for a check run, the creator's login for a status ("" when GitHub did not say).
    """

    name: str
    kind: str
    status: str
    conclusion: str | None
    url: str
    source: str = ""

    @property
    def outcome(self) -> str:
        """One of pass | fail | pending."""
        if self.status in PENDING_STATUSES or (self.status != "completed" and not self.conclusion):
            return "pending"
        return "pass" if (self.conclusion or "") in PASSING_CONCLUSIONS else "fail"


@dataclass(frozen=True, slots=True)
class RequiredCheck:
    """A check that must pass; pinned to a GitHub App (its slug) or, with app "", from anyone."""

    name: str
    app: str = ""

    @property
    def label(self) -> str:
        return f"{self.name} (app {self.app})" if self.app else self.name

    def satisfied_by(self, check: Check) -> bool:
        """A check of this name from the pinned App: a check run the App created, or a status
        its installation posted (GitHub shows the creator as `<slug>[bot]`), as in branch
        protection."""
        if check.name != self.name:
            return False
        if not self.app:
            return True
        app = self.app.casefold()
        if check.kind == "check_run":
            return check.source.casefold() == app
        return check.source.casefold() == f"{app}[bot]"


@dataclass(frozen=True, slots=True)
class JUnitSummary:
    file: str
    sha256: str
    tests: int
    failures: int
    errors: int
    skipped: int
    time: float
    failed: tuple[str, ...] = ()
    passed: tuple[str, ...] = ()
    passed_truncated: bool = False


@dataclass(frozen=True, slots=True)
class Note:
    """Something left out or worth a second look: (item, reason)."""

    item: str
    reason: str


@dataclass(frozen=True, slots=True)
class Artifact:
    name: str
    size: int
    sha256: str


@dataclass(frozen=True, slots=True)
class Sbom:
    name: str
    format: str  # cyclonedx | spdx
    size: int
    sha256: str
    generated: bool


@dataclass(frozen=True, slots=True)
class RunInfo:
    workflow_ref: str  # e.g. owner/repo/.github/workflows/release.yml@refs/heads/main
    run_id: str
    run_attempt: str
    run_url: str
    actor: str
    releaser_version: str
    time: str  # ISO 8601 UTC, passed in by the caller


@dataclass(frozen=True, slots=True)
class EvidenceFacts:
    repository: str  # owner/name
    server_url: str  # https://github.com
    sha: str
    tree_sha: str
    version: str
    tag: str
    run: RunInfo
    component: str = ""
    previous: PreviousRelease | None = None
    compare_url: str = ""
    notes_sha256: str = ""  # sha256 of the release notes as published, footer excluded
    commits: tuple[Commit, ...] = ()
    pull_requests: tuple[PullRequest, ...] = ()
    direct_pushes: tuple[str, ...] = ()  # commit shas that reached the branch without a PR
    checks: tuple[Check, ...] = ()
    required_checks: tuple[RequiredCheck, ...] = ()  # empty: every reported check is required
    tests: tuple[JUnitSummary, ...] = ()
    rejected_tests: tuple[Note, ...] = ()
    artifacts: tuple[Artifact, ...] = ()
    sboms: tuple[Sbom, ...] = ()
    skipped: tuple[Note, ...] = ()
    warnings: tuple[Note, ...] = ()
    # The repository's immutable-releases setting at publish time; None: GitHub did not say.
    immutable_releases: bool | None = None
    model: ModelEvidence | None = None  # a model component's release (issue #13)

    @property
    def repository_url(self) -> str:
        return f"{self.server_url.rstrip('/')}/{self.repository}"

    @property
    def name(self) -> str:
        """The release's name for file names: the component, else the repository name."""
        return self.component or self.repository.rsplit("/", 1)[-1]


@dataclass(frozen=True, slots=True)
class PolicyResult:
    name: str
    status: str  # pass | fail | pending
    offending: tuple[str, ...]
    detail: str


@dataclass(frozen=True, slots=True)
class Rollback:
    previous: PreviousRelease | None
    commands: tuple[str, ...]


def _same_person(a: str, b: str) -> bool:
    # GitHub logins are case-insensitive.
    return a.casefold() == b.casefold()


def _standing(pr: PullRequest) -> dict[str, Review | None]:
    """Each reviewer (casefolded) -> their latest decisive review, or None if they only
    commented; in the order they first reviewed."""
    standing: dict[str, Review | None] = {}
    ordered = sorted(enumerate(pr.reviews), key=lambda item: (item[1].submitted_at, item[0]))
    for _, review in ordered:
        key = review.reviewer.casefold()
        if review.state in DECISIVE_REVIEW_STATES:
            standing[key] = review
        elif review.state != "PENDING":
            standing.setdefault(key, None)
    return standing


def _counts(pr: PullRequest, review: Review) -> bool:
    return (
        review.state == "APPROVED"
        and review.commit_id == pr.head_sha
        and not _same_person(review.reviewer, pr.author)
        and write_access(review).write is True
    )


def approvers_of_head(pr: PullRequest) -> tuple[str, ...]:
    """Human reviewers with write access (not the author) whose standing review approves the
    PR's head commit.

    Each reviewer's latest decisive review (APPROVED, CHANGES_REQUESTED, DISMISSED) is their
    standing; a later CHANGES_REQUESTED or DISMISSED supersedes an earlier approval, and an
    approval counts only if it was given on `head_sha` (later pushes make it stale). Bots never
    count, nor reviewers whose write access is not established (see `write_access`).
    """
    approvers = [r.reviewer for r in _standing(pr).values() if r is not None and _counts(pr, r)]
    return tuple(sorted(approvers, key=str.casefold))


def reviewer_standings(pr: PullRequest) -> tuple[tuple[str, str], ...]:
    """(reviewer, what their review amounts to) for each reviewer, sorted by login: approved at
    head, approved an older commit, requested changes, dismissed or commented, with the reason
    an approval at head does not count."""
    out = []
    latest_login = {r.reviewer.casefold(): r.reviewer for r in pr.reviews}
    for key, review in _standing(pr).items():
        if review is None:
            out.append((latest_login[key], "commented"))
            continue
        if review.state == "APPROVED" and review.commit_id == pr.head_sha:
            what = "approved at head"
            access = write_access(review)
            if _same_person(review.reviewer, pr.author):
                what += ", the author: not counted"
            elif access.write is not True:
                why = {"bot": "a bot", "unknown": "write access unknown"}.get(
                    access.source, "no write access"
                )
                what += f", {why}: not counted"
        elif review.state == "APPROVED":
            what = "approved an older commit"
        elif review.state == "CHANGES_REQUESTED":
            what = "requested changes"
        else:
            what = "dismissed"
        out.append((review.reviewer, what))
    return tuple(sorted(out, key=lambda item: item[0].casefold()))


def approval_covers_head(pr: PullRequest) -> bool:
    return bool(approvers_of_head(pr))


def second_person_review(facts: EvidenceFacts) -> PolicyResult:
    offending = [f"#{pr.number}" for pr in facts.pull_requests if not approval_covers_head(pr)]
    offending += list(facts.direct_pushes)
    if not facts.pull_requests and not facts.direct_pushes:
        return PolicyResult("second-person-review", "pass", (), "no changes in this release")
    if offending:
        unapproved = len(offending) - len(facts.direct_pushes)
        detail = (
            f"{unapproved} pull request(s) without an approval of their head commit by a human"
            f" with write access other than the author, {len(facts.direct_pushes)} direct"
            " push(es)"
        )
        return PolicyResult("second-person-review", "fail", tuple(offending), detail)
    detail = f"all {len(facts.pull_requests)} pull request(s) approved at their head commit"
    return PolicyResult("second-person-review", "pass", (), detail)


def required_checks_passed(facts: EvidenceFacts) -> PolicyResult:
    """Required checks (or all reported ones when none are configured) on the release commit.

    Several results with one name (a check run and a status, re-runs) count at their worst.
    A required check that never reported is pending, as GitHub shows it ("Expected").
    A check pinned to an App counts only the results that App made; a plain name counts every
    result of that name, whoever made it.
    """
    names = sorted({check.name for check in facts.checks})
    required = facts.required_checks or tuple(RequiredCheck(n) for n in names)
    if not required:
        return PolicyResult(
            "required-checks-passed", "fail", (), "no checks reported on the release commit"
        )
    outcomes = {
        req: [c.outcome for c in facts.checks if req.satisfied_by(c)] or ["pending"]
        for req in required
    }
    failed = [r.label for r in required if "fail" in outcomes[r]]
    pending = [r.label for r in required if r.label not in failed and "pending" in outcomes[r]]
    scope = "required" if facts.required_checks else "reported"
    if failed:
        detail = f"{len(failed)} of {len(required)} {scope} check(s) failed"
        return PolicyResult("required-checks-passed", "fail", tuple(failed), detail)
    if pending:
        detail = f"{len(pending)} of {len(required)} {scope} check(s) pending or missing"
        return PolicyResult("required-checks-passed", "pending", tuple(pending), detail)
    detail = f"all {len(required)} {scope} check(s) passed"
    return PolicyResult("required-checks-passed", "pass", (), detail)


def policies(facts: EvidenceFacts) -> tuple[PolicyResult, ...]:
    return (second_person_review(facts), required_checks_passed(facts))


def junit_outcome(facts: EvidenceFacts) -> str:
    """PASSED | WARNED | FAILED, in the in-toto test-result sense.

    No readable results at all, files that ran no test, or rejected files, is WARNED: we do not
    claim a pass we never saw.
    """
    if any(s.failures or s.errors for s in facts.tests):
        return "FAILED"
    if facts.rejected_tests or sum(s.tests for s in facts.tests) == 0:
        return "WARNED"
    return "PASSED"


def rollback(facts: EvidenceFacts) -> Rollback:
    """Commands that return to the previous release, safe to paste into a POSIX shell.

    Rather than `git revert` of the range (which stops at every merge commit), a branch made
    from this release gets the previous release's whole tree in one new commit; merged through
    a pull request it undoes the release and keeps whatever landed on the branch since. The
    release itself is marked a pre-release so it stops being "Latest".
    """
    q = shlex.quote
    repo, tag = q(facts.repository), q(facts.tag)
    withdraw = f"gh release edit {tag} --repo {repo} --prerelease"
    prev = facts.previous
    if prev is None:
        return Rollback(None, (f"gh release view {tag} --repo {repo}", withdraw))
    branch = q(f"rollback-to-{prev.tag}")
    commands = (
        f"gh release view {q(prev.tag)} --repo {repo}",
        "git fetch --tags origin",
        f"git checkout -B {branch} {tag}",
        f"git restore --source={q(prev.tag)} --staged --worktree -- :/",
        f"git commit -m {q(f'revert: roll back to {prev.tag}')}",
        f"git push origin {branch}",
        withdraw,
    )
    return Rollback(prev, commands)
