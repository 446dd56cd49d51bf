"""The `environments:` and `retention:` keys of the config: promotion policy per environment,
and what the retention report keeps."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from releaser.domain.deploy_history import RetentionPolicy
from releaser.domain.promotion import STAGE_PREFIX, EnvironmentPolicy, parse_duration
from releaser.errors import ConfigError

Problem = tuple[tuple[str | int, ...], str]


def declares_model(data: dict[str, Any]) -> bool:
    """Whether the config has a model component: `type: model`, or GTO's `{name}@v` tags."""
    return any(
        c.get("type") == "model" or c.get("tag-prefix") == f"{c.get('name')}@v"
        for c in data.get("components") or ()
    )


def problems(data: dict[str, Any]) -> Iterator[Problem]:
    """(path, problem) for what the schema admits in `environments:` and `retention:` but
    promotion cannot use; config.py gives each its line."""
    envs = data.get("environments") or {}
    models = declares_model(data)
    for name, item in envs.items():
        for index, raw in enumerate((item or {}).get("gates") or ()):
            where: tuple[str | int, ...] = ("environments", name, "gates", index)
            stage = str(raw.get("baseline", "")).removeprefix(STAGE_PREFIX)
            if raw.get("baseline", "previous") != "previous" and stage not in envs:
                yield (*where, "baseline"), f"'{STAGE_PREFIX}{stage}' names no declared environment"
            if "metric" in raw and not models:
                yield (
                    (*where, "metric"),
                    f"a gate on metric '{raw['metric']}' needs a model component "
                    "(components[].type: model): code releases have no metrics",
                )
    raw_retention = data.get("retention") or {}
    policy = retention(raw_retention)
    if policy.delete_after <= policy.archive_after:
        yield ("retention", "delete-after"), "must be longer than archive-after"


def retention(raw: dict[str, Any] | None) -> RetentionPolicy:
    raw = raw or {}
    default = RetentionPolicy()
    return RetentionPolicy(
        archive_after=parse_duration(raw["archive-after"])
        if "archive-after" in raw
        else default.archive_after,
        delete_after=parse_duration(raw["delete-after"])
        if "delete-after" in raw
        else default.delete_after,
        keep=int(raw.get("keep", default.keep)),
    )


def parse_environments(raw: Any, source: str) -> tuple[EnvironmentPolicy, ...]:
    """The schema has checked the shapes; this checks what refers to what."""
    if not raw:
        return ()
    from releaser.models.manifest import gate  # here: a plan without environments skips it

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
                name,
                after,
                soak,
                tuple(gate(g) for g in item.get("gates") or ()),
                item.get("max-active"),
            )
        )
    return tuple(out)
