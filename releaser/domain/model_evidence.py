"""A model release's evidence: the `model` section of release-evidence.json (lineage, changes,
gates), its Markdown, and the model_signing v1.0 in-toto statement over the artifact files."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from releaser.domain.model import path_order

MANIFEST_JSON = "model-manifest.json"
STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
# OpenSSF model_signing's predicate (model-signing 1.1.1, `_PREDICATE_TYPE`): `serialization`
# says how the files were hashed, `resources` lists each file's digest in path order.
MODEL_SIGNING_PREDICATE = "https://model_signing/signature/v1.0"
SERIALIZATION = {"method": "files", "hash_type": "sha256", "allow_symlinks": False}


def statement_name(name: str, version: str) -> str:
    return f"{name}-{version}.model.intoto.json"


@dataclass(frozen=True, slots=True)
class ModelFile:
    """A model evidence file as uploaded: model-manifest.json or the model statement."""

    name: str
    size: int
    sha256: str

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "size": self.size, "sha256": self.sha256}


@dataclass(frozen=True, slots=True)
class ModelBaseline:
    tag: str
    manifest_sha256: str


@dataclass(frozen=True, slots=True)
class ModelEvidence:
    """What a model release records. The list fields hold the JSON forms the domain already
    defines (DataEntry, Metric, Change and GateResult .as_json()), so the section reads back
    exactly as it was written."""

    name: str
    manifest_sha256: str
    interface_sha256: str
    hyperparameters_sha256: str
    manifest_file: ModelFile
    statement_file: ModelFile
    lockfile_sha256: str | None = None
    metrics_file_sha256: str | None = None
    baseline: ModelBaseline | None = None
    data: tuple[Mapping[str, Any], ...] = ()
    environment: Mapping[str, Any] | None = None
    run: Mapping[str, Any] | None = None
    metrics: tuple[Mapping[str, Any], ...] = ()
    changes: tuple[Mapping[str, Any], ...] = ()
    model_bump: str | None = None
    flags: tuple[str, ...] = ()
    gates: tuple[Mapping[str, Any], ...] = ()

    @property
    def gates_passed(self) -> bool:
        return all(g["passed"] for g in self.gates)


def model_document(model: ModelEvidence) -> dict[str, Any]:
    """The `model` section of release-evidence.json."""
    base = model.baseline
    return {
        "name": model.name,
        "digests": {
            "manifest_sha256": model.manifest_sha256,
            "interface_sha256": model.interface_sha256,
            "hyperparameters_sha256": model.hyperparameters_sha256,
            "lockfile_sha256": model.lockfile_sha256,
            "metrics_file_sha256": model.metrics_file_sha256,
        },
        "baseline": None
        if base is None
        else {"tag": base.tag, "manifest_sha256": base.manifest_sha256},
        "files": {
            "manifest": model.manifest_file.as_json(),
            "statement": model.statement_file.as_json(),
        },
        "lineage": {
            "data": [dict(d) for d in model.data],
            "hyperparameters_sha256": model.hyperparameters_sha256,
            "environment": dict(model.environment or {}),
            "run": None if model.run is None else dict(model.run),
        },
        "metrics": [dict(m) for m in model.metrics],
        "changes": [dict(c) for c in model.changes],
        "model_bump": model.model_bump,
        "flags": list(model.flags),
        "gates": [dict(g) for g in model.gates],
        "gates_passed": model.gates_passed,
    }


def _file(raw: Mapping[str, Any]) -> ModelFile:
    return ModelFile(raw["name"], raw["size"], raw["sha256"])


def model_from_document(doc: Mapping[str, Any]) -> ModelEvidence:
    """Inverse of model_document (computed fields are dropped)."""
    digests, lineage, base = doc["digests"], doc["lineage"], doc["baseline"]
    return ModelEvidence(
        name=doc["name"],
        manifest_sha256=digests["manifest_sha256"],
        interface_sha256=digests["interface_sha256"],
        hyperparameters_sha256=digests["hyperparameters_sha256"],
        lockfile_sha256=digests["lockfile_sha256"],
        metrics_file_sha256=digests["metrics_file_sha256"],
        manifest_file=_file(doc["files"]["manifest"]),
        statement_file=_file(doc["files"]["statement"]),
        baseline=None if base is None else ModelBaseline(base["tag"], base["manifest_sha256"]),
        data=tuple(lineage["data"]),
        environment=lineage["environment"],
        run=lineage["run"],
        metrics=tuple(doc["metrics"]),
        changes=tuple(doc["changes"]),
        model_bump=doc["model_bump"],
        flags=tuple(doc["flags"]),
        gates=tuple(doc["gates"]),
    )


def resources(files: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    """model_signing's `resources`: each file's sha256, in its manifest order (path segments
    compared as bytes), the order the subject digest is computed in."""
    ordered = sorted(files, key=lambda item: path_order(item[0]))
    return [{"name": path, "algorithm": "sha256", "digest": digest} for path, digest in ordered]


def model_statement(
    name: str, manifest_sha256: str, files: Sequence[tuple[str, str]]
) -> dict[str, Any]:
    """An in-toto Statement v1 a model_signing verifier reads: the subject is the model with
    the manifest digest, the predicate lists the per-file digests it is computed from."""
    return {
        "_type": STATEMENT_TYPE,
        "subject": [{"name": name, "digest": {"sha256": manifest_sha256}}],
        "predicateType": MODEL_SIGNING_PREDICATE,
        "predicate": {"serialization": dict(SERIALIZATION), "resources": resources(files)},
    }
