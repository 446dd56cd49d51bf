"""Streaming sha256 of files releaser names: constant memory, never through a symlink."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

from releaser import paths

SMALL = 64 * 1024
CHUNK = 1024 * 1024  # 1 MiB: past this, larger reads gain nothing (bench/results-model.md)

# What identifies one version of a file: device, inode, size, and the modification and change
# times in nanoseconds (ctime cannot be set back by a user; any write moves it).
Identity = tuple[int, int, int, int, int]
# (workspace-relative path, identity of the open file) -> (sha256 hex, size) known already,
# or None (then the file is hashed here).
Known = Callable[[str, Identity], "tuple[str, int] | None"]


def sha256_of(handle) -> tuple[str, int]:
    """(sha256 hex, size) of an open binary file, read into one reused buffer (a small file
    is read in one call, so 10,000 small files cost no 10,000 buffers)."""
    hasher = hashlib.sha256()
    head = handle.read(SMALL)
    hasher.update(head)
    size = len(head)
    if size < SMALL:
        return hasher.hexdigest(), size
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    while True:
        count = handle.readinto(buffer)
        if not count:
            break
        hasher.update(view[:count])
        size += count
    return hasher.hexdigest(), size


def identity(handle) -> Identity:
    st = os.fstat(handle.fileno())
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def hash_file(root: Path, rel: str, known: Known | None = None) -> tuple[str, int]:
    """(sha256 hex, size) of `rel` under `root` through releaser.paths (no symlink, no .git,
    nothing outside `root`); FileNotFoundError when absent, PathRefused when refused.
    `known` may answer for the open file by its identity (releaser.models.prehash)."""
    with paths.open_file(root, rel) as handle:
        if known is not None:
            found = known(rel, identity(handle))
            if found is not None:
                return found
        return sha256_of(handle)


def hash_identified(root: Path, rel: str) -> tuple[str, int, Identity]:
    """hash_file's answer and the identity of the file it read; OSError when the file
    changed while it was read (its identity before and after differ)."""
    with paths.open_file(root, rel) as handle:
        before = identity(handle)
        digest, size = sha256_of(handle)
        if identity(handle) != before or size != before[2]:
            raise OSError(f"{rel}: changed while it was hashed")
    return digest, size, before
