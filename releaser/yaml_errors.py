"""Schema errors on a YAML file as one `file:line: path: problem` line, shared by every loader
that validates YAML against a shipped JSON Schema (the config, model.yaml)."""

from __future__ import annotations

import json
import re
from typing import Any


def line_of(root, path: tuple) -> int | None:
    """1-based line of the YAML node at `path` (or the deepest existing parent)."""
    return node_at(root, path)[1]


def node_at(root, path: tuple) -> tuple[Any, int | None]:
    """(the YAML node at `path` or its deepest existing parent, its 1-based line)."""
    node = root
    line = node.start_mark.line + 1 if node is not None else None
    for part in path:
        if node is None:
            break
        nxt = None
        if isinstance(part, int) and hasattr(node, "value") and isinstance(node.value, list):
            items = node.value
            if part < len(items):
                nxt = items[part]
                if isinstance(nxt, tuple):
                    nxt = None
        elif hasattr(node, "value") and isinstance(node.value, list):
            for item in node.value:
                if isinstance(item, tuple) and getattr(item[0], "value", None) == part:
                    nxt = item[1]
                    line = item[0].start_mark.line + 1
                    break
        if nxt is None:
            break
        node = nxt
        line = node.start_mark.line + 1
    return node, line


def _number_for_text(error, root_node, path: tuple) -> str | None:
    """`1.0 is a number; quote it: "1.0.0"` for a number YAML read where text belongs (YAML
    reads `initial-version: 1.0` as the float 1.0, and `1.10` as 1.1); else None."""
    if error.validator != "type" or error.validator_value != "string":
        return None
    if isinstance(error.instance, bool) or not isinstance(error.instance, int | float):
        return None
    node = node_at(root_node, path)[0]
    written = str(getattr(node, "value", error.instance))  # the text as typed, before YAML
    quoted = written
    if path and str(path[-1]).endswith("version") and re.fullmatch(r"\d+(\.\d+)?", written):
        quoted = ".".join((written.split(".") + ["0", "0"])[:3])
    return f"{written} is a number; quote it: {json.dumps(quoted)}"


def format_path(path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _preview(value: Any) -> str:
    """A short rendering of any value, however large or deep (reprlib stops early; json.dumps
    would render an expanded alias bomb whole, and fails on YAML dates)."""
    import reprlib

    shown = reprlib.Repr()
    shown.maxlevel, shown.maxstring, shown.maxother = 2, 40, 40
    text = shown.repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def first_schema_error(
    schema: dict[str, Any], data: Any, root_node
) -> tuple[int | None, str] | None:
    """(line, 'path: problem') of the first error (in document path order), or None."""
    import jsonschema  # only when a file exists: it costs ~70 ms to import

    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: (list(e.absolute_path), e.message))
    if not errors:
        return None
    error = errors[0]
    path = tuple(error.absolute_path)
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        where = format_path(path)
        key = extra[0] if extra else "?"
        return line_of(
            root_node, (*path, key)
        ), f"{where + ': ' if where else ''}unknown key '{key}'"
    where = format_path(path) or "(top level)"
    detail = _number_for_text(error, root_node, path) or error.message
    if error.validator in ("anyOf", "oneOf") or len(detail) > 120:
        detail = f"invalid value {_preview(error.instance)}"
    return line_of(root_node, path), f"{where}: {detail}"
