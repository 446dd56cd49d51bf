"""Prepend a release entry to CHANGELOG.md, leaving everything already there byte-for-byte."""

from __future__ import annotations

import re

_FIRST_RELEASE = re.compile(r"^## ", re.MULTILINE)


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
