"""Which side is altered when a file and its SHA256SUMS line disagree.

A file's digest is recorded in up to four places besides SHA256SUMS: the in-toto statement
subjects, release-evidence.json (artifacts and SBOMs), the hidden marker of a saved release
body (for release-evidence.json), and, for the files rendered from the evidence
(release-evidence.md and the in-toto file), the digest of that rendering. Whichever of the two
disputed digests more of them back is taken as the original; the other side is named as
altered. On a tie the file is named, as it is the thing an auditor is about to trust.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import resources
from typing import Any

import jsonschema

from releaser.domain.evidence import EvidenceFacts
from releaser.domain.evidence_intoto import SUMS_NAME, intoto_name, render_intoto
from releaser.domain.evidence_json import EVIDENCE_JSON, EVIDENCE_MD, facts_from_document
from releaser.domain.evidence_md import render_markdown
from releaser.errors import VerificationError


@cache
def evidence_schema() -> dict[str, Any]:
    text = resources.files("releaser").joinpath("schemas/release-evidence-v1.json").read_text()
    return json.loads(text)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _json(data: bytes) -> Any:
    """A file's JSON for a vote, or None; parsed within the evidence bounds (it is untrusted)."""
    from releaser.bounded import EVIDENCE
    from releaser.domain import bounded_json

    try:
        return bounded_json.loads(data, max_bytes=EVIDENCE.max_bytes, max_depth=EVIDENCE.max_depth)
    except (UnicodeDecodeError, ValueError):
        return None


def _subjects(files: dict[str, bytes]) -> dict[str, str]:
    """name -> sha256 from every statement of every in-toto file that parses."""
    out: dict[str, str] = {}
    for name in sorted(files):
        if not name.endswith(".intoto.jsonl"):
            continue
        for line in files[name].split(b"\n"):
            statement = _json(line) if line else None
            subjects = statement.get("subject") if isinstance(statement, dict) else None
            for subject in subjects if isinstance(subjects, list) else []:
                digest = subject.get("digest") if isinstance(subject, dict) else None
                if isinstance(digest, dict) and isinstance(digest.get("sha256"), str):
                    out.setdefault(str(subject.get("name")), digest["sha256"])
    return out


def _facts(doc: Any) -> EvidenceFacts | None:
    """The facts of an evidence document that is schema-valid, else None (no witness)."""
    if not jsonschema.Draft202012Validator(evidence_schema()).is_valid(doc):
        return None
    try:
        return facts_from_document(doc)
    except (KeyError, TypeError, ValueError):
        return None


def _records(name: str, files: dict[str, bytes], notes: dict[str, str]) -> list[tuple[str, str]]:
    """(who, sha256) for every record of `name`'s digest outside SHA256SUMS and the file."""
    out: list[tuple[str, str]] = []
    subject = _subjects(files).get(name)
    if subject is not None:
        out.append(("the in-toto subject", subject))
    doc = _json(files[EVIDENCE_JSON]) if EVIDENCE_JSON in files else None
    if isinstance(doc, dict):
        items = [*doc.get("artifacts", []), *doc.get("sboms", [])]
        for item in items if all(isinstance(i, dict) for i in items) else []:
            if item.get("name") == name and isinstance(item.get("sha256"), str):
                out.append((EVIDENCE_JSON, item["sha256"]))
                break
    if name == EVIDENCE_JSON:
        for note, marker in sorted(notes.items()):
            found = _json(marker.encode())
            if isinstance(found, dict) and isinstance(found.get("evidence_sha256"), str):
                out.append((f"the {note} marker", found["evidence_sha256"]))
    facts = _facts(doc) if isinstance(doc, dict) and name != EVIDENCE_JSON else None
    rendering = f"the rendering of {EVIDENCE_JSON}"
    if facts is not None and name == EVIDENCE_MD:
        out.append((rendering, _sha256(render_markdown(facts).encode())))
    elif facts is not None and name == intoto_name(facts) and EVIDENCE_MD in files:
        rendered = render_intoto(facts, _sha256(files[EVIDENCE_JSON]), _sha256(files[EVIDENCE_MD]))
        out.append((rendering, _sha256(rendered)))
    return out


def _listing(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def digest_mismatch(
    name: str, listed: str, files: dict[str, bytes], notes: dict[str, str]
) -> VerificationError:
    """The error for `name` hashing to something other than its SHA256SUMS line, naming
    whichever of the two the other records disagree with."""
    actual = _sha256(files[name])
    records = _records(name, files, notes)
    for_file = [who for who, digest in records if digest == actual]
    for_sums = [who for who, digest in records if digest == listed]
    if len(for_file) > len(for_sums):
        return VerificationError(
            f"{SUMS_NAME} is altered: its line for {name} says {listed}; "
            f"{_listing(['the file', *for_file])} say {actual}"
        )
    backers = [SUMS_NAME, *for_sums]
    verb = "says" if len(backers) == 1 else "say"
    return VerificationError(
        f"{name} is altered: its sha256 is {actual}, but {_listing(backers)} {verb} {listed}"
    )
