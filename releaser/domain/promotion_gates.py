"""Model facts at promotion time: which releases are models, the environment's gates evaluated
against the released metrics, and GTO's stage tags (`churn#production#3`) and their counter."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import semver

from releaser.domain.model import DECLARED, Digests, Gate, Interface, Metric, ModelManifest
from releaser.domain.model_gates import GateResult, evaluate
from releaser.domain.promotion import STAGE_PREFIX, Refusal

__all__ = ["STAGE_PREFIX"]  # re-exported: callers know it from here
# GTO's artifact and stage names (one ASCII word, inner - / _), and the tails its tags take
# after the artifact name: a stage (`#prod`, `#prod!`), a version (`@v1.2.0`, `@v1.2.0!`),
# `@deprecated` or `@created`, each with an optional `#N` counter.
_GTO_NAME = re.compile(r"[a-zA-Z0-9]([a-zA-Z0-9\-/_]*[a-zA-Z0-9])?")
_GTO_TAIL = re.compile(
    r"(?:#(?P<stage>[a-zA-Z0-9](?:[a-zA-Z0-9\-/_]*[a-zA-Z0-9])?)!?"
    r"|@(?P<version>v[0-9][0-9A-Za-z.+\-]*)!?"
    r"|@deprecated|@created)"
    r"(?:#(?P<counter>[0-9]+))?"
)


def model_version(component: str, version: str, tag: str) -> bool:
    """A release of a model component: its tag is GTO's `{name}@v{version}`."""
    # The config's `components[].type: model` replaces this test when it lands.
    return bool(component) and tag == f"{component}@v{version}"


def stage_problem(environment: str) -> str | None:
    """Why `environment` cannot be a GTO stage name, or None."""
    if _GTO_NAME.fullmatch(environment):
        return None
    return (
        f"environment {environment!r} is not a GTO stage name (letters, digits, and - / _ "
        "inside): a model's promotion there cannot be recorded as a stage tag"
    )


def _parse(name: str, tag: str) -> re.Match[str] | None:
    if not tag.startswith(name):
        return None
    return _GTO_TAIL.fullmatch(tag, len(name))


def next_counter(name: str, tags: Iterable[str]) -> int:
    """GTO's next counter for artifact `name`: one more than the largest `#N` on any of its
    tags (stage tags, and any other of its tags that carries one), 1 when none does."""
    top = 0
    for tag in tags:
        found = _parse(name, tag)
        if found is not None and found["counter"]:
            top = max(top, int(found["counter"]))
    return top + 1


def stage_tag(name: str, environment: str, counter: int) -> str:
    return f"{name}#{environment}#{counter}"


def stage_tags(name: str, tags: Iterable[str]) -> list[tuple[str, str, int]]:
    """(tag, stage, counter) of `name`'s stage assignments among `tags`, by counter."""
    out = []
    for tag in tags:
        found = _parse(name, tag)
        if found is not None and found["stage"] and found["counter"] and "!" not in tag:
            out.append((tag, found["stage"], int(found["counter"])))
    return sorted(out, key=lambda t: t[2])


def previous_version(name: str, version: str, tags: Iterable[str]) -> str | None:
    """The tag of the highest release of `name` below `version` (GTO version tags)."""
    mine = semver.Version.parse(version)
    best: tuple[semver.Version, str] | None = None
    for tag in tags:
        found = _parse(name, tag)
        if found is None or not found["version"] or found["counter"] or "!" in tag:
            continue
        try:
            other = semver.Version.parse(found["version"][1:])
        except ValueError:
            continue
        if other < mine and (best is None or other > best[0]):
            best = (other, tag)
    return best[1] if best else None


def metrics_from_document(doc: Mapping[str, Any]) -> tuple[Metric, ...]:
    """The metrics of a model-manifest.json document (already verified)."""
    out = []
    for raw in doc.get("metrics") or ():
        if not isinstance(raw, Mapping) or not isinstance(raw.get("name"), str):
            continue
        value = raw.get("value")
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        ci = raw.get("ci")
        out.append(
            Metric(
                name=raw["name"],
                value=float(value),
                dataset=raw.get("dataset") if isinstance(raw.get("dataset"), str) else None,
                slice=raw.get("slice") if isinstance(raw.get("slice"), str) else None,
                ci=(float(ci[0]), float(ci[1])) if isinstance(ci, list) and len(ci) == 2 else None,
                higher_is_better=raw.get("higher-is-better", True) is not False,
                assurance=str(raw.get("assurance") or DECLARED),
            )
        )
    return tuple(out)


def subject(name: str, metrics: Sequence[Metric]) -> ModelManifest:
    """A released model as the gates read it: its name and metrics."""
    return ModelManifest(
        name=name,
        files=(),
        interface=Interface(0, (), ()),
        architecture={},
        data=(),
        metrics=tuple(metrics),
        digests=Digests("", "", ""),
    )


def baselines_needed(gates: Sequence[Gate]) -> tuple[str, ...]:
    """The baselines the gates compare against: `previous` and `stage:<env>` names."""
    return tuple(dict.fromkeys(g.baseline for g in gates if g.kind == "baseline"))


def evaluate_gates(
    gates: Sequence[Gate],
    model: ModelManifest | None,
    baselines: Mapping[str, ModelManifest | None],
    checks: Mapping[str, str],
) -> tuple[GateResult, ...]:
    """Each gate of the environment's policy for this release. `model` is None for a code
    component: only its `check` gates apply (metric gates are the models' policy)."""
    out: list[GateResult] = []
    for gate in gates:
        if gate.kind != "check" and model is None:
            continue
        target = model if model is not None else subject("", ())
        one = evaluate(
            _with_gates(target, (gate,)),
            baselines.get(gate.baseline) if gate.kind == "baseline" else None,
            checks,
        )
        out.extend(one)
    return tuple(out)


def _with_gates(model: ModelManifest, gates: tuple[Gate, ...]) -> ModelManifest:
    from dataclasses import replace

    return replace(model, gates=gates)


def gate_refusal(results: Sequence[GateResult]) -> Refusal | None:
    """The first failing gate as a refusal of rule `gates`, or None."""
    for r in results:
        if r.passed:
            continue
        if r.metric is None:
            why = f"conclusion {r.value or 'none'} on the release commit"
        elif r.value is None:
            why = f"metric {r.metric} is missing from the release"
        elif r.baseline is not None:
            why = f"{r.metric} is {r.value:g} against {r.baseline:g}"
        else:
            why = f"{r.metric} is {r.value:g}"
        return Refusal("gates", f"gate `{r.gate}` failed: {why}")
    return None
