"""Shared fixtures: real git repositories with fixed dates, and the fake GitHub."""

from __future__ import annotations

import pytest

from tests.gitutil import Repo

pytest_plugins = ["tests.fakegithub.fixture"]


@pytest.fixture
def repo(tmp_path):
    return Repo(tmp_path / "repo")
