"""The project's own .github/releaser.yml: every version file it lists really gets bumped.

The config is loaded with releaser.config and each file goes through the updater the release
PR would use, so a listed file whose marker went missing, or a marked file nobody listed,
fails here rather than in the project's next release.
"""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import pytest

from releaser import config as config_mod
from releaser.domain.updaters import MarkerLines, Pyproject, PythonVersion, updater_for

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / ".github" / "releaser.yml"
CURRENT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
NEW = "97.53.1"  # appears in no file, so every occurrence after the update is the bump's
MARKER = MarkerLines().marker
_SEMVER = re.compile(r"\d+\.\d+\.\d+")


def _config() -> config_mod.Config:
    return config_mod.load(CONFIG, ROOT, explicit=True)


def _version_files() -> list[config_mod.VersionFile]:
    (component,) = _config().components
    return list(component.version_files)


def _expected_lines(updater, lines: list[str]) -> list[int]:
    """Indices of the lines the bump must touch, found without the updater's own logic."""
    if isinstance(updater, MarkerLines):
        return [i for i, line in enumerate(lines) if MARKER in line and CURRENT in line]
    if isinstance(updater, PythonVersion):
        return [i for i, line in enumerate(lines) if line.startswith("__version__")]
    if isinstance(updater, Pyproject):
        table, found = None, []
        for i, line in enumerate(lines):
            header = re.match(r"\s*\[([^\]]+)\]", line)
            if header:
                table = header.group(1).strip()
            elif table == "project" and re.match(r"version\s*=", line):
                found.append(i)
        return found
    raise AssertionError(f"no expectation for {type(updater).__name__}")


def test_config_loads_as_a_single_component_with_the_version_files():
    config = _config()
    assert not config.monorepo
    (component,) = config.components
    assert component.policy.tag_prefix == "v"  # self-release.yml checks out v<version>
    assert str(component.policy.initial_version) == CURRENT
    paths = [vf.path for vf in component.version_files]
    assert len(paths) == len(set(paths))
    for required in ("pyproject.toml", "releaser/__init__.py", "action.yml"):
        assert required in paths


def test_every_file_with_a_version_marker_is_listed():
    tracked = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True, text=True, check=True
    ).stdout.split("\0")
    marked = set()
    for rel in filter(None, tracked):
        # Test fixtures spell the marker on purpose; they are not the project's version.
        if rel.startswith("tests/") or not (ROOT / rel).is_file():
            continue
        try:
            text = (ROOT / rel).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        if any(MARKER in line and _SEMVER.search(line) for line in text.splitlines()):
            marked.add(rel)
    listed = {vf.path for vf in _version_files()}
    assert marked, "expected the image tag lines to carry the marker"
    assert marked - listed == set(), "marked but not in .github/releaser.yml"


@pytest.mark.parametrize("vf", _version_files(), ids=lambda vf: vf.path)
def test_listed_file_changes_exactly_at_its_version_lines(vf):
    text = (ROOT / vf.path).read_text(encoding="utf-8")
    assert NEW not in text
    updater = updater_for(vf.path, vf.type)
    updated = updater.update(text, NEW)  # raises UpdateError when there is nothing to bump

    before = text.splitlines(keepends=True)
    after = updated.splitlines(keepends=True)
    assert len(after) == len(before)
    changed = [i for i, (old, new) in enumerate(zip(before, after, strict=True)) if old != new]
    expected = _expected_lines(updater, before)
    assert expected, f"{vf.path}: no line carries version {CURRENT}"
    assert changed == expected
    for i in changed:
        # Only the version moves: the line held the project's current version, nothing else
        # on it changed, and it now holds the new one exactly once.
        assert before[i].count(CURRENT) == 1, before[i]
        assert after[i] == before[i].replace(CURRENT, NEW), (before[i], after[i])
    assert updated.count(NEW) == len(expected)
