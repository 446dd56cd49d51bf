"""Build small real git repositories in tmp_path and run `releaser plan` on them, black-box.

Dates are fixed and advance one minute per commit, so logs order deterministically.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

_EPOCH = 1_704_067_200  # 2024-01-01T00:00:00Z


class HistoryRepo:
    """A git repository with helpers that mirror how real projects grow their history."""

    def __init__(self, path: Path, branch: str = "main") -> None:
        self.path = path
        self._tick = 0
        self._files = 0
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", branch)
        self.git("config", "user.name", "Test Author")
        self.git("config", "user.email", "author@example.com")
        self.git("config", "commit.gpgsign", "false")
        self.git("config", "tag.gpgsign", "false")
        self.git("remote", "add", "origin", "https://github.com/acme/widget.git")

    def _env(self) -> dict[str, str]:
        stamp = f"@{_EPOCH + 60 * self._tick} +0000"
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        env.update(
            GIT_AUTHOR_DATE=stamp,
            GIT_COMMITTER_DATE=stamp,
            GIT_CONFIG_NOSYSTEM="1",
            HOME=str(self.path),
        )
        return env

    def git(self, *args: str, stdin: str | None = None) -> str:
        done = subprocess.run(
            ["git", *args],
            input=stdin,
            cwd=self.path,
            env=self._env(),
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout.strip()

    def write(self, files: dict[str, str]) -> None:
        for name, text in files.items():
            target = self.path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            self.git("add", "--", name)

    def commit(self, message: str, files: dict[str, str] | None = None) -> str:
        """Commit `message`; without `files`, touch a fresh file so every commit has a change."""
        self._tick += 1
        if files is None:
            self._files += 1
            files = {f"src/change_{self._files}.txt": f"change {self._files}\n"}
        self.write(files)
        # --cleanup=verbatim keeps the message byte for byte, as GitHub's squash merge does.
        self.git("commit", "-q", "--no-verify", "--cleanup=verbatim", "-F", "-", stdin=message)
        return self.head()

    def head(self) -> str:
        return self.git("rev-parse", "HEAD")

    def tag(self, name: str, ref: str = "HEAD") -> None:
        self._tick += 1
        self.git("tag", "-a", name, "-m", name, ref)

    def lightweight_tag(self, name: str, ref: str = "HEAD") -> None:
        self.git("tag", name, ref)

    def branch(self, name: str, start: str = "HEAD") -> None:
        self.git("checkout", "-q", "-b", name, start)

    def checkout(self, name: str) -> None:
        self.git("checkout", "-q", name)

    def merge(self, branch: str, message: str) -> str:
        """A `--no-ff` merge commit, as GitHub's "Create a merge commit" button makes."""
        self._tick += 1
        self.git("merge", "-q", "--no-ff", "--no-edit", "-m", message, branch)
        return self.head()

    def configure(self, yaml_text: str) -> str:
        """Commit `.github/releaser.yml`; a `chore` commit, so it never releases anything."""
        return self.commit("chore: configure releaser", {".github/releaser.yml": yaml_text})

    def plan(self) -> dict:
        return run_plan(self.path)


def run_plan(repo: Path) -> dict:
    """Run the CLI the way a user would and return its parsed JSON output."""
    done = subprocess.run(
        [sys.executable, "-m", "releaser", "plan", "--repo", str(repo), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(
            f"releaser plan exited {done.returncode}\n"
            f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
        )
    return json.loads(done.stdout)


def only_release(plan: dict) -> dict:
    releases = plan["releases"]
    assert len(releases) == 1, releases
    return releases[0]


def release_of(plan: dict, component: str) -> dict:
    found = [r for r in plan["releases"] if r["component"] == component]
    assert len(found) == 1, plan["releases"]
    return found[0]
