"""A model release's plan: its digests, its baseline, the manifest bump and the gate results,
as `releaser plan --json` shows them under `model` (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from releaser.domain.bump import Bump
from releaser.domain.model import CI, ModelManifest
from releaser.domain.model_bump import Change, classify
from releaser.domain.model_gates import GateResult, evaluate

# The value of a `{check: name}` gate that has not been evaluated (see plan_model).
PENDING = "pending"


@dataclass(frozen=True, slots=True)
class Baseline:
    """The previous release of the model: its tag and the manifest digest at that tag."""

    tag: str
    manifest_sha256: str

    def as_json(self) -> dict[str, str]:
        return {"tag": self.tag, "manifest_sha256": self.manifest_sha256}


@dataclass(frozen=True, slots=True)
class ModelPlan:
    """What a model release is, and why its version is what it is."""

    manifest_sha256: str
    interface_sha256: str
    hyperparameters_sha256: str
    baseline: Baseline | None
    changes: tuple[Change, ...]
    model_bump: Bump
    flags: tuple[str, ...]
    gates: tuple[GateResult, ...]
    gates_passed: bool
    errors: tuple[str, ...] = ()  # not shown: the caller refuses the release with the first

    def as_json(self) -> dict[str, Any]:
        """Exactly the keys of `plan --json`'s `model` object."""
        return {
            "manifest_sha256": self.manifest_sha256,
            "interface_sha256": self.interface_sha256,
            "hyperparameters_sha256": self.hyperparameters_sha256,
            "baseline": self.baseline.as_json() if self.baseline is not None else None,
            "changes": [c.as_json() for c in self.changes],
            "model_bump": self.model_bump.label,
            "flags": list(self.flags),
            "gates": [g.as_json() for g in self.gates],
            "gates_passed": self.gates_passed,
        }


def _pending(result: GateResult) -> GateResult:
    return GateResult(result.gate, None, PENDING, result.threshold, None, False, CI)


def plan_model(
    current: ModelManifest,
    baseline: ModelManifest | None,
    baseline_tag: str | None,
    code_changed: bool,
    overrides: Mapping[str, Bump] | None = None,
    strict: bool = False,
    checks: Mapping[str, str] | None = None,
) -> ModelPlan:
    """The model's plan from the manifest now and the one at its previous tag (None: a first
    release). `code_changed`: a commit in the range changed another file under the component
    path. `overrides` is the component's `model-bumps`.

    `checks` maps a check run's name to its conclusion on the release commit. Offline (`plan`)
    there is none, so `checks=None` reports each `{check: name}` gate as not evaluated: value
    "pending", passed false, assurance "ci". It is not counted as a pass, so `gates_passed` is
    false while a check gate is pending; the release PR check run and publish, which read the
    check runs, are what decide it.
    """
    bump = classify(baseline, current, code_changed, overrides, strict)
    results = evaluate(current, baseline, checks or {})
    if checks is None:
        results = tuple(
            _pending(r) if g.kind == "check" else r
            for g, r in zip(current.gates, results, strict=True)
        )
    digests = current.digests
    previous = None
    if baseline is not None and baseline_tag is not None:
        previous = Baseline(baseline_tag, baseline.digests.manifest_sha256)
    return ModelPlan(
        manifest_sha256=digests.manifest_sha256,
        interface_sha256=digests.interface_sha256,
        hyperparameters_sha256=digests.hyperparameters_sha256,
        baseline=previous,
        changes=bump.changes,
        model_bump=bump.bump,
        flags=bump.flags,
        gates=results,
        gates_passed=all(r.passed for r in results),
        errors=bump.errors,
    )
