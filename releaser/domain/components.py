"""Which commits of one history walk belong to which component of a monorepo (pure).

A component owns the commits of `tag..HEAD` (all of HEAD without a tag) that change a path at
or under its directory, as `git log --full-history tag..HEAD -- dir` lists them; the root
component "." owns every commit of its range. One walk over the union of the ranges, with the
paths each commit changed, answers that for every component at once:

- path: each changed path is looked up by its leading directories in a dict of component
  paths, so the cost is the path's depth, not the number of components;
- range: a commit is outside a component's range when the component's tag reaches it. One bit
  per distinct tag, propagated from each tagged commit to its parents through the walk in
  topological order (children before parents), marks every commit with the tags reaching it.
  That is reachability, not date order, so merged branches and clock skew do not matter.
- merges: a component under a directory owns no merge commit, as `git log --full-history
  --no-merges -- dir` lists them (the commits the merge brought in are its own); only the root
  component "." owns merges, so a conventional merge title counts for the root.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from releaser.domain.commits import RawCommit


@dataclass(frozen=True, slots=True)
class ChangedCommit:
    raw: RawCommit
    paths: frozenset[str]  # changed against its parent (the empty tree for a root commit)


def indexable(path: str) -> bool:
    """Whether a component path is a plain directory path that prefix lookup matches exactly
    as git's pathspec does ("." is the whole repository)."""
    if path == ".":
        return True
    return all(part not in ("", ".", "..") for part in path.split("/"))


class PathIndex:
    """Component paths -> component indices, looked up by a changed path's leading parts."""

    def __init__(self, paths: Sequence[str]) -> None:
        self._by_path: dict[str, list[int]] = {}
        self._dirs: dict[str, tuple[int, ...]] = {}  # a directory -> the components holding it
        self.everywhere = tuple(i for i, p in enumerate(paths) if p == ".")
        for index, path in enumerate(paths):
            if path != ".":
                self._by_path.setdefault(path, []).append(index)

    def _holding(self, directory: str) -> tuple[int, ...]:
        """Components whose path is `directory` or one of its leading directories."""
        found: list[int] = []
        start = 0
        while True:
            cut = directory.find("/", start)
            found += self._by_path.get(directory if cut < 0 else directory[:cut], ())
            if cut < 0:
                return tuple(found)
            start = cut + 1

    def owners(self, changed: frozenset[str]) -> set[int]:
        """The components whose directory holds (or is) one of the changed paths."""
        found: set[int] = set(self.everywhere)
        by_path, dirs = self._by_path, self._dirs
        for name in changed:
            exact = by_path.get(name)
            if exact:
                found.update(exact)
            cut = name.rfind("/")
            if cut > 0:
                directory = name[:cut]
                hits = dirs.get(directory)
                if hits is None:
                    hits = dirs[directory] = self._holding(directory)
                if hits:
                    found.update(hits)
        return found


def reached_by(commits: Sequence[ChangedCommit], bits: dict[str, int]) -> list[int]:
    """For each commit, the OR of the bits of the tagged commits (sha -> bit) that reach it.

    Commits outside `commits` are ignored: every path from a tagged commit in the walk down to
    a commit in the walk stays inside the walk (the walk is HEAD minus what all tags reach).
    """
    masks = [bits.get(c.raw.sha, 0) for c in commits]
    if not bits:
        return masks
    where = {c.raw.sha: n for n, c in enumerate(commits)}
    children = [0] * len(commits)
    for commit in commits:
        for parent in commit.raw.parents:
            n = where.get(parent)
            if n is not None:
                children[n] += 1
    ready = [n for n, count in enumerate(children) if count == 0]
    while ready:
        n = ready.pop()
        mask = masks[n]
        for parent in commits[n].raw.parents:
            p = where.get(parent)
            if p is None:
                continue
            if mask:
                masks[p] |= mask
            children[p] -= 1
            if children[p] == 0:
                ready.append(p)
    return masks


def assign(
    commits: Sequence[ChangedCommit], paths: Sequence[str], since: Sequence[str | None]
) -> list[list[int]]:
    """For each component (its path and the sha of the tag its range starts after, or None),
    the indices into `commits` it owns, in walk order."""
    bits: dict[str, int] = {}
    for sha in since:
        if sha is not None and sha not in bits:
            bits[sha] = 1 << len(bits)
    own_bit = [bits[sha] if sha is not None else 0 for sha in since]
    masks = reached_by(commits, bits)
    index = PathIndex(paths)
    members: list[list[int]] = [[] for _ in paths]
    for n, commit in enumerate(commits):
        mask = masks[n]
        owners: Iterable[int]
        if len(commit.raw.parents) > 1:
            owners = index.everywhere
        else:
            owners = index.owners(commit.paths)
        for component in owners:
            if not mask & own_bit[component]:
                members[component].append(n)
    return members
