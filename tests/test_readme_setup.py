"""The README's newcomer path: its set-up commands run as written, its quick start file does
not collide with the reusable workflow, and it states the Python the package requires."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _setup_section() -> str:
    return README.split("## Set up", 1)[1].split("\n## ", 1)[0]


def _plan_command() -> list[str]:
    """The `releaser plan ...` step of the set-up section's first shell block."""
    block = re.search(r"```sh\n(.*?)```", _setup_section(), re.S).group(1)
    steps = [s.strip() for s in block.replace("\n", " ").split("&&")]
    (step,) = [s for s in steps if "releaser plan" in s]
    return shlex.split(step)


def test_the_plan_command_runs_as_written_in_a_clone():
    argv = _plan_command()
    assert argv[0] == ".venv/bin/releaser", argv
    # The installed console script is `python -m releaser`; run it from the clone's top.
    proc = subprocess.run(
        [sys.executable, "-m", "releaser", *argv[1:]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("(root): "), proc.stdout[:200]


def test_the_set_up_says_it_needs_a_clone_and_names_the_repo_form():
    section = _setup_section()
    assert "clone" in section
    assert "releaser plan --repo " in section


def test_the_set_up_states_the_python_the_package_requires():
    needed = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    version = needed.removeprefix(">=")
    assert f"Python {version} or newer" in _setup_section()


def _reusable_workflow_names() -> set[str]:
    names = set()
    for path in (ROOT / ".github" / "workflows").glob("*.yml"):
        triggers = yaml.safe_load(path.read_text()).get(True) or {}  # YAML 1.1 reads `on` as True
        if "workflow_call" in triggers:
            names.add(f".github/workflows/{path.name}")
    return names


def test_the_quick_start_file_does_not_take_the_reusable_workflows_name():
    quick = README.split("## Quick start", 1)[1]
    saved = re.search(r"Save this as `([^`]+)`", quick).group(1)
    reusable = _reusable_workflow_names()
    assert reusable and saved not in reusable
    # The example it is copied from names the same file.
    example = (ROOT / "workflows" / "push-to-main.yml").read_text()
    assert f"Copy to {saved}" in example
