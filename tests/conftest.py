"""Shared fixtures: real git repositories with fixed dates, and the fake GitHub."""

from __future__ import annotations

import pytest

from tests.gitutil import Repo

pytest_plugins = ["tests.fakegithub.fixture"]


def pytest_unconfigure(config):
    # End the Action runs' zygote (tests/action_zygote.py) while pytest still waits for it, so
    # its runs' CPU time is counted (an xdist worker may skip atexit handlers).
    from tests.action_zygote import stop

    stop()


@pytest.fixture
def repo(tmp_path):
    return Repo(tmp_path / "repo")
