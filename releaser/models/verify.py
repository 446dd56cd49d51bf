"""model-manifest.json (the released manifest with every computed digest) and
`releaser verify EVIDENCE_DIR --model MODEL_DIR`: re-hash a local copy against it."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from releaser import paths
from releaser.domain.model import ModelManifest, manifest_digest
from releaser.errors import ConfigError, VerificationError
from releaser.models.hashing import hash_file
from releaser.models.sources import load_json_bounded

MANIFEST_JSON = "model-manifest.json"
DOCUMENT_SCHEMA = "releaser/model-manifest/v1"


def document(model: ModelManifest, code_commit: str, baseline: dict | None) -> dict[str, Any]:
    """The JSON shape of model-manifest.json. `baseline` is {tag, manifest_sha256} or None."""
    d = model.digests
    return {
        "schema": DOCUMENT_SCHEMA,
        "name": model.name,
        "code_commit": code_commit,
        "baseline": baseline,
        "digests": {
            "manifest_sha256": d.manifest_sha256,
            "interface_sha256": d.interface_sha256,
            "hyperparameters_sha256": d.hyperparameters_sha256,
            "lockfile_sha256": d.lockfile_sha256,
            "metrics_file_sha256": d.metrics_file_sha256,
        },
        "artifact": {
            "format": model.format,
            "uri": model.uri,
            "files": [
                {
                    "path": f.path,
                    "sha256": f.sha256,
                    "size": f.size,
                    "uri": f.uri,
                    "digest_source": "computed" if f.computed else "declared",
                }
                for f in model.files
            ],
        },
        "interface": model.interface.as_json(),
        "architecture": dict(model.architecture),
        "training": {
            "data": [e.as_json() for e in model.data],
            "hyperparameters": dict(model.hyperparameters),
            "environment": dict(model.environment),
            "run": model.run,
        },
        "metrics": [m.as_json() for m in model.metrics],
        "significance": dict(model.significance),
        "gates": list(model.gates_raw),
        "card": dict(model.card),
        "flags": list(model.flags),
    }


def _read_manifest(evidence: Path) -> dict[str, Any]:
    target = evidence / MANIFEST_JSON
    try:
        raw = paths.read_bytes(evidence, MANIFEST_JSON, 64 * 1024 * 1024)
    except FileNotFoundError:
        raise VerificationError(f"{target}: not found") from None
    except OSError as exc:
        raise VerificationError(f"{target}: cannot read: {exc.strerror}") from None
    _check_sums(evidence, raw)
    try:
        doc = load_json_bounded(raw, str(target))
    except ConfigError as exc:
        raise VerificationError(exc.message) from None
    files = doc.get("artifact", {}).get("files") if isinstance(doc, dict) else None
    if doc.get("schema") != DOCUMENT_SCHEMA or not isinstance(files, list):
        raise VerificationError(f"{target}: not a {DOCUMENT_SCHEMA} document")
    return doc


def _check_sums(evidence: Path, raw: bytes) -> None:
    """When the folder has SHA256SUMS (a release's assets), the manifest must be listed in it."""
    try:
        sums = paths.read_bytes(evidence, "SHA256SUMS", 16 * 1024 * 1024).decode("utf-8")
    except FileNotFoundError:
        return
    digest = hashlib.sha256(raw).hexdigest()
    for line in sums.splitlines():
        value, _, name = line.partition("  ")
        if name.lstrip("*") == MANIFEST_JSON:
            if value != digest:
                raise VerificationError(
                    f"{MANIFEST_JSON}: sha256 {digest} does not match SHA256SUMS ({value})"
                )
            return
    raise VerificationError(f"SHA256SUMS: does not list {MANIFEST_JSON}")


def verify_model(evidence: Path, model_dir: Path) -> str:
    """Re-hash every file of `model_dir` against the released manifest. Exit 1 naming the
    first file (in manifest order) whose digest differs, and the missing and extra files."""
    doc = _read_manifest(evidence)
    listed = {f["path"]: f for f in doc["artifact"]["files"]}
    recorded = manifest_digest((p, f["sha256"]) for p, f in listed.items())
    if recorded != doc["digests"]["manifest_sha256"]:
        raise VerificationError(
            f"{MANIFEST_JSON}: files hash to {recorded}, not the recorded manifest_sha256 "
            f"{doc['digests']['manifest_sha256']}"
        )
    found = paths.glob(model_dir, "**")
    present = {p.as_posix() for p in found.files}
    differing, missing = [], []
    for rel, entry in listed.items():
        if rel not in present:
            if entry.get("digest_source") != "declared":  # a uri-only file need not be here
                missing.append(rel)
            continue
        digest, _size = hash_file(model_dir, rel)
        if digest != entry["sha256"]:
            differing.append((rel, entry["sha256"], digest))
    extra = sorted(present - set(listed)) + sorted(r.path for r in found.refused)
    if differing or missing or extra:
        parts = []
        if differing:
            rel, want, got = differing[0]
            parts.append(f"{rel} differs (expected sha256 {want}, found {got})")
        if missing:
            parts.append("missing: " + ", ".join(missing))
        if extra:
            parts.append("extra: " + ", ".join(extra))
        raise VerificationError(f"model {doc['name']}: " + "; ".join(parts))
    return (
        f"model {doc['name']}: {len(present)} files match manifest sha256 "
        f"{doc['digests']['manifest_sha256']}"
    )
