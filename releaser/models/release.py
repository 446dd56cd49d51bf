"""One model release as publish makes it: model-manifest.json, the model_signing statement and
the `model` section of the evidence, all from the manifest read at the merge commit."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from releaser.domain.evidence_json import canonical
from releaser.domain.model import ModelManifest
from releaser.domain.model_bump import Change
from releaser.domain.model_evidence import (
    MANIFEST_JSON,
    ModelBaseline,
    ModelEvidence,
    ModelFile,
    model_statement,
    statement_name,
)
from releaser.domain.model_gates import GateResult
from releaser.models.verify import document

TAG_DIGEST_KEY = "manifest_sha256"


@dataclass(frozen=True, slots=True)
class ModelRelease:
    """A model component's release, checked before any write (gates, immutability)."""

    tag: str
    version: str
    manifest: ModelManifest
    baseline: ModelBaseline | None = None
    changes: tuple[Change, ...] = ()
    model_bump: str | None = None
    gates: tuple[GateResult, ...] = ()
    flags: tuple[str, ...] = ()  # the bump's (unexplained-artifact-change) beside the manifest's

    @property
    def manifest_sha256(self) -> str:
        return self.manifest.digests.manifest_sha256


def tag_message(release: ModelRelease) -> str:
    """The annotated tag's message: GTO shows it as the registration's message (its own
    default reads "Registering artifact NAME version vX.Y.Z"); the digest line lets a re-run
    tell the version already holds other bytes."""
    name = release.manifest.name
    return (
        f"Registering artifact {name} version v{release.version}\n\n"
        f"{TAG_DIGEST_KEY}: {release.manifest_sha256}\n"
    )


def digest_in_message(message: str) -> str | None:
    """The manifest digest a model tag's message records: its last `manifest_sha256:` line
    (the one releaser writes after the first line), when it is 64 hex digits."""
    for line in reversed(message.splitlines()):
        key, _, value = line.partition(":")
        if key.strip() == TAG_DIGEST_KEY:
            value = value.strip()
            return value if re.fullmatch(r"[0-9a-f]{64}", value) else None
    return None


def _environment(raw: Mapping[str, Any]) -> dict[str, Any]:
    frameworks = raw.get("frameworks") or {}
    return {
        "python": None if raw.get("python") is None else str(raw["python"]),
        "frameworks": [{"name": str(k), "version": str(v)} for k, v in sorted(frameworks.items())],
        "lockfile": raw.get("lockfile"),
    }


def manifest_bytes(release: ModelRelease, commit: str) -> bytes:
    base = release.baseline
    doc = document(
        release.manifest,
        commit,
        None if base is None else {"tag": base.tag, "manifest_sha256": base.manifest_sha256},
    )
    doc["version"] = release.version
    doc["tag"] = release.tag
    return canonical(doc)


def statement_bytes(release: ModelRelease) -> bytes:
    model = release.manifest
    files = [(f.path, f.sha256) for f in model.files]
    return canonical(model_statement(model.name, release.manifest_sha256, files))


def _as_json(item: Any) -> dict[str, Any]:
    # A Change, or the plan's JSON form of one (the engine's model result).
    return item.as_json() if hasattr(item, "as_json") else dict(item)


def _file(name: str, data: bytes) -> ModelFile:
    return ModelFile(name, len(data), hashlib.sha256(data).hexdigest())


def model_evidence(release: ModelRelease, commit: str) -> tuple[ModelEvidence, dict[str, bytes]]:
    """The evidence section and the two files it names (name -> bytes)."""
    model = release.manifest
    manifest = manifest_bytes(release, commit)
    statement = statement_bytes(release)
    statement_file = statement_name(model.name, release.version)
    d = model.digests
    evidence = ModelEvidence(
        name=model.name,
        manifest_sha256=d.manifest_sha256,
        interface_sha256=d.interface_sha256,
        hyperparameters_sha256=d.hyperparameters_sha256,
        lockfile_sha256=d.lockfile_sha256,
        metrics_file_sha256=d.metrics_file_sha256,
        manifest_file=_file(MANIFEST_JSON, manifest),
        statement_file=_file(statement_file, statement),
        baseline=release.baseline,
        data=tuple(e.as_json() for e in model.data),
        environment=_environment(model.environment),
        run=None if model.run is None else dict(model.run),
        metrics=tuple(m.as_json() for m in model.metrics),
        changes=tuple(_as_json(c) for c in release.changes),
        model_bump=release.model_bump,
        flags=tuple(dict.fromkeys((*model.flags, *release.flags))),
        gates=tuple(g.as_json() for g in release.gates),
    )
    return evidence, {MANIFEST_JSON: manifest, statement_file: statement}
