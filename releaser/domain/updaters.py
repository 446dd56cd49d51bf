"""One small updater per version-file format: `update` rewrites only the version, nothing else;
`current` reads the version the file holds now."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Protocol

from releaser.domain import bounded_json
from releaser.domain.version import parse_version

# Finds version-shaped text; semver.Version then decides whether it really is one.
_VERSION_TOKEN = re.compile(
    r"(?<![\w.+-])v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)"
)


class UpdateError(ValueError):
    """The file holds no version where its format says one should be."""


class Updater(Protocol):
    def update(self, text: str, version: str) -> str: ...

    def current(self, text: str) -> str: ...


def _replace_span(text: str, start: int, end: int, version: str) -> str:
    return text[:start] + version + text[end:]


def _toml_table_version(text: str, tables: tuple[str, ...]) -> str | None:
    """`text` with the table's version value replaced by a NUL (one character to find)."""
    current = None
    for match in re.finditer(
        r"(?m)^[ \t]*(\[[^\]\n]+\])[^\n]*$|^[ \t]*version[ \t]*=[ \t]*(['\"])([^'\"\n]*)\2", text
    ):
        if match.group(1):
            current = match.group(1).strip("[] \t")
        elif current in tables:
            return text[: match.start(3)] + "\0" + text[match.end(3) :]
    return None


@dataclass(frozen=True, slots=True)
class Pyproject:
    """`[project].version`, else `[tool.poetry].version`."""

    def update(self, text: str, version: str) -> str:
        for table in ("project", "tool.poetry"):
            marked = _toml_table_version(text, (table,))
            if marked is not None:
                return marked.replace("\0", version, 1)
        raise UpdateError("no version in [project] or [tool.poetry]")

    def current(self, text: str) -> str:
        for table in ("project", "tool.poetry"):
            marked = _toml_table_version(text, (table,))
            if marked is not None:
                start = marked.index("\0")
                end = start + len(text) - len(marked) + 1
                return text[start:end]
        raise UpdateError("no version in [project] or [tool.poetry]")


def _json_top_level_key(text: str, key: str) -> tuple[int, int] | None:
    """Span of the string value of a top-level key, found by scanning (keeps formatting)."""
    depth = 0
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            literal = text[i : j + 1]
            k = j + 1
            while k < n and text[k] in " \t\r\n":
                k += 1
            if depth == 1 and k < n and text[k] == ":" and json.loads(literal) == key:
                k += 1
                while k < n and text[k] in " \t\r\n":
                    k += 1
                if k < n and text[k] == '"':
                    end = k + 1
                    while end < n and text[end] != '"':
                        end += 2 if text[end] == "\\" else 1
                    return k + 1, end
                return None
            i = j + 1
            continue
        if ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
        i += 1
    return None


@dataclass(frozen=True, slots=True)
class PackageJson:
    """The top-level `"version"` of package.json (nested ones are left alone)."""

    def update(self, text: str, version: str) -> str:
        return _replace_span(text, *self._span(text), version)

    def current(self, text: str) -> str:
        start, end = self._span(text)
        value: str = json.loads(f'"{text[start:end]}"')
        return value

    def _span(self, text: str) -> tuple[int, int]:
        try:
            bounded_json.loads(text, **bounded_json.PACKAGE_JSON)
        except ValueError as exc:
            raise UpdateError(f"not valid JSON: {exc}") from None
        span = _json_top_level_key(text, "version")
        if span is None:
            raise UpdateError('no top-level "version"')
        return span


@dataclass(frozen=True, slots=True)
class PythonVersion:
    """`__version__ = "…"` in a Python module."""

    def update(self, text: str, version: str) -> str:
        match = self._find(text)
        return _replace_span(text, match.start(2), match.end(2), version)

    def current(self, text: str) -> str:
        return self._find(text).group(2)

    def _find(self, text: str) -> re.Match[str]:
        match = re.search(r"(?m)^__version__\s*(?::\s*str\s*)?=\s*(['\"])([^'\"\n]*)\1", text)
        if not match:
            raise UpdateError("no __version__ assignment")
        return match


@dataclass(frozen=True, slots=True)
class PlainVersion:
    """A file that holds just the version, e.g. VERSION."""

    def update(self, text: str, version: str) -> str:
        stripped = text.strip()
        if parse_version(stripped.removeprefix("v")) is None:
            raise UpdateError(f"does not hold a version: {stripped[:40]!r}")
        start = text.index(stripped)
        prefix = "v" if stripped.startswith("v") else ""
        return text[:start] + prefix + version + text[start + len(stripped) :]

    def current(self, text: str) -> str:
        stripped = text.strip()
        if parse_version(stripped.removeprefix("v")) is None:
            raise UpdateError(f"does not hold a version: {stripped[:40]!r}")
        return stripped.removeprefix("v")


@dataclass(frozen=True, slots=True)
class ChartYaml:
    """The top-level `version:` of a Helm Chart.yaml (appVersion is the app's business)."""

    def update(self, text: str, version: str) -> str:
        match = self._find(text)
        return _replace_span(text, match.start(2), match.end(2), version)

    def current(self, text: str) -> str:
        return self._find(text).group(2)

    def _find(self, text: str) -> re.Match[str]:
        match = re.search(r"(?m)^version:[ \t]*(['\"]?)([^'\"\s#]+)\1", text)
        if not match:
            raise UpdateError("no top-level version:")
        return match


@dataclass(frozen=True, slots=True)
class MarkerLines:
    """Every line carrying an `x-releaser-version` comment gets its version replaced."""

    marker: str = "x-releaser-version"

    def update(self, text: str, version: str) -> str:
        lines = text.splitlines(keepends=True)
        found = False
        for index, line in enumerate(lines):
            if self.marker not in line:
                continue
            for match in _VERSION_TOKEN.finditer(line):
                if parse_version(match.group(1)) is not None:
                    lines[index] = _replace_span(line, match.start(1), match.end(1), version)
                    found = True
                    break
        if not found:
            raise UpdateError(f"no version on a line marked {self.marker}")
        return "".join(lines)

    def current(self, text: str) -> str:
        """The marked lines' version; lines that disagree are named, not averaged."""
        found: list[str] = []
        for line in text.splitlines():
            if self.marker not in line:
                continue
            for match in _VERSION_TOKEN.finditer(line):
                if parse_version(match.group(1)) is not None:
                    found.append(match.group(1))
                    break
        if not found:
            raise UpdateError(f"no version on a line marked {self.marker}")
        if len(set(found)) > 1:
            raise UpdateError(
                f"lines marked {self.marker} disagree: {', '.join(sorted(set(found)))}"
            )
        return found[0]


UPDATERS: dict[str, Updater] = {
    "pyproject": Pyproject(),
    "package-json": PackageJson(),
    "python": PythonVersion(),
    "plain": PlainVersion(),
    "chart": ChartYaml(),
    "generic": MarkerLines(),
    # release-please's inline annotation, so files migrated from it keep working unedited.
    "generic-release-please": MarkerLines("x-release-please-version"),
}


def updater_for(path: str, kind: str | None = None) -> Updater:
    """Pick the updater by explicit kind, else by file name."""
    if kind:
        return UPDATERS[kind]
    name = PurePosixPath(path).name
    if name == "pyproject.toml":
        return UPDATERS["pyproject"]
    if name == "package.json":
        return UPDATERS["package-json"]
    if name in ("Chart.yaml", "Chart.yml"):
        return UPDATERS["chart"]
    if name in ("VERSION", "version.txt", "VERSION.txt"):
        return UPDATERS["plain"]
    if name.endswith(".py"):
        return UPDATERS["python"]
    return UPDATERS["generic"]
