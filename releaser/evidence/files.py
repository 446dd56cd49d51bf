"""Glob resolution inside the workspace, size caps and streaming sha256 for evidence inputs."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from releaser.domain.evidence import Artifact, Note
from releaser.errors import EvidenceError

DEFAULT_MAX_BYTES = 2 * 1024**3  # release assets on GitHub are capped at 2 GiB


@dataclass(frozen=True, slots=True)
class Resolved:
    """Files that matched, in a stable order, plus what was left out and why."""

    files: tuple[Path, ...]
    skipped: tuple[Note, ...] = ()
    warnings: tuple[Note, ...] = ()


def sha256_file(path: Path, chunk: int = 1024 * 1024) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def _check_pattern(pattern: str) -> None:
    pure = PurePosixPath(pattern)
    if not pattern or pure.is_absolute() or Path(pattern).is_absolute() or ".." in pure.parts:
        raise EvidenceError(
            f"evidence path {pattern!r} must be a glob relative to the workspace",
            hint="no absolute paths and no '..'",
        )


def resolve_globs(
    workspace: Path,
    patterns: Sequence[str],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    fail_on_missing: bool = False,
) -> Resolved:
    """Expand each glob under `workspace`; never follow a symlink out of it.

    A pattern matching nothing is a warning, or an EvidenceError when `fail_on_missing`.
    Oversize or unreadable files are skipped with a reason.
    """
    root = workspace.resolve()
    found: dict[Path, None] = {}
    skipped: list[Note] = []
    warnings: list[Note] = []
    for pattern in patterns:
        _check_pattern(pattern)
        matched = False
        for candidate in sorted(root.glob(pattern)):
            shown = candidate.relative_to(root).as_posix()
            real = candidate.resolve()
            if not real.is_relative_to(root):
                skipped.append(Note(shown, "resolves outside the workspace"))
                continue
            if not real.is_file():
                continue
            matched = True
            try:
                size = real.stat().st_size
                with real.open("rb"):
                    pass
            except OSError as exc:
                skipped.append(Note(shown, f"unreadable: {exc.strerror or exc}"))
                continue
            if size > max_bytes:
                skipped.append(Note(shown, f"{size} bytes is over the {max_bytes}-byte limit"))
                continue
            found.setdefault(candidate, None)
        if not matched:
            if fail_on_missing:
                raise EvidenceError(f"evidence path {pattern!r} matched no file")
            warnings.append(Note(pattern, "matched no file"))
    return Resolved(tuple(found), tuple(skipped), tuple(warnings))


def artifacts_from(paths: Sequence[Path]) -> tuple[Artifact, ...]:
    """Artifacts named by their base name, as release assets are; two with one name is an error."""
    seen: dict[str, Path] = {}
    out = []
    for path in paths:
        if path.name in seen:
            raise EvidenceError(
                f"two artifacts would both be uploaded as {path.name!r}: {seen[path.name]}, {path}"
            )
        seen[path.name] = path
        out.append(Artifact(path.name, path.stat().st_size, sha256_file(path)))
    return tuple(sorted(out, key=lambda a: a.name))
