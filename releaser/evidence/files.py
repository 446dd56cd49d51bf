"""Glob resolution inside the workspace, size caps and streaming sha256 for evidence inputs."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from releaser import paths
from releaser.domain.evidence import Artifact, Note
from releaser.errors import EvidenceError

DEFAULT_MAX_BYTES = 2 * 1024**3  # release assets on GitHub are capped at 2 GiB


@dataclass(frozen=True, slots=True)
class Resolved:
    """Files that matched, in a stable order, plus what was left out and why."""

    files: tuple[Path, ...]
    skipped: tuple[Note, ...] = ()
    warnings: tuple[Note, ...] = ()


def sha256_file(path: Path, chunk: int = 1024 * 1024, root: Path | None = None) -> str:
    """Streaming sha256; with `root`, `path` is a user-named file read through releaser.paths."""
    with _open(path, root) as handle:
        return _sha256(handle, chunk)


def _sha256(handle: BinaryIO, chunk: int = 1024 * 1024) -> str:
    digest = hashlib.sha256()
    while block := handle.read(chunk):
        digest.update(block)
    return digest.hexdigest()


def _open(path: Path, root: Path | None) -> BinaryIO:
    return path.open("rb") if root is None else paths.open_file(root, path)


def _check_pattern(pattern: str) -> None:
    why = paths.problem(pattern)
    if why is not None:
        raise EvidenceError(
            f"evidence path {pattern!r} must be a glob relative to the workspace: it {why}",
            hint="no absolute paths, no '..' and nothing inside .git",
        )


def check_patterns(patterns: Sequence[str]) -> None:
    """Refuse an absolute, '..' or .git pattern (EvidenceError) before anything is written."""
    for pattern in patterns:
        _check_pattern(pattern)


def resolve_globs(
    workspace: Path,
    patterns: Sequence[str],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    fail_on_missing: bool = False,
) -> Resolved:
    """Expand each glob under `workspace` through releaser.paths: no symlink is followed and
    nothing inside .git matches; what was refused is skipped with its reason.

    A pattern matching nothing is a warning, or an EvidenceError when `fail_on_missing`.
    Oversize or unreadable files are skipped with a reason.
    """
    root = workspace.resolve()
    found: dict[Path, None] = {}
    skipped: dict[str, Note] = {}
    warnings: list[Note] = []
    for pattern in patterns:
        _check_pattern(pattern)
        matches = paths.glob(root, pattern)
        for refusal in matches.refused:
            skipped.setdefault(refusal.path, Note(refusal.path, f"refused: {refusal.reason}"))
        for rel in matches.files:
            shown = rel.as_posix()
            try:
                with paths.open_file(root, rel) as handle:
                    size = os.fstat(handle.fileno()).st_size
            except paths.PathRefused as exc:
                skipped.setdefault(shown, Note(shown, f"refused: {exc.reason}"))
                continue
            except OSError as exc:
                skipped.setdefault(shown, Note(shown, f"unreadable: {exc.strerror or exc}"))
                continue
            if size > max_bytes:
                note = Note(shown, f"{size} bytes is over the {max_bytes}-byte limit")
                skipped.setdefault(shown, note)
                continue
            found.setdefault(root / rel, None)
        if not matches.files and not matches.refused:
            if fail_on_missing:
                raise EvidenceError(f"evidence path {pattern!r} matched no file")
            warnings.append(Note(pattern, "matched no file"))
    return Resolved(tuple(found), tuple(skipped.values()), tuple(warnings))


def artifacts_from(files: Sequence[Path], root: Path | None = None) -> tuple[Artifact, ...]:
    """Artifacts named by their base name, as release assets are; two with one name is an error.

    With `root`, each file is read through releaser.paths (no symlink, nothing in .git)."""
    seen: dict[str, Path] = {}
    out = []
    for path in files:
        if path.name in seen:
            raise EvidenceError(
                f"two artifacts would both be uploaded as {path.name!r}: {seen[path.name]}, {path}"
            )
        seen[path.name] = path
        with _open(path, root) as handle:
            size, digest = os.fstat(handle.fileno()).st_size, _sha256(handle)
        out.append(Artifact(path.name, size, digest))
    return tuple(sorted(out, key=lambda a: a.name))
