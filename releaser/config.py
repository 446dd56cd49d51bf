"""Load .github/releaser.yml into a frozen Config, validated against the shipped JSON Schema."""

from __future__ import annotations

import errno
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from releaser import config_path, paths
from releaser.bounded import CONFIG_MAX_BYTES, load_yaml
from releaser.config_path import DEFAULT_PATH
from releaser.domain.bump import DEFAULT_SECTIONS, Bump, BumpPolicy, Section
from releaser.domain.commits import DEFAULT_TYPES, SquashBullets
from releaser.domain.evidence import RequiredCheck
from releaser.domain.release import ComponentPolicy
from releaser.domain.version import Version
from releaser.errors import ConfigError
from releaser.promotion_config import (
    EnvironmentPolicy,
    RetentionPolicy,
    parse_environments,
    retention,
)
from releaser.promotion_config import problems as _promotion_problems
from releaser.yaml_errors import first_schema_error
from releaser.yaml_errors import format_path as _format_path
from releaser.yaml_errors import line_of as _line_of


@dataclass(frozen=True, slots=True)
class VersionFile:
    path: str
    type: str | None = None


@dataclass(frozen=True, slots=True)
class ModelSettings:
    """A `type: model` component's options: its manifest is `<path>/model.yaml`."""

    strict: bool = False
    bumps: tuple[tuple[str, Bump], ...] = ()  # model-bumps: rule id -> bump

    @property
    def overrides(self) -> dict[str, Bump]:
        return dict(self.bumps)


@dataclass(frozen=True, slots=True)
class Component:
    policy: ComponentPolicy
    version_files: tuple[VersionFile, ...]
    changelog_path: str
    model: ModelSettings | None = None  # None: a code component


@dataclass(frozen=True, slots=True)
class Labels:
    """The release PR's labels: while open, and once published. releaser's own names, or
    release-please's (`labels: release-please` style: autorelease: pending / tagged)."""

    pending: str = "releaser: pending"
    released: str = "releaser: released"


RELEASE_PLEASE_LABELS = Labels("autorelease: pending", "autorelease: tagged")


@dataclass(frozen=True, slots=True)
class Policies:
    """What a failing policy does when a release is published: "warn" or "fail"."""

    second_person_review: str = "warn"
    required_checks: str = "warn"


@dataclass(frozen=True, slots=True)
class Config:
    components: tuple[Component, ...]
    sections: tuple[Section, ...] = DEFAULT_SECTIONS
    squash_bullets: SquashBullets = SquashBullets.AUTO
    repository_url: str | None = None
    separate_pull_requests: bool = False
    pull_request_title: str = "chore({target}): release {version}"
    required_checks: tuple[RequiredCheck, ...] = ()
    fail_on_missing_evidence: bool | None = None  # None: the key is not set
    monorepo: bool = False
    source: str | None = None
    environments: tuple[EnvironmentPolicy, ...] = ()  # promotion policy (promotion_config)
    retention: RetentionPolicy = RetentionPolicy()  # the retention report (promotion_config)
    types: frozenset[str] = field(default=DEFAULT_TYPES)
    labels: Labels = Labels()
    policies: Policies = Policies()
    # Read from release-please's files: what did not map (one line each), and the manifest's
    # (path, version) pairs, which the plan compares with the tags it found.
    warnings: tuple[str, ...] = ()
    manifest: tuple[tuple[str, str], ...] = ()


def schema() -> dict[str, Any]:
    from importlib import resources

    text = resources.files("releaser").joinpath("schemas/releaser-config.json").read_text()
    return json.loads(text)


def _validate(data: Any, source: str, root_node) -> None:
    found = first_schema_error(schema(), data, root_node)
    if found is None:
        return
    line, message = found
    raise ConfigError(f"{source}:{line}: {message}", file=source, line=line)


def _version_problem(value: str) -> str | None:
    if Version.is_valid(value):
        return None
    return f"'{value}' is not a SemVer version (see semver.org; e.g. 1.0.0 or 1.0.0-rc.1)"


def _prerelease_problem(value) -> str | None:
    """Why `value` cannot be a prerelease channel, or None: the schema admits any identifier,
    but SemVer forbids a leading zero in a numeric one (1.0.0-01.1 is not a version)."""
    if not isinstance(value, str) or not value or Version.is_valid(f"1.0.0-{value}.1"):
        return None
    return (
        f"'{value}' would give versions like 1.0.0-{value}.1, which is not SemVer "
        "(a numeric identifier must not start with 0)"
    )


def path_problem(path: str) -> str | None:
    """Why a component path cannot be handed to git as a plain directory, or None."""
    if path.startswith(("/", "\\")):
        return f"'{path}' is absolute; give it relative to the repository's top level"
    if path.startswith(":"):
        return f"'{path}' starts with ':', which git reads as pathspec magic"
    if ".." in path.split("/"):
        return f"'{path}' has a '..' segment; it must stay inside the repository"
    glob = next((c for c in "*?[]\\" if c in path), None)
    if glob:
        return f"'{path}' has '{glob}', which git reads as a glob; give a directory"
    return file_problem(path)


def file_problem(path: str) -> str | None:
    """Why `path` cannot name a file releaser reads or writes (releaser.paths' rules), or None."""
    why = paths.problem(path)
    return None if why is None else f"'{path}' {why}"


def _named_files(base: tuple, item: dict[str, Any]):
    """(path in the config, value) of each file a (component's) config names."""
    if "changelog-path" in item:
        yield (*base, "changelog-path"), item["changelog-path"]
    for index, entry in enumerate(item.get("version-files") or ()):
        if isinstance(entry, str):
            yield (*base, "version-files", index), entry
        else:
            yield (*base, "version-files", index, "path"), entry["path"]


def _overlaps(data: dict[str, Any]):
    """(path, message) for each component path inside another's (release-please refuses
    these too: a commit would count for both). The root, '.', may hold the others."""
    seen: list[tuple[int, tuple[str, ...]]] = []
    for index, comp in enumerate(data.get("components") or ()):
        parts = PurePosixPath(comp["path"]).parts
        if not parts:
            continue
        for other, other_parts in seen:
            shorter = min(len(parts), len(other_parts))
            if parts[:shorter] == other_parts[:shorter]:
                theirs = data["components"][other]["path"]
                yield (
                    ("components", index, "path"),
                    f"'{comp['path']}' overlaps components[{other}].path '{theirs}'; "
                    "component paths must not contain one another",
                )
                break
        seen.append((index, parts))


def _value_problems(data: dict[str, Any]):
    """(path, message) for values the schema admits but the engine cannot use."""
    for index, comp in enumerate(data.get("components") or ()):
        problem = path_problem(comp["path"])
        if problem:
            yield ("components", index, "path"), problem
        if comp.get("type", "code") != "model":
            for key in ("strict", "model-bumps"):
                if key in comp:
                    yield ("components", index, key), "only a component of type: model takes it"
    yield from _overlaps(data)
    yield from _promotion_problems(data)
    settings: list[tuple[tuple[str | int, ...], Any]] = [((), data)]
    settings += [(("components", i), c) for i, c in enumerate(data.get("components") or ())]
    for base, item in settings:
        for where, value in _named_files(base, item):
            problem = file_problem(value)
            if problem:
                yield where, problem
        if "initial-version" in item:
            problem = _version_problem(item["initial-version"])
            if problem:
                yield (*base, "initial-version"), problem
        if "prerelease" in item:
            problem = _prerelease_problem(item["prerelease"])
            if problem:
                yield (*base, "prerelease"), problem
    labels = _labels(data.get("labels"))
    if labels.pending == labels.released:
        yield ("labels",), f"pending and released are both '{labels.pending}'; give two labels"


def key_line(text: str, path: tuple) -> int | None:
    """1-based line of the key at `path` (e.g. ("version-files", 1)) in a config's text."""
    import yaml

    try:
        return _line_of(yaml.compose(text, Loader=yaml.SafeLoader), path)
    except yaml.YAMLError:
        return None


def _check_values(data: dict[str, Any], source: str, root_node) -> None:
    for path, problem in _value_problems(data):
        line = _line_of(root_node, path)
        raise ConfigError(
            f"{source}:{line}: {_format_path(path)}: {problem}", file=source, line=line
        )


def _sections(raw: list[dict] | None) -> tuple[Section, ...]:
    if raw is None:
        return DEFAULT_SECTIONS
    return tuple(
        Section(s["type"].lower(), s["section"], bool(s.get("hidden", False))) for s in raw
    )


def _version_files(raw, base: str) -> tuple[VersionFile, ...]:
    out = []
    for item in raw or ():
        path, kind = (item, None) if isinstance(item, str) else (item["path"], item.get("type"))
        if base not in ("", "."):
            path = f"{base.rstrip('/')}/{path}"
        out.append(VersionFile(path, kind))
    return tuple(out)


def _prerelease(value) -> str | None:
    return value if isinstance(value, str) and value else None


def from_dict(data: dict[str, Any], source: str = "<defaults>") -> Config:
    for path, problem in _value_problems(data):  # load() has said so with a line number
        raise ConfigError(f"{source}: {_format_path(path)}: {problem}", file=source)
    sections = _sections(data.get("changelog-sections"))
    bump = BumpPolicy(
        sections=sections,
        bump_minor_pre_major=bool(data.get("bump-minor-pre-major", False)),
        bump_patch_for_minor_pre_major=bool(data.get("bump-patch-for-minor-pre-major", False)),
    )
    initial = Version.parse(data.get("initial-version", "1.0.0"))
    prefix = data.get("tag-prefix", "v")
    changelog = data.get("changelog-path", "CHANGELOG.md")
    components: list[Component] = []
    raw_components = data.get("components") or []
    seen: set[str] = set()
    for index, comp in enumerate(raw_components):
        name = comp["name"]
        if name in seen:
            raise ConfigError(
                f"{source}: components[{index}]: duplicate name '{name}'", file=source
            )
        seen.add(name)
        path = comp["path"].strip("/") or "."
        model = _model_settings(comp)
        # A model's tags are GTO's (`churn@v1.3.0`), so `gto show` reads them as versions.
        default_prefix = f"{name}@v" if model is not None else f"{name}-{prefix}"
        policy = ComponentPolicy(
            name=name,
            path=path,
            tag_prefix=comp.get("tag-prefix", default_prefix),
            initial_version=Version.parse(comp.get("initial-version", str(initial))),
            prerelease=_prerelease(comp.get("prerelease", data.get("prerelease"))),
            bump=bump,
        )
        files = _version_files(comp.get("version-files"), path)
        log = comp.get("changelog-path", changelog)
        if path != ".":
            log = f"{path}/{log}"
        components.append(Component(policy, files, log, model))
    if not components:
        policy = ComponentPolicy(
            "", ".", prefix, initial, _prerelease(data.get("prerelease")), bump
        )
        components.append(
            Component(policy, _version_files(data.get("version-files"), "."), changelog)
        )
    return Config(
        components=tuple(components),
        sections=sections,
        squash_bullets=SquashBullets(data.get("squash-bullets", "auto")),
        repository_url=(data.get("repository-url") or "").rstrip("/") or None,
        separate_pull_requests=bool(data.get("separate-pull-requests", False)),
        pull_request_title=data.get("pull-request-title", "chore({target}): release {version}"),
        required_checks=tuple(
            RequiredCheck(c) if isinstance(c, str) else RequiredCheck(c["name"], c["app"])
            for c in data.get("required-checks", ())
        ),
        fail_on_missing_evidence=data.get("fail-on-missing-evidence"),
        monorepo=bool(raw_components),
        source=source,
        types=DEFAULT_TYPES | {s.type for s in sections},
        environments=parse_environments(data.get("environments"), source),
        retention=retention(data.get("retention")),
        labels=_labels(data.get("labels")),
        policies=Policies(
            (data.get("policies") or {}).get("second-person-review", "warn"),
            (data.get("policies") or {}).get("required-checks", "warn"),
        ),
    )


def _model_settings(comp: dict[str, Any]) -> ModelSettings | None:
    if comp.get("type", "code") != "model":
        return None
    bumps = tuple(
        (rule, Bump[value.upper()]) for rule, value in comp.get("model-bumps", {}).items()
    )
    return ModelSettings(bool(comp.get("strict", False)), bumps)


def _labels(raw) -> Labels:
    if raw is None or raw == "releaser":
        return Labels()
    if raw == "release-please":
        return RELEASE_PLEASE_LABELS
    default = Labels()
    return Labels(raw.get("pending", default.pending), raw.get("released", default.released))


def load(
    path: Path | None,
    repo: Path,
    explicit: bool = False,
    fallback: Callable[[Path], Config | None] | None = None,
) -> Config:
    """Load the config; a missing explicit file fails, a missing default one means what
    `fallback(repo)` reads instead (release-please's files), else the defaults."""
    source = str(path) if path is not None else DEFAULT_PATH
    raw = read_raw(path, repo, source, explicit)
    if raw is None:
        return (fallback(repo) if fallback is not None else None) or from_dict({})
    return parse(raw, source)


def read_raw(path: Path | None, repo: Path, source: str, explicit: bool = False) -> bytes | None:
    """The config file's bytes through releaser.paths, within the size bound; None when the
    default file is missing. `source` names it in errors."""
    target = path if path is not None else repo / DEFAULT_PATH
    try:
        return config_path.read(target, repo, CONFIG_MAX_BYTES)
    except paths.PathRefused as exc:
        # Never read, so never echoed: a link could point at any file on the runner.
        raise ConfigError(f"cannot read config {source}: {exc.reason}", file=source) from None
    except FileNotFoundError:
        if explicit:
            raise ConfigError(f"config file not found: {source}", file=source) from None
        return None
    except OSError as exc:
        if exc.errno == errno.EFBIG:
            raise ConfigError(
                f"{source}: larger than the {CONFIG_MAX_BYTES}-byte limit", file=source
            ) from None
        raise ConfigError(f"cannot read config {source}: {exc.strerror}", file=source) from None


def parse(raw: bytes | str, source: str) -> Config:
    """A config from the file's content, parsed within the bounds in releaser.bounded."""
    data, root = load_yaml(raw, source)
    if data is None:
        data = {}
    _validate(data, source, root)
    _check_values(data, source, root)
    return from_dict(data, source)
