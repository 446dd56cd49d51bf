"""A model release in the CycloneDX 1.6 SBOM: a machine-learning-model component with its
modelCard, a data component per training dataset, and their dependencies.

cyclonedx-python-lib (11.12) has no model card, so these parts are plain JSON added to the
BOM it serialized; tests validate the whole document against the 1.6 JSON Schema.
"""

from __future__ import annotations

import json
from typing import Any

from releaser.domain.model import DataEntry, Metric, ModelManifest


def model_ref(name: str, version: str) -> str:
    return f"model:{name}@{version}"


def data_ref(entry: DataEntry) -> str:
    return f"data:{entry.name}@{entry.version}"


def _number(value: float) -> str:
    return format(value, "g") if isinstance(value, float) else str(value)


def _metric(metric: Metric) -> dict[str, Any]:
    out: dict[str, Any] = {"type": metric.name, "value": _number(metric.value)}
    where = [f"dataset {metric.dataset}"] if metric.dataset else []
    where += [metric.slice] if metric.slice else []
    if where:
        out["slice"] = ", ".join(where)
    if metric.ci is not None:
        low, high = metric.ci
        out["confidenceInterval"] = {"lowerBound": _number(low), "upperBound": _number(high)}
    return out


def _considerations(card: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if card.get("intended-use"):
        out["useCases"] = [str(card["intended-use"])]
    if card.get("limitations"):
        out["technicalLimitations"] = [str(card["limitations"])]
    if card.get("ethical-considerations"):
        out["ethicalConsiderations"] = [{"name": str(card["ethical-considerations"])}]
    return out


def _io(specs) -> list[dict[str, str]]:
    return [{"format": f"{s.name}: {s.type}"} for s in specs]


def model_card(model: ModelManifest, version: str) -> dict[str, Any]:
    arch = model.architecture
    parameters: dict[str, Any] = {}
    if arch.get("family"):
        parameters["architectureFamily"] = str(arch["family"])
    if arch.get("name"):
        parameters["modelArchitecture"] = str(arch["name"])
    parameters["datasets"] = [{"ref": data_ref(d)} for d in model.data]
    if model.interface.inputs:
        parameters["inputs"] = _io(model.interface.inputs)
    if model.interface.outputs:
        parameters["outputs"] = _io(model.interface.outputs)
    card: dict[str, Any] = {
        "bom-ref": f"model-card:{model.name}@{version}",
        "modelParameters": parameters,
        "quantitativeAnalysis": {"performanceMetrics": [_metric(m) for m in model.metrics]},
    }
    considerations = _considerations(dict(model.card))
    if considerations:
        card["considerations"] = considerations
    return card


def _model_component(model: ModelManifest, version: str) -> dict[str, Any]:
    d = model.digests
    properties = [
        ("releaser:model:manifest_sha256", d.manifest_sha256),
        ("releaser:model:interface_sha256", d.interface_sha256),
        ("releaser:model:hyperparameters_sha256", d.hyperparameters_sha256),
    ]
    if model.format:
        properties.append(("releaser:model:format", model.format))
    files = [
        {
            "type": "file",
            "bom-ref": f"model-file:{model.name}@{version}:{f.path}",
            "name": f.path,
            "hashes": [{"alg": "SHA-256", "content": f.sha256}],
        }
        for f in model.files
    ]
    out: dict[str, Any] = {
        "type": "machine-learning-model",
        "bom-ref": model_ref(model.name, version),
        "name": model.name,
        "version": version,
        "properties": [{"name": k, "value": v} for k, v in properties],
        "components": files,
        "modelCard": model_card(model, version),
    }
    if model.card.get("license"):
        out["licenses"] = [{"license": {"name": str(model.card["license"])}}]
    return out


def _data_component(entry: DataEntry) -> dict[str, Any]:
    data: dict[str, Any] = {"type": "dataset", "name": entry.name}
    if entry.uri:
        data["contents"] = {"url": entry.uri}
    out: dict[str, Any] = {
        "type": "data",
        "bom-ref": data_ref(entry),
        "name": entry.name,
        "version": entry.version,
        "data": [data],
    }
    if entry.sha256:
        out["hashes"] = [{"alg": "SHA-256", "content": entry.sha256}]
    weak = [d for d in entry.digests if d.algorithm != "sha256"]
    strong = [d for d in entry.digests if d.algorithm == "sha256"]
    if not entry.sha256 and len(strong) == 1:
        out["hashes"] = [{"alg": "SHA-256", "content": strong[0].value}]
    if weak:  # DVC's md5: recorded, and said to be weak
        out["properties"] = [
            {"name": "releaser:data:weak-digest", "value": f"md5:{d.value} ({d.path})"}
            for d in weak
        ]
    return out


def with_model(sbom: bytes, model: ModelManifest, version: str) -> bytes:
    """The generated SBOM `sbom` with the model and its datasets added (sorted keys, as the
    generator writes it), the release's root depending on the model, the model on its data."""
    doc = json.loads(sbom)
    ref = model_ref(model.name, version)
    components = doc.setdefault("components", [])
    components.append(_model_component(model, version))
    seen: set[str] = set()
    for entry in model.data:
        if data_ref(entry) not in seen:
            components.append(_data_component(entry))
            seen.add(data_ref(entry))
    dependencies = doc.setdefault("dependencies", [])
    root = doc.get("metadata", {}).get("component", {}).get("bom-ref")
    for item in dependencies:
        if item.get("ref") == root:
            item["dependsOn"] = sorted({*item.get("dependsOn", []), ref})
    if root and not any(item.get("ref") == root for item in dependencies):
        dependencies.append({"ref": root, "dependsOn": [ref]})
    dependencies.append({"ref": ref, "dependsOn": sorted(seen)})
    dependencies += [{"ref": r} for r in sorted(seen)]
    return (json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
