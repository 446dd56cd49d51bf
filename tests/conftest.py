"""Shared fixtures: real git repositories with fixed dates."""

from __future__ import annotations

import pytest

from tests.gitutil import Repo


@pytest.fixture
def repo(tmp_path):
    return Repo(tmp_path / "repo")
