"""Decide the SemVer bump a set of entries asks for."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum

from releaser.domain.commits import Entry


class Bump(IntEnum):
    NONE = 0
    PATCH = 1
    MINOR = 2
    MAJOR = 3

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Section:
    type: str
    section: str
    hidden: bool = False


# Release Please's generic defaults, so migrating repositories see the same CHANGELOG.md. There
# is no `deps` section: a repository that wants one adds it to `changelog-sections`.
DEFAULT_SECTIONS: tuple[Section, ...] = (
    Section("feat", "Features"),
    Section("feature", "Features"),
    Section("fix", "Bug Fixes"),
    Section("perf", "Performance Improvements"),
    Section("revert", "Reverts"),
    Section("docs", "Documentation", True),
    Section("style", "Styles", True),
    Section("chore", "Miscellaneous Chores", True),
    Section("refactor", "Code Refactoring", True),
    Section("test", "Tests", True),
    Section("tests", "Tests", True),
    Section("build", "Build System", True),
    Section("ci", "Continuous Integration", True),
)

_MINOR_TYPES = frozenset({"feat", "feature"})


@dataclass(frozen=True, slots=True)
class BumpPolicy:
    sections: tuple[Section, ...] = DEFAULT_SECTIONS
    bump_minor_pre_major: bool = False
    bump_patch_for_minor_pre_major: bool = False

    def visible(self, type_: str | None) -> bool:
        return any(s.type == type_ and not s.hidden for s in self.sections)


_PATCH_TYPES = frozenset({"fix", "perf", "revert"})


def decide_bump(entries: Iterable[Entry], policy: BumpPolicy, pre_major: bool) -> Bump:
    """The release bump is the largest any entry asks for, softened before 1.0.0 if configured."""
    # What each entry asks for, with the section lookup done once and a stop at the top.
    patch_types = _PATCH_TYPES | {s.type for s in policy.sections if not s.hidden}
    found = 0
    for entry in entries:
        if entry.breaking and entry.type is not None:
            found = 3
            break
        if entry.type in _MINOR_TYPES:
            found = 2
        elif found == 0 and entry.type in patch_types:
            found = 1
    return soften(Bump(found), policy, pre_major)


def soften(bump: Bump, policy: BumpPolicy, pre_major: bool) -> Bump:
    """The pre-1.0 rules: before 1.0.0 a bump may be configured one step smaller. They apply
    to a model's manifest bump as to the commits' bump."""
    if pre_major:
        if bump is Bump.MAJOR and policy.bump_minor_pre_major:
            return Bump.MINOR
        if bump is Bump.MINOR and policy.bump_patch_for_minor_pre_major:
            return Bump.PATCH
    return bump
