"""A model release's gate table and change table as GitHub Markdown: for the release PR body
and for the summary of its `releaser/model-gates` check run."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from releaser.domain.markdown import escape_readable
from releaser.domain.model_bump import Change
from releaser.domain.model_gates import GateResult

CHECK_NAME = "releaser/model-gates"
# GitHub refuses a check run whose output.summary is longer than this (characters).
CHECK_SUMMARY_LIMIT = 65535
MAX_ROWS = 50  # per table; the rest is counted in a line below it
VALUE_WIDTH = 40  # an old or new value, before "…"
NAME_WIDTH = 80  # a gate label, metric, rule or field
_DIGEST = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_PASS, _FAIL = "✅ pass", "❌ fail"


class ModelResult(Protocol):
    """What the tables show of a model release (the engine's ModelPlan has both)."""

    @property
    def changes(self) -> tuple[Change, ...]: ...

    @property
    def gates(self) -> tuple[GateResult, ...]: ...

    @property
    def manifest_sha256(self) -> str: ...


@dataclass(frozen=True, slots=True)
class ModelTables:
    changes: tuple[Change, ...]
    gates: tuple[GateResult, ...]
    manifest_sha256: str = ""


def _cut(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def shown_value(value: Any) -> str:
    """A value as one short, stable line (not yet escaped): repr's round-trip form for floats,
    JSON with sorted keys for structures, a digest by its first 12 hex digits."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        # str() of an int of thousands of digits is slow, and refused past 4300 digits.
        return str(value) if value.bit_length() <= 1000 else f"a {value.bit_length()}-bit integer"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        if _DIGEST.fullmatch(value):
            return value[:12] + "…"
        return _cut(value, VALUE_WIDTH)
    try:
        text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        text = f"a {type(value).__name__}"
    return _cut(text, VALUE_WIDTH)


def _cell(text: str | None, width: int = NAME_WIDTH) -> str:
    return "—" if text is None else escape_readable(_cut(text, width))


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], noun: str) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows[:MAX_ROWS]]
    if len(rows) > MAX_ROWS:
        # A blank line first: a line right below a table would be read as one more row.
        lines += ["", f"… and {len(rows) - MAX_ROWS} more {noun}; `releaser plan` lists them all."]
    return "\n".join(lines) + "\n"


def gate_table(gates: Sequence[GateResult]) -> str:
    if not gates:
        return "No gates are configured for this model.\n"
    header = ("Status", "Gate", "Metric", "Value", "Threshold", "Baseline", "Assurance")
    rows = [
        (
            _PASS if g.passed else _FAIL,
            _cell(g.gate),
            _cell(g.metric),
            "missing" if g.value is None else _cell(shown_value(g.value)),
            _cell(shown_value(g.threshold)),
            _cell(shown_value(g.baseline)),
            _cell(g.assurance),
        )
        for g in gates
    ]
    return _table(header, rows, "gates")


def change_table(changes: Sequence[Change]) -> str:
    if not changes:
        return "No manifest changes from the baseline.\n"
    header = ("Rule", "Field", "Old → new", "Bump")
    rows = [
        (
            _cell(c.rule),
            _cell(c.field),
            f"{_cell(shown_value(c.old))} → {_cell(shown_value(c.new))}",
            c.bump.label,
        )
        for c in changes
    ]
    return _table(header, rows, "changes")


def gates_title(gates: Sequence[GateResult]) -> str:
    if not gates:
        return "No gates"
    passed = sum(1 for g in gates if g.passed)
    failed = len(gates) - passed
    return f"{passed} of {len(gates)} gates passed" + (f", {failed} failed" if failed else "")


def body_section(tag: str, result: ModelResult, compact: bool = False) -> list[str]:
    """The lines the release PR body shows under a model release's notes: why the version is
    what it is, and its gates; `compact` leaves the tables out (a body near GitHub's limit)."""
    title = gates_title(result.gates)
    out = [f"### Model release {_cell(tag)}", ""]
    if compact:
        return out + [
            f"{len(result.changes)} manifest changes; gates: {title}. The tables were left out"
            f" to keep this body within GitHub's size limit: the `{CHECK_NAME}` check run and"
            " `releaser plan` show them.",
            "",
        ]
    return out + [
        "**Why this version** (the manifest against the previous release's):",
        "",
        change_table(result.changes),
        f"**Quality gates:** {title}. The `{CHECK_NAME}` check run enforces them.",
        "",
        gate_table(result.gates),
    ]


def check_output(models: Mapping[str, ModelResult]) -> tuple[str, str, str]:
    """(conclusion, title, summary) of the one check run on a release PR's head: failure when
    any gate of any of its model releases failed."""
    gates = [g for result in models.values() for g in result.gates]
    conclusion = "success" if all(g.passed for g in gates) else "failure"
    parts = []
    for tag, result in models.items():
        parts += [f"### {_cell(tag)}: {gates_title(result.gates)}", "", gate_table(result.gates)]
    summary = "\n".join(parts)
    if len(summary) > CHECK_SUMMARY_LIMIT:
        trailer = "\n\n… cut to fit GitHub's limit; see the release PR for the rest.\n"
        kept = summary[: CHECK_SUMMARY_LIMIT - len(trailer)]
        summary = kept[: kept.rfind("\n")] + trailer  # whole lines: no row or cell is split
    return conclusion, gates_title(gates), summary


def models_digest(models: Mapping[str, ModelResult]) -> str:
    """Identifies what the tables say, for the plan digest: any change or gate result that
    moves changes it. "" without model releases, so a code-only plan's digest is as before."""
    if not models:
        return ""
    data = [
        [tag, [c.as_json() for c in models[tag].changes], [g.as_json() for g in models[tag].gates]]
        for tag in sorted(models)
    ]
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=repr)
    return hashlib.sha256(text.encode()).hexdigest()
