"""The manifest bump: each change between the baseline model.yaml and the current one, as a
rule with a fixed id and a default bump (issue #13's table), overridable per component."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from releaser.domain.bump import Bump
from releaser.domain.model import FLAG_UNEXPLAINED, WIDENINGS, Metric, ModelManifest, Spec

DEFAULT_BUMPS: Mapping[str, Bump] = {
    "interface-version-raised": Bump.MAJOR,
    "required-input-added": Bump.MAJOR,
    "input-removed": Bump.MAJOR,
    "input-type-changed": Bump.MAJOR,
    "output-removed": Bump.MAJOR,
    "output-type-changed": Bump.MAJOR,
    "param-removed": Bump.MAJOR,
    "architecture-changed": Bump.MAJOR,
    "optional-input-added": Bump.MINOR,
    "output-added": Bump.MINOR,
    "param-added": Bump.MINOR,
    "input-type-widened": Bump.MINOR,
    "metric-improved": Bump.MINOR,
    "metric-regressed": Bump.PATCH,
    "retrained": Bump.PATCH,
    "config-changed": Bump.PATCH,
    "unexplained-artifact-change": Bump.PATCH,
}


@dataclass(frozen=True, slots=True)
class Change:
    rule: str
    field: str
    old: Any
    new: Any
    bump: Bump

    def as_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "field": self.field,
            "old": self.old,
            "new": self.new,
            "bump": self.bump.label,
        }


@dataclass(frozen=True, slots=True)
class ModelBump:
    changes: tuple[Change, ...]
    bump: Bump
    flags: tuple[str, ...]
    errors: tuple[str, ...]  # the caller refuses the release with the first one


def _spec_changes(
    key: str, old: tuple[Spec, ...], new: tuple[Spec, ...]
) -> Iterator[tuple[str, str, Any, Any]]:
    """(rule, field, old, new) for inputs / outputs / params compared by name."""
    singular = {"inputs": "input", "outputs": "output", "params": "param"}[key]
    before, after = {s.name: s for s in old}, {s.name: s for s in new}
    for name, spec in after.items():
        if name not in before:
            if key == "inputs":
                rule = "required-input-added" if spec.required else "optional-input-added"
            else:
                rule = f"{singular}-added"
            yield rule, f"interface.{key}.{name}", None, spec.type
    for name, spec in before.items():
        field = f"interface.{key}.{name}"
        if name not in after:
            yield f"{singular}-removed", field, spec.type, None
            continue
        now = after[name]
        if (spec.type, spec.shape) != (now.type, now.shape):
            widened = (spec.type, now.type) in WIDENINGS and spec.shape == now.shape
            # Outputs and params follow the input rules; an output has its own changed id.
            if widened:
                rule = "input-type-widened"
            else:
                rule = "output-type-changed" if key == "outputs" else "input-type-changed"
            yield rule, f"{field}.type", _shown_type(spec), _shown_type(now)
        if key == "inputs" and spec.required != now.required:
            # Optional -> required breaks a caller that leaves it out, as adding it would.
            rule = "required-input-added" if now.required else "optional-input-added"
            yield rule, f"{field}.required", spec.required, now.required


def _shown_type(spec: Spec) -> str:
    return spec.type if spec.shape is None else f"{spec.type}{list(spec.shape)}"


def _metric_changes(
    old: ModelManifest, new: ModelManifest
) -> tuple[list[tuple[str, str, float, float]], list[tuple[str, str, float, float]]]:
    """(rule, field, old, new) of metrics that moved beyond their significance. A metric
    without a significance entry is never significant."""
    improved: list[tuple[str, str, float, float]] = []
    regressed: list[tuple[str, str, float, float]] = []
    for name, threshold in sorted(new.significance.items()):
        before, after = old.metric(name), new.metric(name)
        if before is None or after is None:
            continue
        gain = _gain(before, after)
        item = ("", f"metrics.{name}", before.value, after.value)
        if gain < -threshold:
            regressed.append(("metric-regressed", *item[1:]))
        elif gain > 0 and gain >= threshold:
            improved.append(("metric-improved", *item[1:]))
    return improved, regressed


def _gain(before: Metric, after: Metric) -> float:
    delta = after.value - before.value
    return delta if after.higher_is_better else -delta


def _data_key(model: ModelManifest) -> list[dict[str, Any]]:
    return sorted((d.as_json() for d in model.data), key=lambda d: d["name"])


def _param_defaults(model: ModelManifest) -> dict[str, Any]:
    return {p.name: p.default for p in model.interface.params if p.has_default}


def classify(
    old: ModelManifest | None,
    new: ModelManifest,
    code_changed: bool,
    overrides: Mapping[str, Bump] | None = None,
    strict: bool = False,
) -> ModelBump:
    """The manifest bump from `old` (the model.yaml at the previous tag, None for a first
    release) to `new`. `code_changed`: another file under the component path changed in the
    range (it explains new weights). `overrides` is the component's `model-bumps`."""
    flags = list(new.flags)
    if old is None:
        return ModelBump((), Bump.NONE, tuple(flags), ())
    bumps = {**DEFAULT_BUMPS, **(overrides or {})}
    found: list[tuple[str, str, Any, Any]] = []
    errors: list[str] = []
    if new.interface.version > old.interface.version:
        found.append(
            (
                "interface-version-raised",
                "interface.version",
                old.interface.version,
                new.interface.version,
            )
        )
    elif new.interface.version < old.interface.version:
        errors.append(
            f"interface.version went down from {old.interface.version} to "
            f"{new.interface.version}; an interface version only goes up"
        )
    for key in ("inputs", "outputs", "params"):
        found.extend(_spec_changes(key, getattr(old.interface, key), getattr(new.interface, key)))
    for key in ("family", "name", "base-model"):
        if old.architecture.get(key) != new.architecture.get(key):
            found.append(
                (
                    "architecture-changed",
                    f"architecture.{key}",
                    old.architecture.get(key),
                    new.architecture.get(key),
                )
            )
    data_changed = _data_key(old) != _data_key(new)
    hyper_changed = old.digests.hyperparameters_sha256 != new.digests.hyperparameters_sha256
    if old.digests.manifest_sha256 != new.digests.manifest_sha256:
        improved, regressed = _metric_changes(old, new)
        found.extend(regressed)  # never hidden by an improvement elsewhere
        if not regressed:
            found.extend(improved)
        artifact = ("artifact", old.digests.manifest_sha256, new.digests.manifest_sha256)
        if not (data_changed or hyper_changed or code_changed):
            found.append(("unexplained-artifact-change", *artifact))
            flags.append(FLAG_UNEXPLAINED)
            if strict:
                errors.append(
                    "unexplained-artifact-change: new weights with no data, hyperparameter or "
                    "code change in the range (strict: true)"
                )
        elif not regressed and not improved:
            found.append(("retrained", *artifact))
    else:
        # Metadata that moved without new weights: a patch, and worth a look in review.
        for field, before, after in (
            ("training.data", _data_key(old), _data_key(new)),
            (
                "training.hyperparameters",
                old.digests.hyperparameters_sha256,
                new.digests.hyperparameters_sha256,
            ),
            ("training.environment", dict(old.environment), dict(new.environment)),
            ("training.run", old.run, new.run),
            ("metrics", [m.as_json() for m in old.metrics], [m.as_json() for m in new.metrics]),
            ("interface.params.default", _param_defaults(old), _param_defaults(new)),
            ("card", dict(old.card), dict(new.card)),
            ("gates", list(old.gates_raw), list(new.gates_raw)),
            ("significance", dict(old.significance), dict(new.significance)),
        ):
            if before != after:
                found.append(("config-changed", field, before, after))
    changes = tuple(Change(rule, field, o, n, bumps[rule]) for rule, field, o, n in found)
    bump = max((c.bump for c in changes), default=Bump.NONE)
    return ModelBump(changes, bump, tuple(flags), tuple(errors))
