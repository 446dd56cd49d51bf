"""Which pull request brought each commit: hints read from messages, and merge-commit sides.

Pure. A hint is only a guess; the evidence gatherer confirms it against GitHub (the PR's
`merge_commit_sha` must be the commit) before anything is recorded.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# GitHub's squash title "subject (#12)" and merge title "Merge pull request #12 from o/b".
_SQUASH = re.compile(r"\(#(\d+)\)\s*$")
_MERGE = re.compile(r"^Merge pull request #(\d+) from \S")


def pr_hint(message: str) -> int | None:
    subject = message.split("\n", 1)[0].strip()
    found = _MERGE.match(subject) or _SQUASH.search(subject)
    return int(found.group(1)) if found else None


def _ancestors(start: tuple[str, ...], parents: Mapping[str, tuple[str, ...]]) -> set[str]:
    seen: set[str] = set()
    stack = [s for s in start if s in parents]
    while stack:
        sha = stack.pop()
        if sha in seen:
            continue
        seen.add(sha)
        stack.extend(p for p in parents[sha] if p in parents and p not in seen)
    return seen


def merged_side(merge: str, parents: Mapping[str, tuple[str, ...]]) -> set[str]:
    """Commits of the range (`parents` holds exactly the range) that `merge` brought in: those
    reachable from its second and later parents but not from its first."""
    own = parents.get(merge, ())
    if len(own) < 2:
        return set()
    return _ancestors(own[1:], parents) - _ancestors(own[:1], parents)
