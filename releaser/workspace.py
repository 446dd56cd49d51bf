"""What a run reads before it decides: the config (with its text, for line numbers), the
workspace clone when it is usable, and the History the engine plans from."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from releaser import config as config_mod
from releaser import release_please
from releaser.config import Config
from releaser.errors import ConfigError, GitError, ReleaserError
from releaser.git import GitRepo
from releaser.github import GitHub
from releaser.local_history import LocalHistory
from releaser.release_files import locate
from releaser.settings import Settings


@dataclass(frozen=True, slots=True)
class LoadedConfig:
    config: Config
    name: str  # as the repository names it, e.g. .github/releaser.yml
    text: str  # "" for the defaults

    def locate(self, exc: ReleaserError) -> ReleaserError:
        return locate(exc, self.name, self.text)


def _read(path: Path, settings: Settings, name: str) -> LoadedConfig:
    """The config file, read once (through releaser.paths, bounded) for both the Config and the
    text its error lines are located in."""
    try:
        raw = config_mod.read_raw(path, settings.workspace, name, explicit=True)
        assert raw is not None  # explicit: a missing file is a ConfigError
        config = config_mod.parse(raw, name)
    except ConfigError as exc:
        exc.file = name
        raise
    return LoadedConfig(config, name, raw.decode("utf-8", "replace"))


def load_config(settings: Settings, gh: GitHub) -> LoadedConfig:
    """The config file from the workspace; without a checkout, as the event's commit has it
    (read through the API), so a run without actions/checkout plans what one with it would."""
    name = settings.config_file
    path = settings.workspace / name
    if not os.path.lexists(path) and not settings.explicit_config:  # a dangling link is refused
        # Without one, release-please's files if the repository has them, else defaults.
        config = config_mod.load(None, settings.workspace, fallback=release_please.load)
        loaded = LoadedConfig(config, name, "")
    else:
        loaded = _read(path, settings, name)
    if not (settings.workspace / ".git").exists() and not path.exists():
        ref = settings.sha or gh.default_branch()
        text = gh.file_text(name, ref)
        if text is not None:
            try:
                loaded = LoadedConfig(config_mod.parse(text, name), name, text)
            except ConfigError as exc:
                exc.file = name
                raise
        elif not settings.explicit_config:
            # As the checkout's path does: release-please's files when the repository has them.
            mapped = release_please.load_from(_api_reader(gh, ref))
            if mapped is not None:
                loaded = LoadedConfig(mapped, name, "")
    return loaded


def _api_reader(gh: GitHub, ref: str) -> release_please.Read:
    """Files as commit `ref` holds them, through the API, within release_please's bound."""

    def read(rel: str) -> bytes | None:
        text = gh.file_text(rel, ref)
        if text is None:
            return None
        raw = text.encode("utf-8")
        if len(raw) > release_please.MAX_BYTES:
            raise ConfigError(f"cannot read {rel}: larger than {release_please.MAX_BYTES} bytes")
        return raw

    return read


def local_clone(settings: Settings) -> LocalHistory | None:
    """The workspace as a History when it is a full clone at the event's commit, else None."""
    if not (settings.workspace / ".git").exists():
        return None
    try:
        history = LocalHistory(GitRepo(settings.workspace))
    except GitError:
        return None
    if history.state.shallow or history.head() is None:
        return None
    return history
