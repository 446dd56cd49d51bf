"""Black-box scenarios from real release histories: build a git repo, run `releaser plan`, compare.

Each case lives in tests/scenarios/*.yml with the history it imitates (see bench/history-replay.md).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

try:  # tests/ may or may not become a package; support both import modes
    from tests.historylib import HistoryRepo, only_release, release_of
except ImportError:
    from historylib import HistoryRepo, only_release, release_of

SCENARIOS = Path(__file__).parent / "scenarios"
_SHA_REF = re.compile(r"\{sha:(\w+)\}")


def _load() -> list[dict]:
    cases = []
    for path in sorted(SCENARIOS.glob("*.yml")):
        cases.extend(yaml.safe_load(path.read_text(encoding="utf-8")))
    return cases


CASES = _load()


def _sections(notes: str) -> list[str]:
    return [line[4:].strip() for line in notes.splitlines() if line.startswith("### ")]


def _check(release: dict, expect: dict) -> None:
    for key in ("previous_tag", "previous_version", "version", "bump", "tag"):
        if key in expect:
            assert release[key] == expect[key], (key, release)
    notes = release.get("notes") or ""
    sections = _sections(notes)
    for name in expect.get("sections", []):
        assert name in sections, (name, notes)
    # Expected sections are listed in Release Please's order; the notes must keep it.
    wanted = [name for name in sections if name in expect.get("sections", [])]
    assert wanted == list(expect.get("sections", [])), (wanted, notes)
    for name in expect.get("no_sections", []):
        assert name not in sections, (name, notes)
    for text in expect.get("notes_contain", []):
        assert text in notes, (text, notes)
    for text in expect.get("notes_lack", []):
        assert text not in notes, (text, notes)
    subjects = [c["subject"] for c in release["commits"]]
    for text in expect.get("subjects", []):
        assert text in subjects, (text, subjects)
    for text in expect.get("not_subjects", []):
        assert text not in subjects, (text, subjects)
    if release["version"] is not None:
        # Release Please's heading: "## [1.3.0](compare-url) (YYYY-MM-DD)" or without a link.
        heading = re.escape(release["version"])
        pattern = rf"^## \[?{heading}\]?(\([^)]*\))? \(\d{{4}}-\d{{2}}-\d{{2}}\)"
        assert re.search(pattern, notes, re.M), notes


def _replay(repo: HistoryRepo, steps: list[dict]) -> dict | None:
    """Apply the steps; return the last plan made by a `check` step."""
    shas: dict[str, str] = {}
    last_plan = None
    for step in steps:
        (kind, arg), *extra = step.items()
        if kind == "commit":
            spec = arg if isinstance(arg, dict) else {"message": arg}
            message = _SHA_REF.sub(lambda m: shas[m.group(1)], spec["message"])
            sha = repo.commit(message, spec.get("files"))
            if extra:
                shas[step["id"]] = sha
        elif kind == "tag":
            repo.tag(only_release(last_plan)["tag"] if arg == "planned" else str(arg))
        elif kind == "lightweight_tag":
            repo.lightweight_tag(str(arg))
        elif kind == "branch":
            repo.branch(arg)
        elif kind == "checkout":
            repo.checkout(arg)
        elif kind == "merge":
            repo.merge(arg["branch"], arg["message"])
        elif kind == "configure":
            repo.configure(arg)
        elif kind == "check":
            last_plan = repo.plan()
            _check(only_release(last_plan), arg)
        else:
            raise AssertionError(f"unknown step {kind!r}")
    return last_plan


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_history_scenario(case: dict, tmp_path: Path) -> None:
    repo = HistoryRepo(tmp_path / "repo")
    if "config" in case:
        repo.configure(case["config"])
    _replay(repo, case["steps"])
    plan = repo.plan()
    if "components" in case:
        for name, expect in case["components"].items():
            _check(release_of(plan, name), expect)
    else:
        _check(only_release(plan), case["expect"])


def test_scenarios_have_unique_ids_and_sources() -> None:
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids))
    assert all(c.get("source") for c in CASES)
    assert len(CASES) >= 25
