"""Reviews and who may approve: a reviewer's write access, from what GitHub reported.

Pure, like the rest of releaser.domain; re-exported by releaser.domain.evidence.
"""

from __future__ import annotations

from dataclasses import dataclass

# author_association values that mean write access to the repository (as issue #11 asks:
# the owner, an organization member, an invited collaborator).
WRITER_ASSOCIATIONS = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})
# Values that do not settle it: a member whose organization membership is private shows as
# CONTRIBUTOR or NONE to a token that cannot see the membership. Their approvals are looked up
# (collaborators/{login}/permission). Anything else (MANNEQUIN: an imported placeholder) is no.
AMBIGUOUS_ASSOCIATIONS = frozenset({"CONTRIBUTOR", "FIRST_TIME_CONTRIBUTOR", "FIRST_TIMER", "NONE"})
WRITE_PERMISSIONS = frozenset({"admin", "maintain", "write"})


@dataclass(frozen=True, slots=True)
class Review:
    reviewer: str
    state: str  # APPROVED | CHANGES_REQUESTED | COMMENTED | DISMISSED | PENDING
    submitted_at: str  # ISO 8601 UTC, as GitHub reports it
    commit_id: str
    bot: bool = False  # a Bot account (user.type "Bot"): never counts
    association: str = ""  # author_association as GitHub reported it
    # The reviewer's repository permission as GitHub answered a lookup (admin | write | read |
    # none); None when not looked up (not needed, or the token may not read it).
    permission: str | None = None


@dataclass(frozen=True, slots=True)
class Access:
    """Whether a reviewer may write to the repository, and how we know."""

    write: bool | None  # None: unknown
    source: str  # bot | association | permission | unknown


def write_access(review: Review) -> Access:
    if review.bot:
        return Access(False, "bot")
    if review.association in WRITER_ASSOCIATIONS:
        return Access(True, "association")
    if review.permission is not None:
        return Access(review.permission in WRITE_PERMISSIONS, "permission")
    if review.association in AMBIGUOUS_ASSOCIATIONS or not review.association:
        return Access(None, "unknown")
    return Access(False, "association")


def needs_permission_lookup(review: Review) -> bool:
    """An approval whose association does not tell whether the reviewer may write."""
    return (
        review.state == "APPROVED"
        and not review.bot
        and (review.association in AMBIGUOUS_ASSOCIATIONS or not review.association)
    )
