"""The promotion record: deployments and their statuses as releaser writes them, read back as
a timeline, what was active when, what to roll back to, and which versions' bytes may go."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

IN_FLIGHT = frozenset({"queued", "pending", "in_progress"})
PRODUCTION = "production"  # the environment the retention report reads


@dataclass(frozen=True, slots=True)
class StatusEvent:
    state: str
    at: datetime
    creator: str = ""
    description: str = ""


@dataclass(frozen=True, slots=True)
class DeploymentRecord:
    """One GitHub deployment with its statuses, oldest first."""

    id: int
    environment: str
    ref: str
    task: str
    payload: Mapping[str, Any]
    creator: str
    created_at: datetime
    statuses: tuple[StatusEvent, ...] = field(default=())

    @property
    def component(self) -> str:
        return str(self.payload.get("component", ""))

    @property
    def version(self) -> str:
        return str(self.payload.get("version", ""))

    @property
    def tag(self) -> str:
        return str(self.payload.get("tag", self.ref))

    @property
    def strategy(self) -> str:
        return str(self.payload.get("strategy", "full"))

    @property
    def full(self) -> bool:
        return self.strategy == "full"

    def state_at(self, when: datetime) -> str | None:
        found = None
        for status in self.statuses:
            if status.at <= when:
                found = status.state
        return found

    @property
    def state(self) -> str | None:
        return self.statuses[-1].state if self.statuses else None

    @property
    def outcome(self) -> str | None:
        """The last result the user's deploy reported (an `inactive` marks replacement, not
        a result)."""
        results = [s for s in self.statuses if s.state != "inactive"]
        return results[-1].state if results else None

    @property
    def active(self) -> bool:
        return self.state == "success"

    @property
    def in_flight(self) -> bool:
        """Being deployed: no status yet (just created; GitHub shows it pending), or one of
        GitHub's in-flight states."""
        return self.state is None or self.state in IN_FLIGHT

    @property
    def live(self) -> bool:
        """Active, or still being deployed."""
        return self.state == "success" or self.state in IN_FLIGHT

    def first_success(self) -> datetime | None:
        return next((s.at for s in self.statuses if s.state == "success"), None)

    def finished_at(self) -> datetime | None:
        done = [s.at for s in self.statuses if s.state not in IN_FLIGHT and s.state != "inactive"]
        return done[0] if done else None


# The descriptions of the `inactive` statuses releaser writes (promote.py). GitHub adds
# `inactive` statuses of its own (auto_inactive, e.g. when a job naming the environment
# succeeds); those retire nothing in releaser's record: canaries stay beside their version.
SUPERSEDED = "superseded by deployment "  # + the id of the racer that won
NEWER_FULL = "a newer full promotion succeeded"
REPLACED = "replaced by deployment "  # + the id of the full promotion that replaced it
RETIRED_BY_RELEASER = (SUPERSEDED, NEWER_FULL, REPLACED)


def counts(event: StatusEvent) -> bool:
    """Whether a status belongs in releaser's record (all but GitHub's own `inactive`)."""
    return event.state != "inactive" or event.description.startswith(RETIRED_BY_RELEASER)


def is_releaser_record(payload: object) -> bool:
    """A deployment releaser wrote (others may share the environment)."""
    return isinstance(payload, Mapping) and all(
        isinstance(payload.get(k), str) for k in ("component", "version", "tag", "strategy")
    )


def _iso(when: datetime | None) -> str | None:
    return None if when is None else when.strftime("%Y-%m-%dT%H:%M:%SZ")


def entry(record: DeploymentRecord) -> dict[str, Any]:
    """One `history --json` entry: exactly the keys the record promises."""
    p = record.payload
    approved = p.get("approved_by")
    return {
        "deployment_id": record.id,
        "component": record.component,
        "version": record.version,
        "tag": record.tag,
        "environment": record.environment,
        "strategy": record.strategy,
        "state": record.state,
        "promoted_by": str(p.get("promoted_by") or record.creator),
        "approved_by": [str(a) for a in approved] if isinstance(approved, list) else [],
        "reason": str(p.get("reason") or ""),
        "started_at": _iso(record.created_at),
        "finished_at": _iso(record.finished_at()),
        "break_glass": p.get("break_glass") is True,
        "gates": p.get("gates") if isinstance(p.get("gates"), list) else [],
    }


def timeline(
    records: Iterable[DeploymentRecord],
    environment: str | None = None,
    component: str | None = None,
    at: datetime | None = None,
) -> list[DeploymentRecord]:
    """Oldest first; with `at`, only those active in their environment at that moment."""
    out = [
        r
        for r in records
        if (environment is None or r.environment == environment)
        and (component is None or r.component == component)
        and (at is None or r.state_at(at) == "success")
    ]
    return sorted(out, key=lambda r: (r.created_at, r.id))


def rollback_target(
    records: Sequence[DeploymentRecord], environment: str, component: str
) -> tuple[DeploymentRecord | None, DeploymentRecord | None]:
    """(current, target): the newest active deployment of `component` in `environment`, and
    the newest earlier deployment there of another version that once succeeded."""
    mine = sorted(
        (r for r in records if r.environment == environment and r.component == component),
        key=lambda r: r.id,
        reverse=True,
    )
    current = next((r for r in mine if r.active and r.full), None)
    current = current or next((r for r in mine if r.active), None)
    if current is None:
        return None, None
    for r in mine:
        if r.id < current.id and r.version != current.version and r.first_success():
            return current, r
    return current, None


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    archive_after: timedelta = timedelta(days=180)
    delete_after: timedelta = timedelta(days=730)
    keep: int = 2


def _left_at(record: DeploymentRecord) -> datetime | None:
    """When a deployment that succeeded stopped being active (None while it still is)."""
    was_active = False
    for status in record.statuses:
        if status.state == "success":
            was_active = True
        elif was_active:
            return status.at
    return None


def retention(
    records: Iterable[DeploymentRecord], now: datetime, policy: RetentionPolicy = RetentionPolicy()
) -> list[dict[str, Any]]:
    """Versions whose external artifacts may be archived or deleted: out of production longer
    than the policy says, never one of the last `keep` production versions of a component, and
    never one still active. Lists versions only: releases and tags always stay."""
    # (component, version) -> (last time it was active or None if active now, any success)
    spans: dict[tuple[str, str], list[datetime | None]] = {}
    for r in records:
        if r.environment != PRODUCTION or r.first_success() is None:
            continue
        spans.setdefault((r.component, r.version), []).append(_left_at(r))
    out = []
    by_component: dict[str, list[tuple[datetime | None, str]]] = {}
    for (component, version), lefts in spans.items():
        left = None if any(x is None for x in lefts) else max(x for x in lefts if x)
        by_component.setdefault(component, []).append((left, version))
    for component, versions in sorted(by_component.items()):
        # Newest first: still active, then most recently left.
        ordered = sorted(versions, key=lambda v: (v[0] is None, v[0] or now), reverse=True)
        for left, version in ordered[policy.keep :]:
            if left is None:
                continue
            age = now - left
            action = (
                "delete"
                if age > policy.delete_after
                else "archive"
                if age > policy.archive_after
                else None
            )
            if action:
                out.append(
                    {
                        "component": component,
                        "version": version,
                        "action": action,
                        "out_of_production_since": _iso(left),
                        "days": age.days,
                    }
                )
    return out
