"""decide_bump's single pass asks exactly what the largest entry_bump says, on generated entries."""

from __future__ import annotations

import random

import pytest

from releaser.domain.bump import (
    DEFAULT_SECTIONS,
    Bump,
    BumpPolicy,
    Section,
    decide_bump,
)
from releaser.domain.commits import Entry


def entry_bump(entry: Entry, policy: BumpPolicy) -> Bump:
    """What one entry asks for, before the pre-1.0 rules: the plain per-entry reading."""
    if entry.breaking and entry.conventional:
        return Bump.MAJOR
    if entry.type in ("feat", "feature"):
        return Bump.MINOR
    if entry.type in ("fix", "perf", "revert") or policy.visible(entry.type):
        return Bump.PATCH
    return Bump.NONE


TYPES = [None, "feat", "feature", "fix", "perf", "revert", "deps", "docs", "chore", "custom", "ci"]
POLICIES = [
    BumpPolicy(),
    BumpPolicy(DEFAULT_SECTIONS + (Section("docs", "Docs"),)),
    BumpPolicy((Section("feat", "New"), Section("custom", "Custom"), Section("fix", "F", True))),
    BumpPolicy(DEFAULT_SECTIONS + (Section("deps", "Dependencies"),)),
]


@pytest.mark.parametrize("policy", POLICIES, ids=["default", "docs-shown", "custom", "deps-shown"])
def test_single_pass_equals_largest_entry_bump(policy):
    rng = random.Random(3)
    for _ in range(3000):
        entries = [
            Entry("s", rng.choice(TYPES), None, rng.random() < 0.05, "x")
            for _ in range(rng.randint(0, 6))
        ]
        expected = max((entry_bump(e, policy) for e in entries), default=Bump.NONE)
        assert decide_bump(entries, policy, pre_major=False) is expected, entries


@pytest.mark.parametrize(
    "policy, expected",
    [
        (BumpPolicy(), Bump.NONE),
        (BumpPolicy(DEFAULT_SECTIONS + (Section("deps", "Dependencies"),)), Bump.PATCH),
    ],
    ids=["release-please-default-has-no-deps-section", "configured-deps-section"],
)
def test_a_deps_commit_releases_only_with_a_deps_section(policy, expected):
    entries = [Entry("s", "deps", None, False, "bump x to 2")]
    assert decide_bump(entries, policy, pre_major=False) is expected
    assert entry_bump(entries[0], policy) is expected
