"""The image's entry point: the Action without arguments, the `releaser` CLI with them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from tests.test_evidence_support import write_release

ROOT = Path(__file__).resolve().parent.parent


def _entrypoint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_"))}
    return subprocess.run(
        [sys.executable, str(ROOT / "entrypoint.py"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_arguments_run_the_cli_verify(tmp_path):
    """`docker run --rm -v "$PWD:/w" -w /w IMAGE verify evidence/`."""
    write_release(tmp_path / "evidence")
    result = _entrypoint("verify", "evidence/", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("verified: v1.4.0 "), result.stdout


def test_cli_failures_keep_the_cli_exit_code(tmp_path):
    write_release(tmp_path / "evidence")
    (tmp_path / "evidence" / "release-evidence.md").write_text("forged\n")
    result = _entrypoint("verify", "evidence/", cwd=tmp_path)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith("releaser: error: release-evidence.md is altered: ")
    assert "::error" not in result.stderr  # the CLI's one line, not an Action annotation


def test_no_arguments_run_the_action(tmp_path):
    result = _entrypoint(cwd=tmp_path)
    assert result.returncode != 0
    assert "::error" in result.stdout + result.stderr
    assert "usage: releaser" not in result.stderr


def test_the_action_passes_no_arguments():
    """The runner passes `runs.args` to the entry point; any would switch it to the CLI."""
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert "args" not in action["runs"]
