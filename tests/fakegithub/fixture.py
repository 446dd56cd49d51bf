"""Pytest fixture `fakegithub`: a fresh acme/widgets fake per test that fails on spec violations."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .fake import FakeGitHub


@pytest.fixture
def fakegithub(tmp_path: Path) -> Iterator[FakeGitHub]:
    fake = FakeGitHub(tmp_path / "fakegithub", owner="acme", repo="widgets", default_branch="main")
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()
    if fake.violations:
        listing = "\n  ".join(fake.violations)
        pytest.fail(f"fake GitHub saw {len(fake.violations)} spec violation(s):\n  {listing}")
