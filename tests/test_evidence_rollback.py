"""The rollback commands in the evidence, run for real in a clone whose release range holds a
merge commit: the result is a new commit whose tree is the previous release's."""

from __future__ import annotations

import os
import shlex
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from releaser.domain.evidence import PreviousRelease, rollback
from tests.test_evidence_support import facts

ENV = {
    "GIT_AUTHOR_NAME": "T",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "T",
    "GIT_COMMITTER_EMAIL": "t@example.com",
    "GIT_AUTHOR_DATE": "2025-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2025-01-01T00:00:00Z",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def _run(cwd: Path, *args: str) -> str:
    out = subprocess.run(
        list(args), cwd=cwd, check=True, capture_output=True, text=True, env={**os.environ, **ENV}
    )
    return out.stdout.strip()


def _git(cwd: Path, *args: str) -> str:
    return _run(cwd, "git", *args)


def _commit_file(repo: Path, name: str, text: str, message: str) -> None:
    path = repo / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    _git(repo, "add", name)
    _git(repo, "commit", "-q", "-m", message)


def _history(tmp_path: Path, prev_tag: str, tag: str) -> tuple[Path, str, str]:
    """origin (bare) and a clone: prev_tag, then a merged PR (adds a file in a new directory,
    edits one), a direct commit (deletes one), tag; the clone has moved on past the release."""
    work = tmp_path / "work"
    work.mkdir()
    _git(work, "init", "-q", "-b", "main")
    _commit_file(work, "README.md", "v1\n", "chore: initial")
    _commit_file(work, "docs/guide.md", "guide\n", "docs: guide")
    _commit_file(work, "old.txt", "old\n", "feat: old")
    _git(work, "tag", prev_tag)
    prev = _git(work, "rev-parse", "HEAD")
    _git(work, "checkout", "-q", "-b", "topic")
    _commit_file(work, "src/new.py", "print('new')\n", "feat: new module")
    _commit_file(work, "README.md", "v2\n", "docs: readme")
    _git(work, "checkout", "-q", "main")
    _git(work, "merge", "-q", "--no-ff", "-m", "Merge pull request #7 from acme/topic", "topic")
    _git(work, "rm", "-q", "old.txt")
    _git(work, "commit", "-q", "-m", "chore(release): 1.4.0")
    _git(work, "tag", "-a", "-m", tag, tag)
    sha = _git(work, "rev-parse", "HEAD")
    origin = tmp_path / "origin.git"
    _git(tmp_path, "clone", "-q", "--bare", str(work), str(origin))
    clone = tmp_path / "clone"
    _git(tmp_path, "clone", "-q", str(origin), str(clone))
    _commit_file(clone, "later.txt", "work after the release\n", "feat: later")
    return clone, prev, sha


@pytest.mark.parametrize(
    ("prev_tag", "tag", "cwd"),
    [
        pytest.param("v1.3.2", "v1.4.0", ".", id="from the top"),
        pytest.param("v1.3.2", "v1.4.0", "docs", id="from a subdirectory"),
        pytest.param("demo-v1.3.2", "demo-v1.4.0", ".", id="component tags"),
    ],
)
def test_rollback_commands_restore_the_previous_tree_in_a_new_commit(tmp_path, prev_tag, tag, cwd):
    clone, prev, sha = _history(tmp_path, prev_tag, tag)
    evidence = replace(facts(), sha=sha, tag=tag, previous=PreviousRelease(prev_tag, prev, None))
    plan = rollback(evidence)
    assert any(c.startswith("gh release view") for c in plan.commands)
    for command in plan.commands:
        argv = shlex.split(command)
        if argv[0] == "gh":  # needs GitHub; its syntax is pinned in the golden file
            continue
        _run(clone / cwd, *argv)
    branch = f"rollback-to-{prev_tag}"
    assert _git(clone, "rev-parse", "--abbrev-ref", "HEAD") == branch
    assert _git(clone, "rev-parse", "HEAD^{tree}") == _git(clone, "rev-parse", f"{prev}^{{tree}}")
    assert _git(clone, "rev-parse", "HEAD^") == sha  # a new commit on top of the release
    assert _git(clone, "status", "--porcelain") == ""  # nothing left half-done
    assert not (clone / "src" / "new.py").exists() and (clone / "old.txt").exists()
    assert _git(clone, "log", "-1", "--format=%s") == f"revert: roll back to {prev_tag}"
    assert _git(clone, "ls-remote", "origin", f"refs/heads/{branch}").startswith(
        _git(clone, "rev-parse", "HEAD")
    )


def test_rollback_without_a_previous_release_only_withdraws_it():
    plan = rollback(replace(facts(), previous=None))
    assert plan.previous is None
    assert all(shlex.split(c)[0] == "gh" for c in plan.commands)
    assert "gh release edit v1.4.0 --repo acme/demo --prerelease" in plan.commands


def test_rollback_commands_quote_what_they_interpolate():
    odd = replace(facts(), tag="v1.4.0;touch x", previous=PreviousRelease("v$(id)", "c" * 40, None))
    words = [w for c in rollback(odd).commands for w in shlex.split(c)]
    assert "v1.4.0;touch x" in words and "rollback-to-v$(id)" in words
    assert "--source=v$(id)" in words
