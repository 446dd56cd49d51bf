"""What the configured policies say about one release's evidence facts: one finding per PR,
direct push or check that fails a policy, named so a maintainer can act on it."""

from __future__ import annotations

from dataclasses import dataclass

from releaser.domain.evidence import (
    EvidenceFacts,
    PullRequest,
    approval_covers_head,
    required_checks_passed,
    reviewer_standings,
)

SECOND_PERSON_REVIEW = "second-person-review"
REQUIRED_CHECKS = "required-checks"


@dataclass(frozen=True, slots=True)
class Finding:
    policy: str  # the key under `policies:` in the config
    tag: str  # the release it concerns
    item: str  # "PR #12", "commit 1234abcd5678", "check build"
    why: str  # may hold user text (reviewer logins, check names): escape before rendering


def _review_why(pr: PullRequest) -> str:
    standings = reviewer_standings(pr)
    if not standings:
        return "not reviewed"
    said = ", ".join(f"{who}: {what}" for who, what in standings)
    return f"no approval of its head commit by another person with write access ({said})"


def findings(facts: EvidenceFacts) -> tuple[Finding, ...]:
    """Every failing PR, direct push and failed check of the release `facts` describe.

    Required checks count when they failed; one that is pending or never reported (and a
    release commit without any check) is no finding: the evidence records it as such.
    """
    out = [
        Finding(SECOND_PERSON_REVIEW, facts.tag, f"PR #{pr.number}", _review_why(pr))
        for pr in facts.pull_requests
        if not approval_covers_head(pr)
    ]
    out += [
        Finding(SECOND_PERSON_REVIEW, facts.tag, f"commit {sha[:12]}", "pushed without a PR")
        for sha in facts.direct_pushes
    ]
    checks = required_checks_passed(facts)
    if checks.status == "fail":
        out += [
            Finding(REQUIRED_CHECKS, facts.tag, f"check {name}", "failed")
            for name in checks.offending
        ]
    return tuple(out)
