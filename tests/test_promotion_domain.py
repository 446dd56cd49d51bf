"""Promotion policy, the timeline, --at, rollback targets and the retention report (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from releaser.domain.deploy_history import (
    DeploymentRecord,
    StatusEvent,
    entry,
    retention,
    rollback_target,
    timeline,
)
from releaser.domain.promotion import (
    EnvironmentPolicy,
    evaluate,
    parse_duration,
    parse_strategy,
)

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def rec(id_, env, version, states, strategy="full", component="", start=0):
    payload = {"component": component, "version": version, "tag": f"v{version}"}
    payload["strategy"] = strategy
    events = tuple(StatusEvent(s, T0 + timedelta(hours=h)) for s, h in states)
    return DeploymentRecord(
        id_, env, f"v{version}", "deploy", payload, "bot", T0 + timedelta(hours=start), events
    )


def test_durations_and_strategies():
    assert parse_duration("24h") == timedelta(hours=24)
    assert parse_duration("1h30m") == timedelta(minutes=90)
    assert parse_duration("7d") == timedelta(days=7)
    for bad in ("", "24", "h", "1x", "-1h", "1h 2m"):
        with pytest.raises(ValueError):
            parse_duration(bad)
    assert parse_strategy("canary:10").task == "deploy:canary"
    assert str(parse_strategy("canary:10")) == "canary:10"
    for bad in ("canary", "canary:0", "canary:100", "blue"):
        with pytest.raises(ValueError):
            parse_strategy(bad)


def _eval(policy, records, now, strategy="full", emergency=False, version="1.1.0"):
    return evaluate(
        policy,
        tag=f"v{version}",
        component="",
        version=version,
        strategy=parse_strategy(strategy),
        emergency=emergency,
        records=records,
        now=now,
    )


def test_after_soak_and_break_glass():
    prod = EnvironmentPolicy("production", after="staging", soak=timedelta(hours=24))
    assert _eval(prod, [], T0).rule == "after"
    failed = rec(1, "staging", "1.1.0", [("in_progress", 0), ("failure", 1)])
    assert _eval(prod, [failed], T0 + timedelta(days=3)).rule == "after"
    # Replaced since (inactive) still counts: the last result was success.
    ok = rec(2, "staging", "1.1.0", [("in_progress", 0), ("success", 1), ("inactive", 5)])
    refusal = _eval(prod, [ok], T0 + timedelta(hours=10))
    assert refusal.rule == "soak" and "15h00m left" in refusal.line()
    assert _eval(prod, [ok], T0 + timedelta(hours=25)) is None
    assert _eval(prod, [], T0, emergency=True) is None  # break glass skips after and soak


def test_max_active_counts_other_live_versions_for_canaries():
    policy = EnvironmentPolicy("production", max_active=2)
    a = rec(1, "production", "1.0.0", [("success", 0)])
    b = rec(2, "production", "1.1.0", [("in_progress", 1)], strategy="canary:10")
    gone = rec(3, "production", "0.9.0", [("success", 0), ("inactive", 1)])
    assert _eval(policy, [a, gone], T0, "canary:10", version="1.1.0") is None
    assert _eval(policy, [a, b, gone], T0, "canary:10", version="1.2.0").rule == "max-active"
    assert _eval(policy, [a, b], T0, "full", version="1.2.0") is None  # a full one replaces


def test_timeline_at_and_entry_keys():
    old = rec(1, "production", "1.0.0", [("in_progress", 0), ("success", 1), ("inactive", 10)])
    canary = rec(2, "production", "1.1.0", [("in_progress", 5), ("success", 6)], "canary:10", 5)
    full = rec(3, "production", "1.1.0", [("in_progress", 10), ("success", 10)], start=10)
    records = [full, canary, old]
    assert [r.id for r in timeline(records)] == [1, 2, 3]
    assert [r.id for r in timeline(records, at=T0 + timedelta(hours=2))] == [1]
    assert [r.id for r in timeline(records, at=T0 + timedelta(hours=7))] == [1, 2]
    assert [r.id for r in timeline(records, at=T0 + timedelta(hours=11))] == [2, 3]
    assert list(entry(old)) == [
        "deployment_id", "component", "version", "tag", "environment", "strategy", "state",
        "promoted_by", "approved_by", "reason", "started_at", "finished_at", "break_glass",
        "gates",
    ]  # fmt: skip
    assert entry(old)["finished_at"] == "2025-01-01T01:00:00Z" and entry(old)["state"] == "inactive"


def test_rollback_target():
    v1 = rec(1, "production", "1.0.0", [("success", 0), ("inactive", 2)])
    bad = rec(2, "production", "1.0.5", [("failure", 1)])
    v2 = rec(3, "production", "1.1.0", [("success", 2)])
    assert rollback_target([v1, bad, v2], "production", "") == (v2, v1)
    assert rollback_target([v1], "production", "") == (None, None)  # nothing active
    assert rollback_target([v2], "production", "") == (v2, None)


def test_retention_keeps_the_last_production_versions():
    now = T0 + timedelta(days=1000)
    versions = [
        rec(i, "production", f"1.{i}.0", [("success", i * 24), ("inactive", (i + 1) * 24)])
        for i in range(4)
    ]
    active = rec(9, "production", "2.0.0", [("success", 24 * 800)])
    staging = rec(10, "staging", "0.1.0", [("success", 0), ("inactive", 1)])
    report = retention([*versions, active, staging], now)
    # 2.0.0 (active) and 1.3.0 are the two kept; 0.1.0 never reached production.
    assert [(r["version"], r["action"]) for r in report] == [
        ("1.2.0", "delete"),
        ("1.1.0", "delete"),
        ("1.0.0", "delete"),
    ]
    soon = retention(versions, T0 + timedelta(days=200))
    assert [(r["version"], r["action"]) for r in soon] == [
        ("1.1.0", "archive"),
        ("1.0.0", "archive"),
    ]
    assert all("tag" not in r for r in report)
