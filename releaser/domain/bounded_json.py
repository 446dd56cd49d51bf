"""JSON with a size and a nesting bound, checked before the parser runs.

`json.loads` recurses once per nesting level, so a few kilobytes of `[[[[...` raise
RecursionError (a traceback, not an answer). `loads` first measures the nesting in one linear
pass that skips string literals, and only hands bounded input to the parser.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

# The release PR marker: a PR body holds at most 65536 characters; the marker nests 3 deep.
MARKER = {"max_bytes": 256 * 1024, "max_depth": 16}
# A package.json version file.
PACKAGE_JSON = {"max_bytes": 16 * 1024**2, "max_depth": 128}

_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)
_NOT_BRACKETS = bytes(c for c in range(256) if c not in b"[]{}")
_STEP = tuple(1 if c in b"[{" else -1 if c in b"]}" else 0 for c in range(256))


class LimitError(ValueError):
    """The input is over a bound; `line` is 1-based where known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def nesting(raw: bytes) -> int:
    """The deepest nesting of arrays and objects in UTF-8 JSON, outside string literals.

    One linear pass in C-level steps, no recursion: drop escaped backslashes, then escaped
    quotes (left to right, as a JSON string pairs them), and every quote left opens or
    closes a string, so the pieces between pairs of quotes are the structure.
    """
    unescaped = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    outside = b"".join(unescaped.split(b'"')[::2])
    brackets = outside.translate(None, delete=_NOT_BRACKETS)
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def _line_too_deep(data: bytes, max_depth: int) -> int | None:
    depth = 0
    for match in _TOKEN.finditer(data):
        token = match.group()
        if token[0] == 0x22:  # a string literal
            continue
        depth += 1 if token in (b"[", b"{") else -1
        if depth > max_depth:
            return data.count(b"\n", 0, match.start()) + 1
    return None


def loads(data: str | bytes, *, max_bytes: int, max_depth: int) -> Any:
    """`json.loads` on bounded UTF-8 input. Raises LimitError, UnicodeDecodeError or
    json.JSONDecodeError (all ValueError)."""
    if isinstance(data, str):
        text, raw = data, data.encode("utf-8", "surrogatepass")
    else:
        text, raw = None, data
    if len(raw) > max_bytes:
        raise LimitError(f"{len(raw)} bytes is over the {max_bytes}-byte limit")
    if text is None:
        text = raw.decode("utf-8")  # JSON is UTF-8 (RFC 8259); json.loads would guess
    if nesting(raw) > max_depth:
        line = _line_too_deep(raw, max_depth)
        raise LimitError(f"nested deeper than the limit of {max_depth} levels", line)
    return json.loads(text)
