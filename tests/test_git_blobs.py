"""Reading files at a revision: one `git cat-file --batch` process, not one `git show` per file."""

from __future__ import annotations

from pathlib import Path

from releaser.git import GitRepo
from tests.gitutil import Repo


def git_processes(trace: Path) -> list[str]:
    """The git commands a GIT_TRACE file records, one per process git started for us."""
    lines = trace.read_text().splitlines() if trace.exists() else []
    return [line.split("built-in: ", 1)[1] for line in lines if "built-in: git" in line]


def test_many_files_are_read_through_one_process(repo: Repo, tmp_path, monkeypatch):
    files = {f"packages/pkg-{i:03d}/CHANGELOG.md": f"# pkg {i}\n" for i in range(60)}
    sha = repo.commit("chore: init", files)
    trace = tmp_path / "trace"
    monkeypatch.setenv("GIT_TRACE", str(trace))
    git = GitRepo(repo.path)
    read = {path: git.show(sha, path) for path in files}
    assert read == files
    assert git.show(sha, "packages/none/CHANGELOG.md") is None
    commands = git_processes(trace)
    assert len(commands) == 1 and commands[0].endswith("cat-file --batch"), commands


def test_bytes_are_kept_whatever_they_hold(repo: Repo):
    # Contents that look like the batch protocol's own lines, a missing newline at the end,
    # bytes that are not UTF-8, an empty file.
    tricky = {
        "a.txt": "deadbeef blob 12\nmissing\n",
        "b.txt": "no newline at the end",
        "c.txt": "",
        "with space/d.md": "x\n",
    }
    sha = repo.commit("chore: files", tricky)
    git = GitRepo(repo.path)
    for path, text in tricky.items():
        assert git.show(sha, path) == text
    (repo.path / "e.bin").write_bytes(b"\xff\xfe\n")
    repo.git("add", "e.bin")
    repo.git("commit", "-q", "-m", "chore: binary")
    assert git.show(repo.head(), "e.bin") == "\ufffd\ufffd\n"


def test_what_is_not_a_blob_answers_as_git_show_does(repo: Repo):
    sha = repo.commit("chore: tree", {"dir/x.txt": "x\n"})
    git = GitRepo(repo.path)
    assert git.show(sha, "dir") is not None and "x.txt" in git.show(sha, "dir")
    assert git.show(sha, "line\nbreak") is None  # not expressible on the batch's lines
    assert git.show("0" * 40, "dir/x.txt") is None  # no such revision
    assert git.show(sha, "dir/x.txt") == "x\n"  # the process still answers after a miss
