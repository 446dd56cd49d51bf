"""The model section of release-evidence.md: lineage, changes, gates and metrics with the
assurance of each value. Every string from model.yaml goes through the one escaping module."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from releaser.domain.markdown import escape_readable
from releaser.domain.model_evidence import ModelEvidence


def _text(value: Any) -> str:
    if value is None:
        return "—"
    shown = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return escape_readable(shown if len(shown) <= 200 else shown[:197] + "...")


def _code(value: str) -> str:
    return f"`{value.replace('`', '')}`"


def _link(label: str, url: Any) -> str:
    if isinstance(url, str) and re.fullmatch(r"https?://[^\s<>()\[\]]+", url):
        label = re.sub(r"(?<!\\)((?:\\\\)*)([\[\]])", r"\1\\\2", label)
        return f"[{label}](<{url}>)"
    return label


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows] + [""]


def _digest(entry: Mapping[str, Any]) -> str:
    if entry.get("sha256"):
        return f"sha256 {_code(str(entry['sha256']))}"
    parts = []
    for d in entry.get("digests", ()):
        algorithm = str(d.get("algorithm"))
        label = "md5 (weak)" if algorithm != "sha256" else "sha256"
        parts.append(f"{label} {_code(str(d.get('value')))} ({_text(d.get('path'))})")
    return "; ".join(parts) or "none recorded"


def _lineage(model: ModelEvidence) -> list[str]:
    rows = [
        (_text(d.get("name")), _text(d.get("version")), _text(d.get("uri")), _digest(d))
        for d in model.data
    ]
    out = ["### Lineage", ""] + _table(("Data", "Version", "URI", "Digest"), rows)
    out += [f"- **Hyperparameters:** sha256 {_code(model.hyperparameters_sha256)}"]
    env = dict(model.environment or {})
    if env:
        python = env.get("python")
        frameworks = env.get("frameworks") or {}
        items = [f"python {_text(python)}"] if python is not None else []
        items += [f"{_text(f.get('name'))} {_text(f.get('version'))}" for f in frameworks]
        if env.get("lockfile"):
            digest = _code(model.lockfile_sha256 or "not hashed")
            items.append(f"lockfile {_text(env['lockfile'])} (sha256 {digest})")
        out += ["- **Environment:** " + (", ".join(items) or "—")]
    run = model.run
    if run:
        label = f"{_text(run.get('system'))} run {_text(run.get('id'))}"
        out += [f"- **Training run:** {_link(label, run.get('url'))}"]
    return out + [""]


def render_model_section(model: ModelEvidence) -> list[str]:
    base = model.baseline
    out = [
        f"## Model {_text(model.name)}",
        "",
        f"- **Manifest digest (model_signing v1.0):** sha256 {_code(model.manifest_sha256)}",
        f"- **Interface:** sha256 {_code(model.interface_sha256)}",
        "- **Baseline:** "
        + (
            "none (first release)"
            if base is None
            else f"{_text(base.tag)}, manifest sha256 {_code(base.manifest_sha256)}"
        ),
        f"- **Model bump:** {_text(model.model_bump or 'none')}",
        f"- **Flags:** {', '.join(_text(f) for f in model.flags) or 'none'}",
        f"- **Gates:** {'passed' if model.gates_passed else '**failed**'}",
        "",
    ]
    out += _lineage(model)
    out += ["### Changes", ""]
    rows: list[tuple[str, ...]] = [
        (_text(c.get("rule")), _text(c.get("field")), _text(c.get("old")), _text(c.get("new")))
        + (_text(c.get("bump")),)
        for c in model.changes
    ]
    out += _table(("Rule", "Field", "Old", "New", "Bump"), rows) if rows else ["None.", ""]
    out += ["### Gates", ""]
    rows = [
        (
            _text(g.get("gate")),
            _text(g.get("value")),
            _text(g.get("threshold")),
            _text(g.get("baseline")),
            "pass" if g.get("passed") else "**fail**",
            _text(g.get("assurance")),
        )
        for g in model.gates
    ]
    header = ("Gate", "Value", "Threshold", "Baseline", "Result", "Assurance")
    out += _table(header, rows) if rows else ["None.", ""]
    out += ["### Metrics", ""]
    rows = [
        (
            _text(m.get("name")),
            _text(m.get("value")),
            _text(m.get("dataset")),
            _text(m.get("slice")),
            _text(m.get("ci")),
            _text(m.get("assurance")),
        )
        for m in model.metrics
    ]
    header = ("Metric", "Value", "Dataset", "Slice", "CI", "Assurance")
    out += _table(header, rows)
    out += [
        "Assurance: `declared` was typed into model.yaml; `ci` was read from the pinned"
        " metrics-file (or, for a check gate, the check run on the release commit).",
        "",
    ]
    return out
