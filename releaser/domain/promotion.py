"""Promotion policy per environment (`environments:` in the config) and its evaluation against
the deployment record: a refusal names the rule it broke."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from releaser.domain.deploy_history import DeploymentRecord

if TYPE_CHECKING:  # a code-only plan loads no model module
    from releaser.domain.model import Gate

RULES = ("after", "soak", "max-active", "gates", "evidence")
_DURATION = re.compile(r"(\d{1,6})([smhdw])")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}

# A gate baseline naming an environment: the version active there (`stage:production`).
STAGE_PREFIX = "stage:"


@dataclass(frozen=True, slots=True)
class EnvironmentPolicy:
    name: str
    after: str | None = None
    soak: timedelta | None = None
    gates: tuple[Gate, ...] = ()
    max_active: int | None = None


@dataclass(frozen=True, slots=True)
class Strategy:
    kind: str  # full | canary | shadow
    percent: int | None = None

    @property
    def task(self) -> str:
        return "deploy" if self.kind == "full" else f"deploy:{self.kind}"

    def __str__(self) -> str:
        return f"canary:{self.percent}" if self.kind == "canary" else self.kind


@dataclass(frozen=True, slots=True)
class Refusal:
    rule: str
    reason: str

    def line(self) -> str:
        return f"promotion refused by rule `{self.rule}`: {self.reason}"


def parse_duration(text: str) -> timedelta:
    """`24h`, `30m`, `7d`, `1h30m`, `2w`; raises ValueError otherwise."""
    text = text.strip()
    pos, seconds = 0, 0
    for match in _DURATION.finditer(text):
        if match.start() != pos:
            break
        seconds += int(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    if not text or pos != len(text):
        raise ValueError(f"{text!r} is not a duration like 30m, 24h or 7d")
    return timedelta(seconds=seconds)


def parse_strategy(text: str) -> Strategy:
    if text in ("full", "shadow"):
        return Strategy(text)
    kind, _, pct = text.partition(":")
    if kind == "canary" and pct.isdigit() and 1 <= int(pct) <= 99:
        return Strategy("canary", int(pct))
    raise ValueError(f"strategy {text!r}: use full, canary:PCT (1-99) or shadow")


def _fmt(delta: timedelta) -> str:
    total = int(delta.total_seconds())
    hours, rest = divmod(total, 3600)
    return f"{hours}h{rest // 60:02d}m"


def evaluate(
    policy: EnvironmentPolicy,
    *,
    tag: str,
    component: str,
    version: str,
    strategy: Strategy,
    emergency: bool,
    records: Sequence[DeploymentRecord],
    now: datetime,
) -> Refusal | None:
    """The first rule this promotion breaks, or None. `records` must hold the deployments of
    `tag` in `policy.after` and the live deployments of `component` in `policy.name`."""
    if policy.after and not emergency:
        passed = [
            r
            for r in records
            if r.environment == policy.after and r.tag == tag and r.outcome == "success"
        ]
        if not passed:
            return Refusal("after", f"{tag} has not succeeded in {policy.after}")
        if policy.soak:
            since = min(r.first_success() or now for r in passed)
            waited = now - since
            if waited < policy.soak:
                left = policy.soak - waited
                return Refusal(
                    "soak",
                    f"{tag} succeeded in {policy.after} {_fmt(waited)} ago; "
                    f"{policy.name} needs {_fmt(policy.soak)} ({_fmt(left)} left)",
                )
    if policy.max_active is not None and strategy.kind != "full":
        live = {
            r.version
            for r in records
            if r.environment == policy.name and r.component == component and r.live
        }
        live.discard(version)
        if len(live) + 1 > policy.max_active:
            return Refusal(
                "max-active",
                f"{policy.name} already runs {len(live)} other version(s) of "
                f"{component or 'the repository'} ({', '.join(sorted(live))}); "
                f"max-active is {policy.max_active}",
            )
    return None
