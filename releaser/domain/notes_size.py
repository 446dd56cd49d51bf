"""Fit release notes into GitHub's size limits: cut at an entry, point to the CHANGELOG."""

from __future__ import annotations

from releaser.domain.markdown import escape_inline

# GitHub refuses a pull request body over 65,536 characters and a release body over 125,000.
PULL_BODY_LIMIT = 65536
RELEASE_BODY_LIMIT = 125000
# Room kept in a release body for the evidence footer appended to the notes at publish time.
FOOTER_ROOM = 8000


def _pointer(left_out: int, changelog: str) -> str:
    entries = "entry is" if left_out == 1 else "entries are"
    return (
        f"**Cut short:** {left_out} more {entries} not shown here, as GitHub limits the size of"
        f" this text; {escape_inline(changelog)} has the complete notes."
    )


def _starts_entry(line: str) -> bool:
    return line.startswith(("* ", "#"))


def cap_notes(notes: str, limit: int, changelog: str = "CHANGELOG.md") -> str:
    """`notes` when they fit in `limit` characters; else the longest run of whole entries
    (cut before an entry or a heading) that fits, followed by a line pointing to the CHANGELOG."""
    if len(notes) <= limit:
        return notes
    lines = notes.rstrip("\n").split("\n")
    entries = sum(1 for line in lines if line.startswith("* "))
    size = 0
    seen = 0  # entries in lines[:index]
    keep = 0  # lines[:keep] is the longest prefix ending before an entry or heading that fits
    for index, line in enumerate(lines):
        if _starts_entry(line):
            if size + len(_pointer(entries - seen, changelog)) + 2 > limit:
                break
            keep = index
        seen += line.startswith("* ")
        size += len(line) + 1
    head = lines[:keep]
    while head and (not head[-1].strip() or head[-1].startswith("###")):
        head.pop()  # no heading left without its entries
    left_out = entries - sum(1 for line in head if line.startswith("* "))
    out = "\n".join([*head, "", _pointer(left_out, changelog)]) + "\n"
    return out if len(out) <= limit else out[-limit:]
