"""Streaming sha256 of files releaser names: constant memory, never through a symlink."""

from __future__ import annotations

import hashlib
from pathlib import Path

from releaser import paths

SMALL = 64 * 1024
CHUNK = 1024 * 1024  # 1 MiB: past this, larger reads gain nothing (bench/results-model.md)


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


def hash_file(root: Path, rel: str) -> tuple[str, int]:
    """(sha256 hex, size) of `rel` under `root` through releaser.paths (no symlink, no .git,
    nothing outside `root`); FileNotFoundError when absent, PathRefused when refused."""
    with paths.open_file(root, rel) as handle:
        return sha256_of(handle)
