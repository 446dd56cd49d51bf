"""The ordered release assets: artifacts, SBOMs, evidence JSON and Markdown, in-toto, SUMS."""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from releaser import paths
from releaser.domain.evidence import EvidenceFacts, Sbom
from releaser.domain.evidence_intoto import (
    SUMS_NAME,
    intoto_name,
    notes_footer,
    render_intoto,
    render_sums,
)
from releaser.domain.evidence_json import EVIDENCE_JSON, EVIDENCE_MD, evidence_json
from releaser.domain.evidence_md import render_markdown
from releaser.errors import EvidenceError
from releaser.evidence.files import sha256_file
from releaser.evidence.sbom import generate_sbom, sbom_name

_SBOM_TYPES = {"cyclonedx": "application/vnd.cyclonedx+json", "spdx": "application/spdx+json"}


@dataclass(frozen=True, slots=True)
class Asset:
    """One file to upload: in memory (`data`) or on disk (`path`, read through releaser.paths
    under `root` when it names a workspace file)."""

    name: str
    sha256: str
    content_type: str
    data: bytes | None = None
    path: Path | None = None
    root: Path | None = None

    @property
    def size(self) -> int:
        if self.data is not None:
            return len(self.data)
        with self.open() as handle:
            return os.fstat(handle.fileno()).st_size

    def open(self) -> BinaryIO:
        """The bytes to upload, streamed from disk for files."""
        if self.data is not None:
            return io.BytesIO(self.data)
        assert self.path is not None
        return self.path.open("rb") if self.root is None else paths.open_file(self.root, self.path)

    def read(self) -> bytes:
        if self.data is not None:
            return self.data
        with self.open() as handle:
            return handle.read()


def _memory(name: str, data: bytes, content_type: str) -> Asset:
    return Asset(name, hashlib.sha256(data).hexdigest(), content_type, data=data)


def generated_sbom(
    name: str, version: str, repository_url: str, commit: str, artifacts, time: str, model=None
) -> tuple[Sbom, bytes]:
    """The Sbom fact and the bytes for a CycloneDX SBOM generated from the artifacts (and,
    for a model release, its ModelManifest with a model card and its datasets)."""
    data = generate_sbom(name, version, repository_url, commit, artifacts, time)
    if model is not None:
        from releaser.evidence.model_sbom import with_model  # loaded for model releases only

        data = with_model(data, model, version)
    fact = Sbom(
        sbom_name(name, version), "cyclonedx", len(data), hashlib.sha256(data).hexdigest(), True
    )
    return fact, data


def _on_disk_or_memory(
    name: str,
    sha256: str,
    content_type: str,
    files: Mapping[str, Path],
    data: Mapping[str, bytes],
    root: Path | None,
) -> Asset:
    if name in data:
        asset = _memory(name, data[name], content_type)
    elif name in files:
        path = files[name]
        asset = Asset(name, sha256_file(path, root=root), content_type, path=path, root=root)
    else:
        raise EvidenceError(f"no file given for release asset {name!r}")
    if asset.sha256 != sha256:
        # The file changed between gathering the facts and uploading; the evidence would lie.
        raise EvidenceError(f"{name}: sha256 changed since the evidence was gathered")
    return asset


def build_assets(
    facts: EvidenceFacts,
    files: Mapping[str, Path],
    data: Mapping[str, bytes] | None = None,
    root: Path | None = None,
) -> tuple[Asset, ...]:
    """Every asset in upload order; SHA256SUMS goes last so its presence means the set is whole.

    `files` maps each artifact/SBOM name in `facts` to its path (under the workspace `root`,
    when given, and read through releaser.paths); `data` holds in-memory ones (a generated SBOM).
    """
    data = data or {}
    out = [
        _on_disk_or_memory(a.name, a.sha256, "application/octet-stream", files, data, root)
        for a in facts.artifacts
    ]
    out += [
        _on_disk_or_memory(s.name, s.sha256, _SBOM_TYPES[s.format], files, data, root)
        for s in facts.sboms
    ]
    if facts.model is not None:  # model-manifest.json and the model_signing statement
        model_files = (facts.model.manifest_file, facts.model.statement_file)
        out += [
            _on_disk_or_memory(f.name, f.sha256, "application/json", files, data, root)
            for f in model_files
        ]
    evidence = _memory(EVIDENCE_JSON, evidence_json(facts), "application/json")
    markdown = _memory(EVIDENCE_MD, render_markdown(facts).encode(), "text/markdown")
    statements = render_intoto(facts, evidence.sha256, markdown.sha256)
    out += [evidence, markdown, _memory(intoto_name(facts), statements, "application/jsonl")]
    names = [a.name for a in out]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates or SUMS_NAME in names:
        raise EvidenceError(f"release asset names collide: {', '.join(duplicates or [SUMS_NAME])}")
    sums = render_sums({a.name: a.sha256 for a in out})
    return (*out, _memory(SUMS_NAME, sums, "text/plain"))


def footer_for(facts: EvidenceFacts, assets: Sequence[Asset]) -> str:
    """The release-notes footer, carrying the digest of the evidence JSON in `assets`."""
    evidence = next(a for a in assets if a.name == EVIDENCE_JSON)
    return notes_footer(facts, evidence.sha256)
