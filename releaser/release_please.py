"""Read release-please's config and manifest when no .github/releaser.yml exists: map what
maps onto releaser's config, and say in one warning line per key what does not."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from releaser import paths
from releaser.config import Config, from_dict
from releaser.domain.version import Version
from releaser.errors import ConfigError
from releaser.release_please_map import Mapper, where

CONFIG_FILE = "release-please-config.json"
MANIFEST_FILE = ".release-please-manifest.json"
# Bounds for both files and the package.json read for a node package's name (a real config
# is a few KiB, nested 4-5 levels; a package.json rarely 10).
MAX_BYTES = 1024**2
MAX_DEPTH = 64

Read = Callable[[str], bytes | None]  # repository-relative path -> bytes, None when absent


def parse_json(raw: bytes, source: str) -> Any:
    """JSON within MAX_BYTES and MAX_DEPTH (releaser.bounded); anything else is one ConfigError
    naming `source`."""
    from releaser.bounded import JsonLimits, load_json

    return load_json(raw, source, JsonLimits(MAX_BYTES, MAX_DEPTH), ConfigError)


def local_reader(repo: Path) -> Read:
    """Files of the workspace through releaser.paths: no symlink, nothing in .git or outside."""

    def read(rel: str) -> bytes | None:
        try:
            return paths.read_bytes(repo, rel, MAX_BYTES)
        except FileNotFoundError:
            return None
        except paths.PathRefused as exc:
            raise ConfigError(f"cannot read {rel}: {exc.reason}", file=rel) from None
        except OSError as exc:
            raise ConfigError(f"cannot read {rel}: {exc.strerror}", file=rel) from None

    return read


def load(repo: Path) -> Config | None:
    """release-please's files in `repo` as a Config, or None when it has none."""
    return load_from(local_reader(repo))


def load_from(read: Read) -> Config | None:
    raw = read(CONFIG_FILE)
    if raw is None:
        return None
    data = parse_json(raw, CONFIG_FILE)
    if not isinstance(data, dict):
        raise ConfigError(f"{CONFIG_FILE}: (top level): expected an object", file=CONFIG_FILE)
    manifest = _manifest(read)
    mapper = Mapper(data, CONFIG_FILE, read, parse_json)
    mapped = mapper.run()
    warnings = list(mapper.warnings)
    known = {p.strip("/") or "." for p in mapper.package_paths}
    for path in manifest:
        if path not in known:
            warnings.append(
                f"{MANIFEST_FILE}: {where((path,))}: no package at this path in {CONFIG_FILE};"
                " releaser ignores it"
            )
    config = from_dict(mapped, CONFIG_FILE)
    return replace(config, warnings=tuple(warnings), manifest=tuple(manifest.items()))


def _manifest(read: Read) -> dict[str, str]:
    raw = read(MANIFEST_FILE)
    if raw is None:
        return {}
    data = parse_json(raw, MANIFEST_FILE)
    if not isinstance(data, dict):
        raise ConfigError(f"{MANIFEST_FILE}: (top level): expected an object", file=MANIFEST_FILE)
    out: dict[str, str] = {}
    for path, version in data.items():
        if not isinstance(version, str) or not Version.is_valid(version):
            shown = json.dumps(version)[:60]
            raise ConfigError(
                f"{MANIFEST_FILE}: {where((path,))}: {shown} is not a SemVer version",
                file=MANIFEST_FILE,
            )
        out[path.strip("/") or "."] = version
    return out


def manifest_warnings(config: Config, plan) -> Iterator[str]:
    """Where the manifest's version of a path is not the release the plan continues from:
    releaser takes the last release from tags, never from the manifest."""
    versions = dict(config.manifest)
    if not versions:
        return
    policies = {c.policy.name: c.policy for c in config.components}
    for release in plan.releases:
        path = release.path.strip("/") or "."
        version = versions.get(path)
        policy = policies.get(release.component)
        if version is None or policy is None or release.previous_version == version:
            continue
        expected = policy.tag_for(version)
        if release.previous_tag is None:
            found = f"no tag {expected} (nor any {policy.tag_prefix}* tag)"
            instead = "plans a first release"
        else:
            found = f"the newest tag is {release.previous_tag}"
            instead = f"continues from {release.previous_tag}"
        yield (
            f"{MANIFEST_FILE}: {where((path,))}: says {version}, {found}; releaser takes the "
            f"last release from tags and {instead} (tag the commit of {version} as {expected}"
            " to continue from it)"
        )
