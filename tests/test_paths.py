"""releaser.paths: the one resolver of user-named files refuses links, .git and the outside."""

from __future__ import annotations

import os

import pytest

from releaser import paths
from releaser.paths import INSIDE_GIT, SYMLINK, PathRefused


@pytest.mark.parametrize(
    "text, why",
    [
        ("CHANGELOG.md", None),
        ("./pkg/pyproject.toml", None),
        ("a/.github/x", None),
        ("a/.gitignore", None),
        ("", "is empty"),
        ("/etc/passwd", "is absolute"),
        ("C:/x", "is absolute"),
        ("../x.toml", "'..'"),
        ("a/../../x", "'..'"),
        (".git/config", ".git"),
        ("sub/.GIT/config", ".git"),
        (".git./config", ".git"),
        ("a\\..\\x", "backslash"),
        ("a\x00b", "control character"),
        ("a\nb", "control character"),
    ],
)
def test_problem(text, why):
    found = paths.problem(text)
    if why is None:
        assert found is None
    else:
        assert found is not None and why in found, found


def _tree(tmp_path):
    root = tmp_path / "ws"
    (root / "dir").mkdir(parents=True)
    (root / "dir" / "f.txt").write_text("inside")
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text("token")
    (tmp_path / "outside.txt").write_text("outside")
    return root


def test_open_file_reads_a_plain_file(tmp_path):
    root = _tree(tmp_path)
    assert paths.read_bytes(root, "dir/f.txt") == b"inside"
    assert paths.read_bytes(root, root / "dir" / "f.txt") == b"inside"
    with pytest.raises(FileNotFoundError):
        paths.read_bytes(root, "dir/missing.txt")
    with pytest.raises(OSError, match="limit"):
        paths.read_bytes(root, "dir/f.txt", max_bytes=3)


@pytest.mark.parametrize(
    "make, name, shown, why",
    [
        (lambda r, t: (r / "l.txt").symlink_to("dir/f.txt"), "l.txt", "l.txt", SYMLINK),
        (lambda r, t: (r / "l").symlink_to(t / "outside.txt"), "l", "l", SYMLINK),
        (lambda r, t: (r / "d").symlink_to(r / "dir"), "d/f.txt", "d", SYMLINK),
        (lambda r, t: (r / "d").symlink_to(r / ".git"), "d/config", "d", SYMLINK),
        (lambda r, t: os.mkfifo(r / "fifo"), "fifo", "fifo", "not a regular file"),
        (lambda r, t: None, ".git/config", "'.git/config'", INSIDE_GIT),
        (lambda r, t: None, "../outside.txt", "'../outside.txt'", "outside the workspace"),
    ],
    ids=["link-inside", "link-outside", "linked-dir", "linked-git", "fifo", "git", "dotdot"],
)
def test_open_file_refuses(tmp_path, make, name, shown, why):
    root = _tree(tmp_path)
    make(root, tmp_path)
    with pytest.raises(PathRefused) as info:
        paths.read_bytes(root, name)
    assert info.value.path == shown and why in info.value.reason


def test_an_absolute_path_outside_the_root_is_refused(tmp_path):
    root = _tree(tmp_path)
    with pytest.raises(PathRefused, match="outside the workspace"):
        paths.open_file(root, tmp_path / "outside.txt")


def test_glob_order_and_refusals(tmp_path):
    root = _tree(tmp_path)
    (root / "dir" / "sub").mkdir()
    (root / "dir" / "sub" / "g.txt").write_text("g")
    (root / "dir" / "link.txt").symlink_to("f.txt")
    found = paths.glob(root, "dir/**")
    assert [p.as_posix() for p in found.files] == ["dir/f.txt", "dir/sub/g.txt"]
    assert found.refused == (paths.Refusal("dir/link.txt", SYMLINK),)
    assert paths.glob(root, "**/*.txt").files == found.files
    with pytest.raises(PathRefused):
        paths.glob(root, ".git/*")
