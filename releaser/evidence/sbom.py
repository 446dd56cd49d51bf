"""SBOMs: check supplied CycloneDX/SPDX JSON, or generate a deterministic CycloneDX 1.6 one."""

from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from cyclonedx.model import HashAlgorithm, HashType
from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.output.json import JsonV1Dot6
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from releaser import paths
from releaser.bounded import SBOM, load_json
from releaser.domain.evidence import Artifact, Sbom
from releaser.errors import EvidenceError

DEFAULT_MAX_BYTES = SBOM.max_bytes
_CDX_VERSIONS = {
    "1.2": SchemaVersion.V1_2,
    "1.3": SchemaVersion.V1_3,
    "1.4": SchemaVersion.V1_4,
    "1.5": SchemaVersion.V1_5,
    "1.6": SchemaVersion.V1_6,
}
_SPDX_VERSION = re.compile(r"SPDX-2\.[0-9]+")
_SPDX_REQUIRED = ("SPDXID", "name", "dataLicense", "documentNamespace", "creationInfo")


def _first_line(text: str) -> str:
    return " ".join(str(text).split("\n", 1)[0].split())[:200]


def cyclonedx_problem(text: str, spec_version: str) -> str | None:
    """None when `text` is valid against the CycloneDX JSON schema of `spec_version`."""
    schema = _CDX_VERSIONS.get(spec_version)
    if schema is None:
        return f"unsupported CycloneDX specVersion {spec_version!r}"
    error = JsonStrictValidator(schema).validate_str(text)
    # JsonValidationError.data is jsonschema's ValidationError; both carry a .message.
    detail: Any = getattr(error, "data", error)
    return None if error is None else _first_line(detail.message)


def _spdx_problem(doc: dict) -> str | None:
    if not isinstance(doc.get("spdxVersion"), str) or not _SPDX_VERSION.fullmatch(
        doc["spdxVersion"]
    ):
        return f"spdxVersion {doc.get('spdxVersion')!r} is not SPDX-2.x"
    missing = [key for key in _SPDX_REQUIRED if key not in doc]
    if missing:
        return "missing " + ", ".join(missing)
    if doc["SPDXID"] != "SPDXRef-DOCUMENT":
        return "SPDXID must be SPDXRef-DOCUMENT"
    info = doc["creationInfo"]
    if not isinstance(info, dict) or not info.get("created") or not info.get("creators"):
        return "creationInfo needs created and creators"
    if not isinstance(doc.get("packages", []), list) or not isinstance(doc.get("files", []), list):
        return "packages and files must be lists"
    return None


def validate_sbom(
    path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, root: Path | None = None
) -> Sbom:
    """Accept a CycloneDX or SPDX JSON file, or raise EvidenceError saying what is wrong.

    With `root`, `path` is read through releaser.paths (no symlink, nothing in .git)."""
    with path.open("rb") if root is None else paths.open_file(root, path) as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > max_bytes:
            raise EvidenceError(
                f"SBOM {path.name}: {size} bytes is over the {max_bytes}-byte limit"
            )
        raw = handle.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise EvidenceError(f"SBOM {path.name}: over the {max_bytes}-byte limit")
    doc = load_json(raw, f"SBOM {path.name}", replace(SBOM, max_bytes=max_bytes))
    text = raw.decode("utf-8")
    if not isinstance(doc, dict):
        raise EvidenceError(f"SBOM {path.name}: expected a JSON object")
    if doc.get("bomFormat") == "CycloneDX":
        fmt, problem = "cyclonedx", cyclonedx_problem(text, str(doc.get("specVersion", "")))
    elif "spdxVersion" in doc:
        fmt, problem = "spdx", _spdx_problem(doc)
    else:
        raise EvidenceError(
            f"SBOM {path.name}: neither CycloneDX (bomFormat) nor SPDX (spdxVersion) JSON"
        )
    if problem:
        raise EvidenceError(f"SBOM {path.name}: invalid {fmt}: {problem}")
    return Sbom(path.name, fmt, len(raw), hashlib.sha256(raw).hexdigest(), generated=False)


def sbom_name(name: str, version: str) -> str:
    return f"{name}-{version}.cdx.json"


def generate_sbom(
    name: str,
    version: str,
    repository_url: str,
    commit: str,
    artifacts: Sequence[Artifact],
    time: str,
) -> bytes:
    """A CycloneDX 1.6 SBOM listing the release's artifacts with their sha256.

    Serial number and timestamp come from the inputs (commit, artifact digests, run time), so
    the same release always yields the same bytes.
    """
    seed = "\n".join(
        [repository_url, commit, version, *sorted(f"{a.name}:{a.sha256}" for a in artifacts)]
    )
    bom = Bom(serial_number=uuid.uuid5(uuid.NAMESPACE_URL, seed))
    bom.metadata.timestamp = datetime.fromisoformat(time.replace("Z", "+00:00"))
    root = Component(
        name=name, version=version, type=ComponentType.APPLICATION, bom_ref=f"{name}@{version}"
    )
    bom.metadata.component = root
    parts = []
    for artifact in sorted(artifacts, key=lambda a: a.name):
        part = Component(
            name=artifact.name,
            version=version,
            type=ComponentType.FILE,
            bom_ref=f"file:{artifact.name}",
            hashes=[HashType(alg=HashAlgorithm.SHA_256, content=artifact.sha256)],
        )
        bom.components.add(part)
        parts.append(part)
    bom.register_dependency(root, parts)
    text = JsonV1Dot6(bom).output_as_string(indent=None)
    # Re-serialize with sorted keys so the bytes do not depend on the library's field order.
    return (
        json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    ).encode()
