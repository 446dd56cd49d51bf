"""`releaser plan`'s text for a model release: its digests, then its changes and its gates as
plain-text tables (the same facts as the `model` object of `plan --json`)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from releaser.domain.model_plan import PENDING, ModelPlan

_WIDEST = 48  # a cell past this is cut: a table line stays readable


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = " ".join(text.split())  # user text: one line per row, whatever it holds
    return text if len(text) <= _WIDEST else text[: _WIDEST - 3] + "..."


def table(header: Sequence[str], rows: Iterable[Sequence[Any]], indent: str = "  ") -> list[str]:
    """Columns padded to their widest cell."""
    cells = [list(header)] + [[_cell(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    return [
        indent + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in cells
    ]


def model_lines(plan: ModelPlan) -> list[str]:
    baseline = plan.baseline
    lines = [
        f"  model: manifest sha256 {plan.manifest_sha256}",
        "  baseline "
        + (
            f"{baseline.tag} (manifest sha256 {baseline.manifest_sha256})"
            if baseline is not None
            else "none (first release)"
        ),
        f"  model bump: {plan.model_bump.label}; flags: {', '.join(plan.flags) or 'none'}",
    ]
    if plan.changes:
        lines.append("")
        lines += table(
            ("rule", "field", "old", "new", "bump"),
            ((c.rule, c.field, c.old, c.new, c.bump.label) for c in plan.changes),
        )
    if plan.gates:
        lines.append("")
        lines += table(
            ("gate", "metric", "value", "threshold", "baseline", "result", "assurance"),
            (
                (
                    g.gate,
                    g.metric,
                    g.value,
                    g.threshold,
                    g.baseline,
                    "pass"
                    if g.passed
                    else (PENDING if g.value == PENDING and not g.metric else "FAIL"),
                    g.assurance,
                )
                for g in plan.gates
            ),
        )
        pending = sum(1 for g in plan.gates if g.value == PENDING and g.metric is None)
        failed = sum(1 for g in plan.gates if not g.passed) - pending
        passed = len(plan.gates) - failed - pending
        lines.append(f"  gates: {passed} passed, {failed} failed, {pending} pending")
    return lines
