"""Bump policy and next-version rules, table-driven."""

from __future__ import annotations

import pytest

from releaser.domain.bump import Bump, BumpPolicy, Section, decide_bump
from releaser.domain.commits import Entry
from releaser.domain.version import Version, next_version


def entry(type_, breaking=False):
    return Entry("s", type_, None, breaking, "x")


@pytest.mark.parametrize(
    "types, pre_major, policy, expected",
    [
        ([("feat", False)], False, BumpPolicy(), Bump.MINOR),
        ([("fix", False)], False, BumpPolicy(), Bump.PATCH),
        ([("perf", False)], False, BumpPolicy(), Bump.PATCH),
        ([("revert", False)], False, BumpPolicy(), Bump.PATCH),
        ([("docs", False), ("chore", False)], False, BumpPolicy(), Bump.NONE),
        ([("chore", True)], False, BumpPolicy(), Bump.MAJOR),
        ([("fix", False), ("feat", True)], False, BumpPolicy(), Bump.MAJOR),
        ([("feat", True)], True, BumpPolicy(), Bump.MAJOR),
        ([("feat", True)], True, BumpPolicy(bump_minor_pre_major=True), Bump.MINOR),
        ([("feat", False)], True, BumpPolicy(bump_patch_for_minor_pre_major=True), Bump.PATCH),
        ([("feat", False)], False, BumpPolicy(bump_patch_for_minor_pre_major=True), Bump.MINOR),
        ([("docs", False)], False, BumpPolicy(sections=(Section("docs", "Docs"),)), Bump.PATCH),
        ([(None, False)], False, BumpPolicy(), Bump.NONE),
    ],
)
def test_decide_bump(types, pre_major, policy, expected):
    entries = [entry(t, b) for t, b in types]
    assert decide_bump(entries, policy, pre_major) is expected


V = Version.parse


@pytest.mark.parametrize(
    "stable, latest, bump, pre, expected",
    [
        ("1.2.3", "1.2.3", Bump.PATCH, None, "1.2.4"),
        ("1.2.3", "1.2.3", Bump.MINOR, None, "1.3.0"),
        ("1.2.3", "1.2.3", Bump.MAJOR, None, "2.0.0"),
        ("0.4.1", "0.4.1", Bump.MINOR, None, "0.5.0"),
        (None, None, Bump.PATCH, None, "1.0.0"),
        ("1.1.0", "1.1.0", Bump.MINOR, "rc", "1.2.0-rc.1"),
        ("1.1.0", "1.2.0-rc.1", Bump.MINOR, "rc", "1.2.0-rc.2"),
        ("1.1.0", "1.2.0-rc.2", Bump.MAJOR, "rc", "2.0.0-rc.1"),
        ("1.1.0", "1.2.0-rc.2", Bump.PATCH, "rc", "1.2.0-rc.3"),
        ("1.1.0", "1.2.0-rc.2", Bump.MINOR, None, "1.2.0"),
        ("1.1.0", "1.2.0-rc.2", Bump.NONE, None, "1.2.0"),
        ("1.1.0", "1.2.0-beta.3", Bump.MINOR, "rc", "1.2.0-rc.1"),
        (None, None, Bump.MINOR, "rc", "1.0.0-rc.1"),
        ("1.2.3", "1.2.3", Bump.NONE, None, None),
    ],
)
def test_next_version(stable, latest, bump, pre, expected):
    result = next_version(
        V(stable) if stable else None, V(latest) if latest else None, bump, V("1.0.0"), pre
    )
    assert (str(result.version) if result else None) == expected
