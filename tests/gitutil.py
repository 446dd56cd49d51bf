"""Build real git repositories in tmp_path with fixed dates, for tests."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

BASE_EPOCH = 1_700_000_000


class Repo:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.tick = 0
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.git("config", "user.name", "Test Author")
        self.git("config", "user.email", "author@example.com")
        self.git("config", "commit.gpgsign", "false")

    def env(self) -> dict[str, str]:
        stamp = f"@{BASE_EPOCH + self.tick * 60} +0000"
        return {
            **os.environ,
            "GIT_AUTHOR_DATE": stamp,
            "GIT_COMMITTER_DATE": stamp,
            "GIT_CONFIG_NOSYSTEM": "1",
        }

    def git(self, *args: str, input: bytes | None = None) -> str:
        proc = subprocess.run(
            ["git", *args],
            cwd=self.path,
            env=self.env(),
            input=input,
            capture_output=True,
            check=True,
        )
        return proc.stdout.decode("utf-8", "replace").strip()

    def commit(self, message: str | bytes, files: dict[str, str] | None = None) -> str:
        """Commit `files` (or a change to a counter file) with exactly `message`."""
        self.tick += 1
        files = files or {"counter.txt": f"{self.tick}\n"}
        for rel, content in files.items():
            target = self.path / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content)
            self.git("add", rel)
        data = message if isinstance(message, bytes) else message.encode("utf-8")
        self.git(
            "commit", "-q", "--cleanup=verbatim", "--allow-empty-message", "-F", "-", input=data
        )
        return self.git("rev-parse", "HEAD")

    def tag(self, name: str, ref: str = "HEAD") -> None:
        self.git("tag", name, ref)

    def head(self) -> str:
        return self.git("rev-parse", "HEAD")


def plan_json(repo_path: Path, *extra: str) -> dict:
    """Run the real CLI in-process and return its JSON."""
    import contextlib
    import io

    from releaser.cli import main

    out = io.StringIO()
    err = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["plan", "--repo", str(repo_path), "--json", *extra])
    if code != 0:
        raise AssertionError(f"exit {code}: {err.getvalue()}")
    return json.loads(out.getvalue())
