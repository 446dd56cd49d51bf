"""One `git log` over a range with each commit's changed paths (for monorepo plans).

A monorepo plan needs, for every component, the commits of `tag..HEAD` that touch its path.
Asking git once per component walks the same history once per component; this module asks
once, for the union of the ranges, with the paths each commit changed, so the caller can
assign commits to components itself (releaser/domain/components.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from releaser.domain.commits import RawCommit
from releaser.domain.components import ChangedCommit

# No trailing NUL: -z ends each commit's format with one.
_FORMAT = "--format=%H%x00%P%x00%aN%x00%B"
# -z: NUL-terminated raw entries and paths, never quoted. --raw rather than --name-only: each
# entry then starts with ':', which a commit's sha never does, so the two cannot be confused.
# --no-renames: a rename touches both paths (as the pathspec TREESAME test sees it), not only
# the new one. --root: the first commit's files, as `git log -- path` compares it with the
# empty tree. Merges get no paths here (what they show, if anything, is ignored): a merge
# belongs to no component under a directory (see releaser/domain/components.py).
_ARGS = ("log", _FORMAT, "-z", "--raw", "--no-renames", "--no-abbrev", "--root")


def log_args(start: str, exclude: Iterable[str]) -> list[str]:
    """The arguments (after `git`) for start's history minus what every `exclude` reaches."""
    return [*_ARGS, start, *(f"^{sha}" for sha in exclude), "--"]


def _text(field: str) -> str:
    """A field decoded with surrogateescape, as decoding its bytes with "replace" gives it."""
    if field.isascii():
        return field
    return field.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def changed_commits(chunks: Iterable[bytes]) -> Iterator[ChangedCommit]:
    """ChangedCommits from `log_args` output as it streams in (a merge's paths left empty).

    Each chunk is cut after its last NUL and decoded as a whole with surrogateescape (NUL is
    never inside a UTF-8 sequence), so paths keep undecodable bytes distinct while messages
    read as the plain log parser reads them. Fields of a record cut by the chunk's end wait in
    `carry` for the next chunk.
    """
    pending = b""
    carry: list[str] = []
    current: RawCommit | None = None
    paths: set[str] = set()
    for chunk in _with_end(chunks):
        if chunk is None:
            if not pending:
                break
            work = [*carry, pending.decode("utf-8", "surrogateescape")]
        else:
            buf = pending + chunk if pending else chunk
            cut = buf.rfind(b"\0")
            if cut < 0:
                pending = buf
                continue
            pending = buf[cut + 1 :]
            work = buf[:cut].decode("utf-8", "surrogateescape").split("\0")
            if carry:
                work = carry + work
        i, end = 0, len(work)
        while i < end:
            token = work[i]
            if token[:1] == "\n":
                token = token.lstrip("\n")
            if token[:1] == ":":
                # ":mode mode sha sha STATUS", then one path (two for a copy or rename).
                size = 3 if token.rsplit(" ", 1)[-1][:1] in ("R", "C") else 2
                if i + size > end:
                    break
                paths.update(work[i + 1 : i + size])
                i += size
                continue
            if i + 4 > end:
                break
            sha = token.strip()
            if current is None or current.sha != sha:
                if current is not None:
                    yield _changed(current, paths)
                    paths = set()
                parents, author, message = work[i + 1 : i + 4]
                current = RawCommit(sha, _text(message), tuple(parents.split()), _text(author))
            i += 4
        carry = work[i:]
    if current is not None:
        yield _changed(current, paths)


def _with_end(chunks: Iterable[bytes]) -> Iterator[bytes | None]:
    yield from chunks
    yield None


def _changed(raw: RawCommit, paths: set[str]) -> ChangedCommit:
    return ChangedCommit(raw, frozenset() if len(raw.parents) > 1 else frozenset(paths))
