"""`releaser verify` for a model release: model-manifest.json, the model_signing statement and
the evidence's `model` section must name the same manifest digest, and each file's digests
must hash to it."""

from __future__ import annotations

import hashlib
from typing import Any

from releaser.bounded import EVIDENCE
from releaser.domain import bounded_json
from releaser.domain.evidence_json import EVIDENCE_JSON, canonical
from releaser.domain.model import manifest_digest
from releaser.domain.model_evidence import (
    MODEL_SIGNING_PREDICATE,
    SERIALIZATION,
    STATEMENT_TYPE,
    resources,
)
from releaser.errors import VerificationError
from releaser.models.verify import DOCUMENT_SCHEMA


def _fail(file: str, field: str, expected: object, found: object) -> VerificationError:
    return VerificationError(f"{file}: {field}: expected {expected}, found {found}")


def _load(name: str, raw: bytes) -> dict[str, Any]:
    try:
        value = bounded_json.loads(raw, max_bytes=EVIDENCE.max_bytes, max_depth=EVIDENCE.max_depth)
    except bounded_json.LimitError as exc:
        raise VerificationError(f"{name}: {exc.message}") from None
    except ValueError:
        raise _fail(name, "format", "JSON", "invalid JSON") from None
    if not isinstance(value, dict) or canonical(value) != raw:
        raise _fail(name, "encoding", "an RFC 8785 canonical JSON object", "other bytes")
    return value


def _pairs(name: str, items: Any, path_key: str, digest_key: str) -> list[tuple[str, str]]:
    if not isinstance(items, list) or not all(
        isinstance(i, dict) and isinstance(i.get(path_key), str) for i in items
    ):
        raise _fail(name, "files", "a list of files", "something else")
    out = []
    for item in items:
        digest = item.get(digest_key)
        if not isinstance(digest, str) or len(digest) != 64:
            raise _fail(name, f"{item[path_key]}: sha256", "64 hex digits", digest)
        try:
            bytes.fromhex(digest)
        except ValueError:
            raise _fail(name, f"{item[path_key]}: sha256", "64 hex digits", digest) from None
        out.append((item[path_key], digest))
    return out


def _check_manifest(name: str, doc: dict[str, Any], evidence: dict[str, Any]) -> list:
    model, source = evidence["model"], evidence["source"]
    recorded = model["digests"]["manifest_sha256"]
    if doc.get("schema") != DOCUMENT_SCHEMA:
        raise _fail(name, "schema", DOCUMENT_SCHEMA, doc.get("schema"))
    digests: dict[str, Any] = doc["digests"] if isinstance(doc.get("digests"), dict) else {}
    for key, want in model["digests"].items():
        if digests.get(key) != want:
            raise _fail(name, f"digests.{key} (in {EVIDENCE_JSON})", want, digests.get(key))
    files = _pairs(name, (doc.get("artifact") or {}).get("files"), "path", "sha256")
    computed = manifest_digest(files)
    if computed != recorded:
        raise _fail(name, "manifest_sha256 of its files", recorded, computed)
    if doc.get("code_commit") != source["commit"]:
        raise _fail(name, "code_commit", source["commit"], doc.get("code_commit"))
    if doc.get("baseline") != model["baseline"]:
        raise _fail(name, f"baseline (in {EVIDENCE_JSON})", model["baseline"], doc.get("baseline"))
    if doc.get("name") != model["name"]:
        raise _fail(name, "name", model["name"], doc.get("name"))
    return files


def _check_statement(name: str, doc: dict[str, Any], model: dict[str, Any], files: list) -> None:
    recorded = model["digests"]["manifest_sha256"]
    if doc.get("_type") != STATEMENT_TYPE:
        raise _fail(name, "_type", STATEMENT_TYPE, doc.get("_type"))
    if doc.get("predicateType") != MODEL_SIGNING_PREDICATE:
        raise _fail(name, "predicateType", MODEL_SIGNING_PREDICATE, doc.get("predicateType"))
    subject = doc.get("subject")
    want = [{"name": model["name"], "digest": {"sha256": recorded}}]
    if subject != want:
        found = subject[0].get("digest") if isinstance(subject, list) and subject else subject
        raise _fail(name, "subject digest (manifest_sha256)", recorded, found)
    predicate: dict[str, Any] = doc["predicate"] if isinstance(doc.get("predicate"), dict) else {}
    if predicate.get("serialization") != SERIALIZATION:
        raise _fail(name, "predicate.serialization", SERIALIZATION, predicate.get("serialization"))
    listed = _pairs(name, predicate.get("resources"), "name", "digest")
    computed = manifest_digest(listed)
    if computed != recorded:
        raise _fail(name, "manifest_sha256 of its resources", recorded, computed)
    if predicate.get("resources") != resources(files):
        raise _fail(name, "predicate.resources", "the files of model-manifest.json", "others")


def check_model(evidence: dict[str, Any], files: dict[str, bytes]) -> str | None:
    """Check a model release's files against the evidence and each other; a report line, or
    None when the release is not a model's."""
    model = evidence.get("model")
    if model is None:
        return None
    loaded = {}
    for key in ("manifest", "statement"):
        entry = model["files"][key]
        name = entry["name"]
        if name not in files:
            raise _fail(EVIDENCE_JSON, f"model {key} {name}", "the file to be present", "none")
        actual = hashlib.sha256(files[name]).hexdigest()
        if actual != entry["sha256"]:
            raise _fail(name, f"sha256 (in {EVIDENCE_JSON})", entry["sha256"], actual)
        if len(files[name]) != entry["size"]:
            raise _fail(name, "size", entry["size"], len(files[name]))
        loaded[key] = (name, _load(name, files[name]))
    manifest_name, manifest = loaded["manifest"]
    listed = _check_manifest(manifest_name, manifest, evidence)
    statement_name, statement = loaded["statement"]
    _check_statement(statement_name, statement, model, listed)
    return (
        f"model {model['name']}: {manifest_name}, {statement_name} and {EVIDENCE_JSON} agree on"
        f" manifest sha256 {model['digests']['manifest_sha256']} ({len(listed)} files)"
    )
