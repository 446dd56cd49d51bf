"""Bounded parsing of every YAML and JSON input: size, nesting depth and alias expansion.

Each refusal is one ReleaserError line naming the file (and the line where known) and the
limit, raised before anything is written. The limits, and why they are where they are:

- Config (.github/releaser.yml): 1 MiB, 64 levels, 50 aliases, and an expanded size of at
  most 2 MiB (nodes plus scalar characters, counted with every alias expanded). A real config
  is a few KiB and 4-5 levels deep; an alias bomb (aliases of aliases) is refused from the
  events alone, before anything is expanded.
- Event file (GITHUB_EVENT_PATH): 32 MiB (GitHub caps webhook payloads at 25 MB), 64 levels
  (payloads nest about 8 deep).
- SBOMs: 100 MiB, 128 levels. CycloneDX nests components in components (two levels each) and
  its schema validator needs about 3 levels of headroom per level; 128 leaves room for 60
  levels of components and stays well clear of Python's recursion limit.
- Our own evidence (release-evidence.json, *.intoto.jsonl): 64 MiB, 64 levels (it nests 7).
- The release PR marker: 256 KiB (a PR body holds 65536 characters), 16 levels (it nests 3);
  package.json version files: 16 MiB, 128 levels. Both are parsed in the pure domain, so
  their limits live in releaser.domain.bounded_json.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from releaser.domain import bounded_json
from releaser.errors import ConfigError, EvidenceError, ReleaserError


@dataclass(frozen=True, slots=True)
class JsonLimits:
    max_bytes: int
    max_depth: int


CONFIG_MAX_BYTES = 1024**2
CONFIG_MAX_DEPTH = 64
CONFIG_MAX_ALIASES = 50
CONFIG_MAX_EXPANDED = 2 * 1024**2
EVENT = JsonLimits(32 * 1024**2, 64)
SBOM = JsonLimits(100 * 1024**2, 128)
EVIDENCE = JsonLimits(64 * 1024**2, 64)
MARKER = JsonLimits(**bounded_json.MARKER)


def _where(source: str, line: int | None) -> str:
    return f"{source}:{line}" if line else source


def read_capped(
    path: Path, max_bytes: int, source: str, error: type[ReleaserError] = EvidenceError
) -> bytes:
    """A file's bytes, refusing (without reading it all) one larger than `max_bytes`."""
    with path.open("rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise error(f"{source}: larger than the {max_bytes}-byte limit")
    return data


def load_json(
    data: str | bytes,
    source: str,
    limits: JsonLimits,
    error: type[ReleaserError] = EvidenceError,
) -> Any:
    """Parse JSON within `limits`; anything else is one `error` line naming `source`."""
    try:
        return bounded_json.loads(data, max_bytes=limits.max_bytes, max_depth=limits.max_depth)
    except bounded_json.LimitError as exc:
        raise error(f"{_where(source, exc.line)}: {exc.message}") from None
    except UnicodeDecodeError:
        raise error(f"{source}: not UTF-8 text") from None
    except ValueError as exc:  # JSONDecodeError, or an integer too long to convert
        line = getattr(exc, "lineno", None)
        problem = getattr(exc, "msg", None) or str(exc).split("\n", 1)[0][:200]
        raise error(f"{_where(source, line)} is not valid JSON: {problem}") from None


def _events(yaml, text: str):
    """The parser's events (libyaml's when present: the pure-Python scanner looks ahead up to
    1024 tokens per simple key, which makes a deep flow collection slow to refuse)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        while loader.check_event():
            yield loader.get_event()
    finally:
        loader.dispose()


def _check_events(
    text: str,
    source: str,
    *,
    max_depth: int,
    max_aliases: int,
    max_expanded: int,
    error: type[ReleaserError],
) -> None:
    """Measure a YAML stream from its events (the parser keeps its own stack, it does not
    recurse): nesting depth, alias count, and the size every alias would expand to. An anchor
    remembers its node's expanded size and height, so nothing is ever expanded."""
    import yaml

    anchors: dict[str, tuple[int, int]] = {}  # anchor -> (expanded size, height)
    stack: list[list] = []  # per open collection: [expanded size, height, anchor]
    open_anchors: set[str] = set()
    aliases = 0
    total = 0

    def refuse(mark, problem: str) -> ReleaserError:
        line = mark.line + 1
        return error(f"{source}:{line}: {problem}", file=source, line=line)

    def grow(size: int, mark) -> None:
        nonlocal total
        total += size
        if total > max_expanded:
            raise refuse(mark, f"expands to more than the limit of {max_expanded} (aliases)")

    def child(size: int, height: int, mark) -> None:
        """A finished node of `size` and `height` inside the innermost open collection."""
        if len(stack) + height > max_depth:
            raise refuse(mark, f"nested deeper than the limit of {max_depth} levels")
        if stack:
            stack[-1][0] += size
            stack[-1][1] = max(stack[-1][1], height)

    def events():
        try:
            yield from _events(yaml, text)
        except yaml.YAMLError as exc:  # libyaml's own nesting limit (1000) can come first
            mark = getattr(exc, "problem_mark", None)
            if mark is not None and "nesting depth" in str(getattr(exc, "problem", "")):
                raise refuse(mark, f"nested deeper than the limit of {max_depth} levels") from None
            raise

    for event in events():
        if isinstance(event, yaml.CollectionStartEvent):
            if len(stack) >= max_depth:
                raise refuse(
                    event.start_mark, f"nested deeper than the limit of {max_depth} levels"
                )
            grow(1, event.start_mark)
            stack.append([1, 0, event.anchor])
            if event.anchor:
                open_anchors.add(event.anchor)
        elif isinstance(event, yaml.CollectionEndEvent):
            size, height, anchor = stack.pop()
            if anchor:
                anchors[anchor] = (size, height + 1)
                open_anchors.discard(anchor)
            child(size, height + 1, event.start_mark)
        elif isinstance(event, yaml.ScalarEvent):
            size = 1 + len(event.value)
            grow(size, event.start_mark)
            if event.anchor:
                anchors[event.anchor] = (size, 0)
            child(size, 0, event.start_mark)
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > max_aliases:
                raise refuse(event.start_mark, f"more than the limit of {max_aliases} aliases")
            if event.anchor in open_anchors:
                raise refuse(event.start_mark, f"alias *{event.anchor} refers to itself")
            if event.anchor not in anchors:
                raise refuse(event.start_mark, f"undefined alias *{event.anchor}")
            size, height = anchors[event.anchor]
            grow(size, event.start_mark)
            child(size, height, event.start_mark)


def load_yaml(
    data: str | bytes,
    source: str,
    *,
    max_bytes: int = CONFIG_MAX_BYTES,
    max_depth: int = CONFIG_MAX_DEPTH,
    max_aliases: int = CONFIG_MAX_ALIASES,
    max_expanded: int = CONFIG_MAX_EXPANDED,
    error: type[ReleaserError] = ConfigError,
) -> tuple[Any, Any]:
    """(value, root node) of one YAML document, with the safe loader only (libyaml's
    CSafeLoader when PyYAML has it: the same SafeConstructor and resolver as SafeLoader, and
    the events were libyaml's already; composing in C makes a model.yaml or a config ~10x
    cheaper to load); the node keeps the line numbers. Over a bound, or invalid: one
    `error` line `source:line: ...`."""
    import yaml

    size = len(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
    if size > max_bytes:
        raise error(f"{source}: {size} bytes is over the {max_bytes}-byte limit", file=source)
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise error(f"{source}: not UTF-8 text", file=source) from None
    else:
        text = data
    try:
        _check_events(
            text,
            source,
            max_depth=max_depth,
            max_aliases=max_aliases,
            max_expanded=max_expanded,
            error=error,
        )
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
        try:
            root = loader.get_single_node()
            value = loader.construct_document(root) if root is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise error(f"{source}:{line}: invalid YAML: {problem}", file=source, line=line) from None
    except (ValueError, TypeError, OverflowError) as exc:  # e.g. a date like 2024-13-45
        problem = str(exc).split("\n", 1)[0][:200]
        raise error(f"{source}: invalid YAML value: {problem}", file=source) from None
    return value, root
