"""Quality gates over a model's metrics: one result row per gate; a missing metric fails."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from releaser.domain.model import CI, Gate, ModelManifest


@dataclass(frozen=True, slots=True)
class GateResult:
    gate: str
    metric: str | None
    value: Any
    threshold: Any
    baseline: float | None
    passed: bool
    assurance: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "gate": self.gate,
            "metric": self.metric,
            "value": self.value,
            "threshold": self.threshold,
            "baseline": self.baseline,
            "passed": self.passed,
            "assurance": self.assurance,
        }


def _one(
    gate: Gate,
    model: ModelManifest,
    baseline: ModelManifest | None,
    checks: Mapping[str, str],
) -> GateResult:
    if gate.kind == "check":
        conclusion = checks.get(gate.check) if gate.check is not None else None
        # A check gate is as strong as the check run it reads: CI, not a typed value.
        return GateResult(
            gate.label, None, conclusion, "success", None, conclusion == "success", CI
        )
    metric = model.metric(gate.metric) if gate.metric is not None else None
    if metric is None or gate.threshold is None:  # never skipped: a gate on a missing metric fails
        return GateResult(gate.label, gate.metric, None, gate.threshold, None, False, None)
    value = metric.value
    if gate.kind == "min":
        passed = value >= gate.threshold
        return GateResult(
            gate.label, gate.metric, value, gate.threshold, None, passed, metric.assurance
        )
    if gate.kind == "max":
        passed = value <= gate.threshold
        return GateResult(
            gate.label, gate.metric, value, gate.threshold, None, passed, metric.assurance
        )
    before = baseline.metric(metric.name) if baseline is not None else None
    if before is None:  # a first release, or a metric new in this one: nothing to regress from
        return GateResult(
            gate.label, gate.metric, value, gate.threshold, None, True, metric.assurance
        )
    delta = value - before.value if metric.higher_is_better else before.value - value
    return GateResult(
        gate.label,
        gate.metric,
        value,
        gate.threshold,
        before.value,
        delta >= gate.threshold,
        metric.assurance,
    )


def evaluate(
    model: ModelManifest,
    baseline: ModelManifest | None = None,
    checks: Mapping[str, str] | None = None,
) -> tuple[GateResult, ...]:
    """Each gate of `model` against its metrics, the baseline's for `baseline: previous`,
    and `checks` (check-run name -> conclusion on the release commit) for `{check: name}`."""
    return tuple(_one(g, model, baseline, checks or {}) for g in model.gates)


def passed(results: tuple[GateResult, ...]) -> bool:
    return all(r.passed for r in results)
