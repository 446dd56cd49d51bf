"""The `environments:` key of the config: promotion policy per environment."""

from __future__ import annotations

from typing import Any

from releaser.domain.promotion import EnvironmentPolicy, parse_duration
from releaser.errors import ConfigError


def parse_environments(raw: Any, source: str) -> tuple[EnvironmentPolicy, ...]:
    """The schema has checked the shapes; this checks what refers to what."""
    if not raw:
        return ()
    out = []
    for name, item in raw.items():
        item = item or {}
        after = item.get("after")
        where = f"{source}: environments.{name}"
        if after is not None and (after == name or after not in raw):
            raise ConfigError(f"{where}.after: {after!r} is not another declared environment")
        soak = None
        if item.get("soak") is not None:
            if after is None:
                raise ConfigError(f"{where}.soak: needs `after` (the environment to soak in)")
            try:
                soak = parse_duration(item["soak"])
            except ValueError as exc:
                raise ConfigError(f"{where}.soak: {exc}") from None
        out.append(
            EnvironmentPolicy(
                name, after, soak, tuple(item.get("gates") or ()), item.get("max-active")
            )
        )
    return tuple(out)
