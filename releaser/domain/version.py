"""Compute the next version from the previous ones, a bump and the prerelease channel."""

from __future__ import annotations

from dataclasses import dataclass

import semver

from releaser.domain.bump import Bump

Version = semver.Version


def parse_version(text: str) -> Version | None:
    """A SemVer version, or None when the text is not one (a value, never an exception)."""
    try:
        return Version.parse(text)
    except (ValueError, TypeError):
        return None


def apply_bump(previous: Version, bump: Bump) -> Version:
    if bump is Bump.MAJOR:
        return previous.bump_major()
    if bump is Bump.MINOR:
        return previous.bump_minor()
    if bump is Bump.PATCH:
        return previous.bump_patch()
    return previous


@dataclass(frozen=True, slots=True)
class NextVersion:
    version: Version
    bump_label: str  # major | minor | patch | prerelease


def next_version(
    stable: Version | None,
    latest: Version | None,
    bump: Bump,
    initial: Version,
    prerelease: str | None,
) -> NextVersion | None:
    """`stable` is the newest plain release, `latest` the newest tag including prereleases.

    The bump is measured from `stable`, so a prerelease series keeps its target while later
    commits raise it (1.1.0-rc.1 then a breaking change gives 2.0.0-rc.1).
    """
    if bump is Bump.NONE:
        if prerelease is None and latest is not None and latest.prerelease:
            return NextVersion(latest.finalize_version(), "patch")
        return None
    target = initial if stable is None else apply_bump(stable, bump)
    if latest is not None and latest.prerelease and latest.finalize_version() > target:
        # An earlier, larger prerelease series already aims higher: keep aiming there.
        target = latest.finalize_version()
    label = bump.label
    if prerelease is None:
        return NextVersion(target, label)
    if (
        latest is not None
        and latest.prerelease
        and latest.finalize_version() == target
        and latest.prerelease.split(".")[0] == prerelease
    ):
        return NextVersion(latest.bump_prerelease(token=prerelease), "prerelease")
    return NextVersion(target.replace(prerelease=f"{prerelease}.1"), "prerelease")
