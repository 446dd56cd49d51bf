"""The files a release PR writes (CHANGELOGs, version files), computed and validated the same
way by the real run, the Action's dry run and `releaser plan`."""

from __future__ import annotations

from collections.abc import Callable

from releaser import config as config_mod
from releaser.config import Config
from releaser.domain.changelog import prepend_entry
from releaser.domain.release import Release
from releaser.domain.updaters import UpdateError, updater_for
from releaser.errors import ConfigError, ReleaserError

ReadFile = Callable[[str], str | None]


def _version_file_error(config: Config, index: int, item: int, why: str) -> ConfigError:
    """The error for the `item`th version file of the `index`th component, with `key` set to
    where the config names it (the edge turns that into the config file's line)."""
    key: tuple = ("version-files", item)
    if config.monorepo:
        key = ("components", index, *key)
    where = "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in key).lstrip(".")
    error = ConfigError(f"{where}: {why}", file=config.source)
    error.key = key  # type: ignore[attr-defined]
    return error


def file_changes(config: Config, releases: tuple[Release, ...], read: ReadFile) -> dict[str, str]:
    """New contents of every CHANGELOG.md and version file the releases touch; a version file
    that is missing or holds no version is a ConfigError (a dry run computes this too)."""
    by_name = {c.policy.name: (i, c) for i, c in enumerate(config.components)}
    changes: dict[str, str] = {}
    for release in releases:
        if release.version is None:  # nothing to release for this component
            continue
        index, component = by_name[release.component]
        path = component.changelog_path
        current = changes.get(path, read(path))
        changes[path] = prepend_entry(current, release.notes)
        for item, vf in enumerate(component.version_files):
            text = changes.get(vf.path, read(vf.path))
            if text is None:
                raise _version_file_error(config, index, item, f"{vf.path} does not exist")
            try:
                changes[vf.path] = updater_for(vf.path, vf.type).update(text, release.version)
            except UpdateError as exc:
                raise _version_file_error(config, index, item, f"{vf.path}: {exc}") from None
    return changes


def locate(exc: ReleaserError, name: str, text: str) -> ReleaserError:
    """Name the config file as the repository does, with the line of the key `exc.key` points
    at (set by checks that run after loading, such as the version files')."""
    key = getattr(exc, "key", None)
    if key and exc.line is None:
        exc.line = config_mod.key_line(text, key) if text else None
        where = f"{name}:{exc.line}" if exc.line else name
        exc.message = f"{where}: {exc.message}"
    exc.file = name
    return exc
