"""Workspace globbing: no escape through '..' or symlinks, stable order, streaming sha256."""

from __future__ import annotations

import hashlib

import pytest

from releaser.errors import EvidenceError
from releaser.evidence.files import artifacts_from, resolve_globs, sha256_file


def test_globs_stay_inside_the_workspace(tmp_path):
    work = tmp_path / "work"
    (work / "dist" / "sub").mkdir(parents=True)
    (work / "dist" / "b.whl").write_bytes(b"b")
    (work / "dist" / "sub" / "a.tar.gz").write_bytes(b"a")
    (tmp_path / "secret").write_text("outside")
    (work / "dist" / "link").symlink_to(tmp_path / "secret")
    resolved = resolve_globs(work, ["dist/**/*"])
    assert [p.name for p in resolved.files] == ["b.whl", "a.tar.gz"]
    assert [(n.item, n.reason) for n in resolved.skipped] == [
        ("dist/link", "resolves outside the workspace")
    ]
    for bad in ("../secret", "/etc/passwd", "dist/../../secret", ""):
        with pytest.raises(EvidenceError):
            resolve_globs(work, [bad])


def test_sha256_streams_and_artifacts_need_unique_names(tmp_path):
    data = bytes(range(256)) * 10000
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    (tmp_path / "x" / "f.bin").write_bytes(data)
    (tmp_path / "y" / "f.bin").write_bytes(b"other")
    assert sha256_file(tmp_path / "x" / "f.bin", chunk=4096) == hashlib.sha256(data).hexdigest()
    (art,) = artifacts_from([tmp_path / "x" / "f.bin"])
    assert (art.name, art.size) == ("f.bin", len(data))
    with pytest.raises(EvidenceError, match="both be uploaded"):
        artifacts_from([tmp_path / "x" / "f.bin", tmp_path / "y" / "f.bin"])
