"""The benchmark fixture generator builds the repository it promises, deterministically."""

from __future__ import annotations

import importlib.util
import random
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "bench" / "make_repo.py"
HEADER = re.compile(r"^(?P<type>[a-z]+)(\([a-z]+\))?(?P<bang>!)?: \S")


def load_make_repo():
    # bench/ is a folder of scripts, not a package, so load the module from its path.
    spec = importlib.util.spec_from_file_location("bench_make_repo", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture(scope="module")
def repo30(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bench") / "r30"
    subprocess.run([sys.executable, str(SCRIPT), "30", str(out), "--seed", "7"], check=True)
    return out


def test_commit_counts_and_annotated_tag(repo30):
    assert git(repo30, "rev-list", "--count", "HEAD").strip() == "50"
    assert git(repo30, "rev-list", "--count", "v1.0.0..HEAD").strip() == "30"
    assert git(repo30, "cat-file", "-t", "v1.0.0").strip() == "tag"
    assert git(repo30, "describe", "--tags").startswith("v1.0.0-30-g")


def test_peer_configs_are_plain_files_from_the_first_commit(repo30):
    first = git(repo30, "rev-list", "--max-parents=0", "HEAD").strip()
    names = git(repo30, "show", "--name-only", "--format=", first).split()
    assert {"pyproject.toml", "cliff.toml"} <= set(names)
    pyproject = (repo30 / "pyproject.toml").read_text()
    assert "[tool.commitizen]" in pyproject and 'tag_format = "v$version"' in pyproject
    assert git(repo30, "status", "--porcelain") == ""


def test_every_commit_after_the_tag_is_conventional_and_touches_files(repo30):
    log = git(repo30, "log", "--format=%s", "v1.0.0..HEAD").splitlines()
    types = Counter(HEADER.match(s).group("type") for s in log)
    assert sum(types.values()) == 30
    assert {"feat", "fix"} <= set(types)
    assert len(set(types) - {"feat", "fix"}) >= 2
    touched = git(repo30, "log", "--format=", "--name-only", "v1.0.0..HEAD").split()
    assert len(touched) >= 30


def test_same_seed_same_hashes_other_seed_differs(tmp_path):
    mod = load_make_repo()
    a = mod.make_repo(10, tmp_path / "a", seed=3)
    b = mod.make_repo(10, tmp_path / "b", seed=3)
    c = mod.make_repo(10, tmp_path / "c", seed=4, lightweight=True)
    assert git(a, "rev-parse", "HEAD") == git(b, "rev-parse", "HEAD")
    assert git(a, "rev-parse", "HEAD") != git(c, "rev-parse", "HEAD")
    assert git(c, "cat-file", "-t", "v1.0.0").strip() == "commit"


def test_refuses_to_overwrite(tmp_path):
    mod = load_make_repo()
    (tmp_path / "taken").mkdir()
    with pytest.raises(SystemExit, match="already exists"):
        mod.make_repo(1, tmp_path / "taken")


def test_message_mix_matches_the_documented_rates():
    mod = load_make_repo()
    rng = random.Random(11)
    messages = [mod.random_message(rng) for _ in range(20_000)]
    heads = [HEADER.match(m) for m in messages]
    assert all(heads)
    share = Counter(h.group("type") for h in heads)
    assert share["feat"] / 20_000 == pytest.approx(0.20, abs=0.015)
    assert share["fix"] / 20_000 == pytest.approx(0.30, abs=0.015)
    assert set(share) == {"feat", "fix", *mod.OTHER_TYPES}
    bodies = sum(
        "\n\n" in m and not m.split("\n\n")[1].startswith(("Refs", "BREAK")) for m in messages
    )
    assert bodies / 20_000 == pytest.approx(0.40, abs=0.015)
    refs = sum(bool(re.search(r"^Refs: #\d+$", m, re.M)) for m in messages)
    assert refs / 20_000 == pytest.approx(0.20, abs=0.015)
    breaking = sum(
        bool(h.group("bang")) or "BREAKING CHANGE:" in m
        for h, m in zip(heads, messages, strict=True)
    )
    assert 0.002 <= breaking / 20_000 <= 0.01
