"""The one place a file named by a user is resolved: under the workspace, never through a
symlink, never inside .git; every refusal names the path and says why."""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from releaser.errors import ReleaserError

SYMLINK = "a symlink; releaser never follows links in files you name"
INSIDE_GIT = "inside .git; releaser never reads the repository's own files"
OUTSIDE = "outside the workspace"
_WILDCARDS = frozenset("*?[")
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


class PathRefused(ReleaserError):
    """A user-named path releaser will not read; `path` and `reason` say which and why."""

    exit_code = 2

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: refused: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Refusal:
    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class Matches:
    """What a glob matched (regular files, relative, sorted) and what it refused."""

    files: tuple[PurePosixPath, ...]
    refused: tuple[Refusal, ...]


def _is_git(name: str) -> bool:
    # Case-folding filesystems (macOS, Windows) open .GIT as .git; Windows also drops
    # trailing dots and spaces.
    return name.rstrip(". ").casefold() == ".git"


def problem(text: str) -> str | None:
    """Why `text` cannot name a path inside the workspace, or None."""
    if not text:
        return "is empty"
    if "\x00" in text or any(ord(c) < 32 for c in text):
        return "has a control character"
    if "\\" in text:
        return "has a backslash; use '/' between directories"
    if text.startswith("/") or (len(text) > 1 and text[1] == ":" and text[0].isalpha()):
        return f"is absolute; {OUTSIDE} (give it relative to the repository's top level)"
    parts = text.split("/")
    if ".." in parts:
        return f"has a '..' segment; {OUTSIDE}"
    if any(_is_git(p) for p in parts):
        return INSIDE_GIT
    return None


def check(text: str) -> PurePosixPath:
    """`text` as a relative path inside the workspace, or PathRefused."""
    why = problem(text)
    if why is not None:
        raise PathRefused(repr(text), why)
    return PurePosixPath(text)


def _relative(root: Path, path: str | os.PathLike) -> PurePosixPath:
    if isinstance(path, Path) and path.is_absolute():
        try:
            path = path.relative_to(root).as_posix()
        except ValueError:
            raise PathRefused(str(path), OUTSIDE) from None
    rel = check(os.fspath(path))
    if not rel.parts:
        raise PathRefused(repr(os.fspath(path)), "names the workspace itself, not a file")
    return rel


def _refuse_link(name: str, dir_fd: int, shown: str, exc: OSError) -> None:
    """Raise PathRefused when `name` is a symlink; otherwise re-raise `exc`."""
    try:
        st = os.lstat(name, dir_fd=dir_fd)
    except OSError:
        raise exc from None
    if stat.S_ISLNK(st.st_mode):
        raise PathRefused(shown, SYMLINK) from None
    raise exc


def open_file(root: Path, path: str | os.PathLike) -> BinaryIO:
    """Open the regular file `path` (relative, or absolute under `root`) for reading.

    Each directory is opened relative to the one before with O_NOFOLLOW, and the file itself
    too, so a symlink anywhere below `root` is refused even if it appears while we look.
    A missing file raises FileNotFoundError; anything refused raises PathRefused.
    """
    rel = _relative(root, path)
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | _CLOEXEC)
    try:
        done: list[str] = []
        for part in rel.parts[:-1]:
            done.append(part)
            try:
                nxt = os.open(
                    part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | _CLOEXEC, dir_fd=fd
                )
            except OSError as exc:
                if exc.errno not in (errno.ELOOP, errno.ENOTDIR):
                    raise
                _refuse_link(part, fd, "/".join(done), exc)
            os.close(fd)
            fd = nxt
        name, shown = rel.parts[-1], rel.as_posix()
        try:
            # O_NONBLOCK: a FIFO planted under the name must not hang the run.
            flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | _CLOEXEC
            handle = os.open(name, flags, dir_fd=fd)
        except OSError as exc:
            if exc.errno != errno.ELOOP:
                raise
            _refuse_link(name, fd, shown, exc)
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            os.close(handle)
            raise PathRefused(shown, "not a regular file")
        os.set_blocking(handle, True)
        return os.fdopen(handle, "rb")
    finally:
        os.close(fd)


def read_bytes(root: Path, path: str | os.PathLike, max_bytes: int | None = None) -> bytes:
    """The content of `path` under `root` (see open_file); OSError(EFBIG) past `max_bytes`."""
    with open_file(root, path) as handle:
        if max_bytes is None:
            return handle.read()
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise OSError(errno.EFBIG, f"over the {max_bytes}-byte limit")
    return data


def glob(root: Path, pattern: str) -> Matches:
    """Regular files under `root` matching `pattern` ('*', '?', '[...]' within a segment and
    '**' for any number of directories, dot files included).

    The walk never enters or matches .git and never follows a symlink: a link the pattern
    names is refused, a linked directory is not descended. Raises PathRefused for a pattern
    that is absolute, has '..' or names .git.
    """
    segments = tuple(p for p in check(pattern).as_posix().split("/") if p not in ("", "."))
    files: dict[PurePosixPath, None] = {}
    refused: dict[str, str] = {}
    _walk(str(root), PurePosixPath(), segments, files, refused)
    return Matches(
        tuple(sorted(files, key=lambda p: p.parts)),
        tuple(Refusal(p, r) for p, r in sorted(refused.items())),
    )


def _entries(directory: str, segment: str):
    """(name, DirEntry-like) in `directory` that `segment` matches, .git left out."""
    if not _WILDCARDS & set(segment):
        try:
            st = os.lstat(os.path.join(directory, segment))
        except OSError:
            return []
        return [(segment, st)]
    try:
        with os.scandir(directory) as it:
            found = [(e.name, e) for e in it if fnmatchcase(e.name, segment)]
    except OSError:
        return []
    out = []
    for name, entry in found:
        try:
            out.append((name, entry.stat(follow_symlinks=False)))
        except OSError:
            continue
    return sorted(out, key=lambda item: item[0])


def _walk(directory: str, rel: PurePosixPath, segments, files, refused) -> None:
    if not segments:
        return
    segment, rest = segments[0], segments[1:]
    if segment == "**":
        if rest:
            _walk(directory, rel, rest, files, refused)
        for name, st in _entries(directory, "*"):
            if _is_git(name):
                continue
            if stat.S_ISLNK(st.st_mode):
                if not rest:  # a trailing '**' names every file below, links too
                    refused[(rel / name).as_posix()] = SYMLINK
                continue  # a linked directory is not descended
            if stat.S_ISDIR(st.st_mode):
                _walk(os.path.join(directory, name), rel / name, segments, files, refused)
            elif not rest and stat.S_ISREG(st.st_mode):
                files.setdefault(rel / name, None)
        return
    for name, st in _entries(directory, segment):
        if _is_git(name):
            continue
        shown = (rel / name).as_posix()
        if stat.S_ISLNK(st.st_mode):
            refused[shown] = SYMLINK
        elif rest and stat.S_ISDIR(st.st_mode):
            _walk(os.path.join(directory, name), rel / name, rest, files, refused)
        elif not rest and stat.S_ISREG(st.st_mode):
            files.setdefault(rel / name, None)
        elif not rest and not stat.S_ISDIR(st.st_mode):
            refused[shown] = "not a regular file"
