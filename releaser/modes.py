"""Event → mode: which job a run does, as one small table.

A new event type is one row here (and, for a new mode, one plan function in flow.PLANS).
"""

from __future__ import annotations

from dataclasses import dataclass

from releaser.config import Labels
from releaser.domain.release_pr import branch_name
from releaser.github import pull_info
from releaser.publish_trust import not_a_release_pr
from releaser.settings import Settings

# What a run was started by, as far as choosing its job goes.
MERGED_RELEASE_PR = "merged-release-pr"  # a release PR releaser opened was just merged
OTHER_PR = "other-pr"  # any other pull_request event
BRANCH = "branch"  # push, workflow_dispatch, schedule, repository_dispatch, ...

# (trigger, command) -> mode. `plan` and `release-pr` do the same whatever the trigger.
MODES: dict[tuple[str, str], str] = {
    (MERGED_RELEASE_PR, "auto"): "publish-event",
    (MERGED_RELEASE_PR, "publish"): "publish-event",
    (OTHER_PR, "auto"): "idle",
    (OTHER_PR, "publish"): "publish",
    (BRANCH, "auto"): "push",
    (BRANCH, "publish"): "publish",
    **{(t, c): c for t in (MERGED_RELEASE_PR, OTHER_PR, BRANCH) for c in ("plan", "release-pr")},
}


@dataclass(frozen=True, slots=True)
class Mode:
    name: str  # publish-event | push | publish | release-pr | plan | idle
    warning: str = ""  # said once, when the event looked like a release but is not one


def trigger(settings: Settings, target: str, labels: Labels | None = None) -> tuple[str, str]:
    """(trigger, warning) for this run's event."""
    if not settings.event_name.startswith("pull_request"):
        return BRANCH, ""
    pr = settings.event.get("pull_request")
    if pr is None:
        return BRANCH, ""
    head_ref = (pr.get("head") or {}).get("ref", "")
    base = branch_name(target)
    is_release = head_ref == base or head_ref.startswith(base + "--components--")
    merged = settings.event.get("action") == "closed" and bool(pr.get("merged"))
    if not (is_release and merged):
        return OTHER_PR, ""
    problem = not_a_release_pr(pull_info(pr), settings.repository, labels)
    if problem:
        return OTHER_PR, (
            f"PR #{pr.get('number')} is not a release PR releaser opened ({problem}):"
            " nothing is published from it"
        )
    return MERGED_RELEASE_PR, ""


def mode_for(settings: Settings, target: str, labels: Labels | None = None) -> Mode:
    kind, warning = trigger(settings, target, labels)
    name = MODES[(kind, settings.command)]
    return Mode(name, "" if name in ("plan", "release-pr") else warning)
