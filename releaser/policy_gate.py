"""Refuse to publish when a policy set to `fail` fails: judged on the facts read before the
tag, so nothing is written. Policies set to `warn` come back as findings for the log."""

from __future__ import annotations

from collections.abc import Iterable

from releaser.config import Policies
from releaser.domain.evidence import EvidenceFacts
from releaser.domain.policy_check import REQUIRED_CHECKS, SECOND_PERSON_REVIEW, Finding, findings
from releaser.errors import ReleaserError


class PolicyFailed(ReleaserError):
    exit_code = 1


def judge(policies: Policies, facts: Iterable[EvidenceFacts]) -> list[Finding]:
    """The findings of the `warn` policies; a finding of a `fail` policy refuses the run,
    naming every offending PR, push or check of every `fail` policy at once."""
    mode = {
        SECOND_PERSON_REVIEW: policies.second_person_review,
        REQUIRED_CHECKS: policies.required_checks,
    }
    found = [f for each in facts for f in findings(each)]
    refused = [f for f in found if mode[f.policy] == "fail"]
    if refused:
        names = sorted({f.policy for f in refused})
        items = "; ".join(f"{f.tag}: {f.item} ({f.why})" for f in refused)
        raise PolicyFailed(
            f"policy {', '.join(names)} failed, nothing was published: {items}",
            hint="fix what it names, or set `policies: {<policy>: warn}` to publish anyway",
        )
    return found
