"""What every mode function reads: the run the edge hands down, the client, the config and
the target branch."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from releaser.actions import Runner
from releaser.github import GitHub
from releaser.settings import Settings
from releaser.workspace import LoadedConfig


@dataclass(frozen=True, slots=True)
class Run:
    """What the edge hands down: the settings, where to say things, and the credentials."""

    settings: Settings
    runner: Runner
    token: str
    secrets: tuple[str, ...]  # every credential this run holds: no asset may carry one


@dataclass(frozen=True, slots=True)
class RunState:
    """What every mode function reads: the run, the client, the config and the target."""

    run: Run
    gh: GitHub
    loaded: LoadedConfig
    target: str
    local: Callable  # () -> LocalHistory | None, inspected at most once

    @property
    def config(self):
        return self.loaded.config
