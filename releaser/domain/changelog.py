"""Prepend a release entry to CHANGELOG.md, leaving everything already there byte-for-byte;
read back the version of the newest release headings."""

from __future__ import annotations

import re

from releaser.domain.version import parse_version

# A release heading: Release Please writes `## `, but older release-please and
# standard-version wrote `### [1.2.1]` for patches, and semantic-release writes `# [1.2.0]`
# (or `# 1.0.0` for a first release). At levels 1 and 3 only a version counts, so the file's
# `# Changelog` title and the sections inside a release stay where they are.
_FIRST_RELEASE = re.compile(r"^(?:## |(?:#|###) \[?v?\d+\.\d+\.\d+)", re.MULTILINE)


def prepend_entry(existing: str | None, entry: str) -> str:
    """Insert `entry` above the newest release; a new file starts with `# Changelog`."""
    entry = entry.rstrip("\n") + "\n"
    if not existing:
        return f"# Changelog\n\n{entry}"
    match = _FIRST_RELEASE.search(existing)
    if match is None:
        head = existing if existing.endswith("\n") else existing + "\n"
        return f"{head}\n{entry}"
    head, tail = existing[: match.start()], existing[match.start() :]
    if head and not head.endswith("\n\n"):
        head = head + ("\n" if head.endswith("\n") else "\n\n")
    return f"{head}{entry}\n{tail}"


_VERSION_AFTER_HASHES = re.compile(
    r"#+ \[?v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)"
)


def newest_versions(text: str | None, count: int = 1) -> tuple[str | None, ...]:
    """The versions of the newest `count` release headings, newest first (None for a release
    heading that names no version, such as `## Unreleased`)."""
    out: list[str | None] = []
    text = text or ""
    for match in _FIRST_RELEASE.finditer(text):
        if len(out) == count:
            break
        found = _VERSION_AFTER_HASHES.match(text, match.start())
        out.append(found.group(1) if found and parse_version(found.group(1)) else None)
    return tuple(out)
