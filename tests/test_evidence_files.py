"""Workspace globbing: no escape through '..' or symlinks, nothing from .git, stable order,
streaming sha256."""

from __future__ import annotations

import hashlib

import pytest

from releaser.errors import EvidenceError
from releaser.evidence.files import artifacts_from, resolve_globs, sha256_file
from releaser.evidence.junit import collect_junit
from releaser.paths import SYMLINK

REFUSED_LINK = f"refused: {SYMLINK}"


def test_globs_stay_inside_the_workspace(tmp_path):
    work = tmp_path / "work"
    (work / "dist" / "sub").mkdir(parents=True)
    (work / "dist" / "b.whl").write_bytes(b"b")
    (work / "dist" / "sub" / "a.tar.gz").write_bytes(b"a")
    (tmp_path / "secret").write_text("outside")
    (work / "dist" / "link").symlink_to(tmp_path / "secret")
    resolved = resolve_globs(work, ["dist/**/*"])
    assert [p.name for p in resolved.files] == ["b.whl", "a.tar.gz"]
    assert [(n.item, n.reason) for n in resolved.skipped] == [("dist/link", REFUSED_LINK)]
    for bad in ("../secret", "/etc/passwd", "dist/../../secret", "", ".git/config", ".GIT/*"):
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


def _checkout(tmp_path):
    """A workspace whose .git/config holds credentials, as actions/checkout leaves it."""
    work = tmp_path / "work"
    (work / ".git").mkdir(parents=True)
    (work / ".git" / "config").write_text("[http]\n\textraheader = AUTHORIZATION: basic eA==\n")
    (work / "dist").mkdir()
    (work / "dist" / "app.tar.gz").write_bytes(b"app")
    return work


def _names(resolved):
    return [p.name for p in resolved.files], [(n.item, n.reason) for n in resolved.skipped]


def test_a_committed_symlink_into_git_is_refused_not_uploaded(tmp_path):
    work = _checkout(tmp_path)
    (work / "dist" / "build-info.txt").symlink_to("../.git/config")
    assert _names(resolve_globs(work, ["dist/*"])) == (
        ["app.tar.gz"],
        [("dist/build-info.txt", REFUSED_LINK)],
    )


@pytest.mark.parametrize("pattern", ["*/*", "**/config", "**", "**/*", "*/conf*", ".?it/*"])
def test_globs_never_match_inside_git(tmp_path, pattern):
    work = _checkout(tmp_path)
    (work / "sub" / ".Git").mkdir(parents=True)  # case-folding filesystems open it as .git
    (work / "sub" / ".Git" / "config").write_text("x")
    resolved = resolve_globs(work, [pattern])
    assert all(".git" not in p.as_posix().lower() for p in resolved.files), resolved.files
    assert resolved.skipped == ()


def test_a_symlink_to_a_file_outside_the_workspace_is_refused(tmp_path):
    work = _checkout(tmp_path)
    (tmp_path / "secret.txt").write_text("outside")
    (work / "dist" / "notes.txt").symlink_to(tmp_path / "secret.txt")
    assert _names(resolve_globs(work, ["dist/*.txt"])) == (
        [],
        [("dist/notes.txt", REFUSED_LINK)],
    )


@pytest.mark.parametrize("target", ["outside", "work/.git", "work/dist"])
def test_a_symlinked_directory_is_not_followed(tmp_path, target):
    work = _checkout(tmp_path)
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "key.pem").write_text("secret")
    (work / "out").symlink_to(tmp_path / target, target_is_directory=True)
    assert _names(resolve_globs(work, ["out/*"])) == ([], [("out", REFUSED_LINK)])
    # '**' does not descend through it either, and names only what it reaches.
    assert _names(resolve_globs(work, ["**/*.pem", "**/config"], fail_on_missing=False)) == (
        [],
        [],
    )


def test_test_results_are_refused_through_a_symlink(tmp_path):
    work = _checkout(tmp_path)
    (work / "reports").mkdir()
    (work / "reports" / "unit.xml").symlink_to("../.git/config")
    results = collect_junit(work, ["reports/*.xml", "*/*.xml", "**/config"])
    assert results.summaries == ()
    assert [(n.item, n.reason) for n in results.rejected] == [("reports/unit.xml", REFUSED_LINK)]
