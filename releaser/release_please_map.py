"""release-please-config.json's keys -> releaser's config dict, and a warning for each key
that does not map (what releaser does instead)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from releaser.config import RELEASE_PLEASE_LABELS, file_problem, path_problem
from releaser.errors import ConfigError
from releaser.release_please_keys import (
    EXTRA_TYPES,
    GLOBAL,
    PACKAGE_MAPPED,
    TOP_ONLY,
    UNMAPPED,
)

_NAME_OK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_$-]+$")


def where(path: tuple) -> str:
    """A JSON path as people read it: packages["packages/api"].release-type."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _PLAIN_KEY.match(part):
            out += f".{part}" if out else part
        else:
            out += f"[{json.dumps(part)}]"
    return out or "(top level)"


class Mapper:
    """One run over a parsed release-please-config.json; `warnings` holds one line per key
    that does not map."""

    def __init__(
        self,
        data: dict,
        source: str,
        read: Callable[[str], bytes | None],
        parse: Callable[[bytes, str], Any],
    ) -> None:
        self.data = data
        self.source = source
        self.read = read
        self.parse = parse
        self.warnings: list[str] = []
        self.package_paths: list[str] = []

    def warn(self, path: tuple, message: str) -> None:
        self.warnings.append(f"{self.source}: {where(path)}: {message}")

    def fail(self, path: tuple, message: str):
        raise ConfigError(f"{self.source}: {where(path)}: {message}", file=self.source)

    def get(self, obj: dict, key: str, kind, path: tuple):
        value = obj.get(key)
        if value is not None and not isinstance(value, kind):
            name = {bool: "true or false", str: "a string", list: "an array", dict: "an object"}
            self.fail((*path, key), f"expected {name[kind]}, not {json.dumps(value)[:60]}")
        return value

    def run(self) -> dict[str, Any]:
        top = self.data
        packages = self.get(top, "packages", dict, ())
        if not packages:
            self.fail(("packages",), "release-please's manifest config lists its packages here")
        self.package_paths = list(packages)
        for key in top:
            if key not in TOP_ONLY and key not in GLOBAL and key not in PACKAGE_MAPPED:
                self._unmapped(top, key, ())
        out: dict[str, Any] = {}
        for path, options in packages.items():
            if not isinstance(options, dict):
                self.fail(("packages", path), "expected an object")
            for key in options:
                if key not in GLOBAL and key not in PACKAGE_MAPPED:
                    self._unmapped(options, key, ("packages", path))
        self._globals(top, packages, out)
        if self.get(top, "separate-pull-requests", bool, ()):
            out["separate-pull-requests"] = True
        labels = {}
        for key, name in (("label", "pending"), ("release-label", "released")):
            value = self.get(top, key, str, ())
            default = getattr(RELEASE_PLEASE_LABELS, name)
            names = [n.strip() for n in (value or default).split(",") if n.strip()] or [default]
            if len(names) > 1:
                self.warn((key,), f"releaser uses one label, '{names[0]}'; the others are not set")
            labels[name] = names[0]
        out["labels"] = labels
        components = [self._package(path, options, top) for path, options in packages.items()]
        if len(components) == 1 and components[0]["path"] == ".":
            only = components[0]
            out.update({k: v for k, v in only.items() if k not in ("name", "path")})
        else:
            out["components"] = components
        return out

    def _unmapped(self, obj: dict, key: str, path: tuple) -> None:
        if key == "plugins" and isinstance(obj[key], list):
            for index, plugin in enumerate(obj[key]):
                kind = plugin if isinstance(plugin, str) else (plugin or {}).get("type", "?")
                self.warn(
                    (*path, key, index),
                    f"plugin {json.dumps(kind)[:60]} is not supported: {UNMAPPED[key][1]}",
                )
            return
        if key not in UNMAPPED:
            self.warn((*path, key), "not a release-please option releaser knows; ignored")
            return
        default, instead = UNMAPPED[key]
        if obj[key] != default:
            self.warn((*path, key), f"ignored: {instead}")

    def _globals(self, top: dict, packages: dict, out: dict) -> None:
        """Options releaser has once: the value every package agrees on, else the top
        level's (or release-please's default), with a warning for each package that differs."""
        for key, kind in GLOBAL.items():
            base = self.get(top, key, kind, ())
            values = {
                path: self.get(opts, key, kind, ("packages", path)) if key in opts else base
                for path, opts in packages.items()
            }
            distinct = {json.dumps(v, sort_keys=True) for v in values.values()}
            chosen = next(iter(values.values())) if len(distinct) == 1 else base
            if len(distinct) > 1:
                for path, value in values.items():
                    if value != base and key in packages[path]:
                        shown = "release-please's default" if base is None else json.dumps(base)
                        self.warn(
                            ("packages", path, key),
                            f"releaser has one {key} for every component; it uses {shown}",
                        )
            if chosen is None:
                continue
            if key == "changelog-sections":
                out[key] = self._sections(chosen, ("changelog-sections",))
            elif key == "pull-request-title-pattern":
                out["pull-request-title"] = chosen
            else:
                out[key] = chosen

    def _sections(self, raw: list, path: tuple) -> list[dict]:
        sections = []
        for index, item in enumerate(raw):
            at = (*path, index)
            if not isinstance(item, dict):
                self.fail(at, "expected an object with type and section")
            kind = self.get(item, "type", str, at)
            section = self.get(item, "section", str, at)
            if not kind or not re.match(r"^[A-Za-z][\w-]*$", kind):
                self.fail((*at, "type"), "expected a commit type such as feat")
            if not section:
                self.fail((*at, "section"), "expected a section title")
            entry = {"type": kind, "section": section}
            if self.get(item, "hidden", bool, at):
                entry["hidden"] = True
            sections.append(entry)
        return sections

    def _package(self, path: str, options: dict, top: dict) -> dict[str, Any]:
        at = ("packages", path)
        problem = path_problem(path.strip("/") or ".") if path.strip("/") else None
        if problem:
            self.fail(at, problem)
        norm = path.strip("/") or "."

        def opt(key: str, kind):
            if key in options:
                return self.get(options, key, kind, at), (*at, key)
            return self.get(top, key, kind, ()), (key,)

        release_type, type_at = opt("release-type", str)
        release_type = release_type or "node"
        name, _ = opt("component", str)
        if not name:
            name, _ = opt("package-name", str)
            if name and release_type == "node":
                name = _unscoped(name)
        if not name and release_type == "node":
            raw = self.read(_join(norm, "package.json"))
            manifest = None if raw is None else self.parse(raw, _join(norm, "package.json"))
            found = manifest.get("name") if isinstance(manifest, dict) else None
            name = _unscoped(found) if isinstance(found, str) else None
        in_tag = opt("include-component-in-tag", bool)[0]
        separator = opt("tag-separator", str)[0]
        with_v = opt("include-v-in-tag", bool)[0]
        prefix = (
            f"{name}{'-' if separator is None else separator}"
            if name and in_tag is not False
            else ""
        )
        prefix += "" if with_v is False else "v"
        out: dict[str, Any] = {"name": self._name(name, norm, in_tag, at), "path": norm}
        out["tag-prefix"] = prefix
        log, _ = opt("changelog-path", str)
        if log:
            self._check_file(log, (*at, "changelog-path"))
            out["changelog-path"] = log
        initial, initial_at = opt("initial-version", str)
        if initial:
            out["initial-version"] = initial
        channel = self._prerelease(opt, at)
        if channel:
            out["prerelease"] = channel
        files = self._type_files(release_type, type_at, norm, opt("version-file", str))
        extra, extra_at = opt("extra-files", list)
        files += self._extra_files(extra or [], extra_at, norm)
        if files:
            out["version-files"] = files
        return out

    def _name(self, name: str | None, path: str, in_tag, at: tuple) -> str:
        if name and _NAME_OK.match(name):
            return name
        if name:
            return re.sub(r"[^A-Za-z0-9._-]", "-", name).lstrip("._-") or "root"
        fallback = "root" if path == "." else re.sub(r"[^A-Za-z0-9._-]", "-", path.split("/")[-1])
        fallback = fallback.lstrip("._-") or "root"
        if path != "." and in_tag is not False:
            self.warn(
                at,
                f"no component name: releaser calls it '{fallback}' and tags it v{{version}};"
                " set component to name it",
            )
        return fallback

    def _prerelease(self, opt, at: tuple) -> str | None:
        versioning, versioning_at = opt("versioning", str)
        kind, kind_at = opt("prerelease-type", str)
        flag, flag_at = opt("prerelease", bool)
        if versioning == "prerelease" and kind:
            return kind
        if versioning not in (None, "default", "prerelease"):
            self.warn(
                versioning_at,
                f"versioning {versioning!r} is not supported: releaser bumps by SemVer"
                " from the commits",
            )
        if versioning == "prerelease" and not kind:
            self.warn(
                versioning_at, "without prerelease-type releaser has no channel; releases normally"
            )
        elif kind and versioning != "prerelease":
            self.warn(kind_at, "ignored without versioning: prerelease, as release-please does")
        if flag:
            self.warn(
                flag_at,
                "releaser marks a release prerelease when its version has a prerelease"
                " part (versioning: prerelease with prerelease-type)",
            )
        return None

    def _check_file(self, rel: str, at: tuple) -> None:
        problem = file_problem(rel)
        if problem:
            self.fail(at, problem)

    def _exists(self, rel: str) -> bool:
        return self.read(rel) is not None

    def _type_files(self, release_type: str, at: tuple, path: str, version_file) -> list:
        if release_type == "node":
            if not self._exists(_join(path, "package.json")):
                self.warn(at, f"node: no package.json in {path}; releaser bumps no version file")
                return []
            return ["package.json"]
        if release_type == "python":
            if self._exists(_join(path, "pyproject.toml")):
                return ["pyproject.toml"]
            self.warn(
                at,
                "python: releaser bumps pyproject.toml only and there is none;"
                " list the files under version-files",
            )
            return []
        if release_type == "simple":
            name = version_file[0] or "version.txt"
            self._check_file(name, version_file[1])
            return [{"path": name, "type": "plain"}]
        if release_type == "helm":
            return ["Chart.yaml"]
        if release_type == "go":
            return []  # release-please's go strategy bumps no file either
        self.warn(
            at,
            f"{release_type}: releaser has no updater for its files; list them under"
            " version-files (x-releaser-version lines)",
        )
        return []

    def _extra_files(self, raw: list, at: tuple, path: str) -> list:
        out = []
        for index, item in enumerate(raw):
            here = (*at, index)
            kind: Any = "generic"
            rel: Any
            if isinstance(item, dict):
                kind = item.get("type")
                rel = item.get("path")
                if not isinstance(rel, str) or not rel:
                    self.fail((*here, "path"), "expected a file path")
                if item.get("glob"):
                    self.warn(
                        here, "glob is not supported: releaser bumps the files it names; list each"
                    )
                    continue
            elif isinstance(item, str):
                rel = item
            else:
                self.fail(here, "expected a path or an object with type and path")
            updater = EXTRA_TYPES.get(
                (kind, item.get("jsonpath") if isinstance(item, dict) else None)
            )
            if updater is None:
                locator = item.get("jsonpath") or item.get("xpath")
                self.warn(
                    here,
                    f"{kind} with {json.dumps(locator)[:60]} has no releaser updater;"
                    " list the file under version-files with an x-releaser-version line",
                )
                continue
            if rel.startswith("/"):
                if path != ".":
                    self.warn(
                        here,
                        "a path from the repository's top level is not supported in a component;"
                        " releaser's version-files are relative to the component",
                    )
                    continue
                rel = rel.lstrip("/")
            self._check_file(rel, here)
            out.append({"path": rel, "type": updater})
        return out


def _join(path: str, name: str) -> str:
    return name if path == "." else f"{path}/{name}"


def _unscoped(name: str) -> str:
    """release-please's node strategy drops an npm scope from the component: @org/web -> web."""
    return name.split("/", 1)[1] if re.match(r"^@[\w-]+/", name) else name
