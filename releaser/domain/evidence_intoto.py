"""in-toto Statement v1 lines (SLSA provenance, test-result, change-history), SHA256SUMS and the
release-notes footer; all derived from the facts plus the digests of the rendered files.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from releaser.domain.evidence import (
    EvidenceFacts,
    approvers_of_head,
    junit_outcome,
    policies,
    write_access,
)
from releaser.domain.evidence_json import EVIDENCE_JSON, EVIDENCE_MD, canonical

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
SLSA_PROVENANCE = "https://slsa.dev/provenance/v1"
TEST_RESULT = "https://in-toto.io/attestation/test-result/v0.1"
CHANGE_HISTORY = "https://releaser.dev/attestation/change-history/v1"
BUILD_TYPE = "https://releaser.dev/buildtypes/github-release/v1"
SUMS_NAME = "SHA256SUMS"
FOOTER_MARKER = "releaser-evidence"


def intoto_name(facts: EvidenceFacts) -> str:
    return f"{facts.name}-{facts.version}.intoto.jsonl"


def commit_subject(facts: EvidenceFacts) -> dict[str, Any]:
    return {"name": f"git+{facts.repository_url}@{facts.tag}", "digest": {"gitCommit": facts.sha}}


def subjects(facts: EvidenceFacts, evidence_digests: dict[str, str]) -> list[dict[str, Any]]:
    """Every artifact and SBOM, the evidence files (name -> sha256), and the release commit."""
    files = {a.name: a.sha256 for a in facts.artifacts}
    files.update({s.name: s.sha256 for s in facts.sboms})
    if facts.model is not None:
        files.update(
            {f.name: f.sha256 for f in (facts.model.manifest_file, facts.model.statement_file)}
        )
    files.update(evidence_digests)
    listed = [{"name": n, "digest": {"sha256": d}} for n, d in sorted(files.items())]
    return listed + [commit_subject(facts)]


def _workflow_url(facts: EvidenceFacts) -> str:
    # workflow_ref is "owner/repo/path@ref"; the builder id is its URL on the server.
    return f"{facts.server_url.rstrip('/')}/{facts.run.workflow_ref}"


def provenance(facts: EvidenceFacts) -> dict[str, Any]:
    run = facts.run
    return {
        "buildDefinition": {
            "buildType": BUILD_TYPE,
            "externalParameters": {
                "repository": facts.repository_url,
                "ref": f"refs/tags/{facts.tag}",
                "version": facts.version,
                "component": facts.component,
                "workflow": run.workflow_ref,
            },
            "internalParameters": {"releaser_version": run.releaser_version},
            "resolvedDependencies": [
                {
                    "uri": f"git+{facts.repository_url}@refs/tags/{facts.tag}",
                    "digest": {"gitCommit": facts.sha, "gitTree": facts.tree_sha},
                }
            ],
        },
        "runDetails": {
            "builder": {"id": _workflow_url(facts)},
            "metadata": {
                "invocationId": run.run_url,
                "startedOn": run.time,
            },
        },
    }


def testresult_predicate(facts: EvidenceFacts) -> dict[str, Any]:
    return {
        "result": junit_outcome(facts),
        "configuration": [{"name": t.file, "digest": {"sha256": t.sha256}} for t in facts.tests],
        "url": facts.run.run_url,
        "passedTests": [name for t in facts.tests for name in t.passed],
        "failedTests": [name for t in facts.tests for name in t.failed],
        "warnedTests": [f"{n.item}: {n.reason}" for n in facts.rejected_tests],
    }


def change_history(facts: EvidenceFacts) -> dict[str, Any]:
    return {
        "commit": facts.sha,
        "previous": None
        if facts.previous is None
        else {"tag": facts.previous.tag, "sha": facts.previous.sha},
        "commits": [c.sha for c in facts.commits],
        "pullRequests": [
            {
                "number": pr.number,
                "author": pr.author,
                "headSha": pr.head_sha,
                "mergedBy": pr.merged_by,
                "approvedAtHead": list(approvers_of_head(pr)),
                "reviews": [
                    {
                        "reviewer": r.reviewer,
                        "bot": r.bot,
                        "writeAccess": write_access(r).write,
                        "state": r.state,
                        "commitId": r.commit_id,
                    }
                    for r in pr.reviews
                ],
            }
            for pr in facts.pull_requests
        ],
        "directPushes": list(facts.direct_pushes),
        "policies": [
            {"name": p.name, "status": p.status, "offending": list(p.offending)}
            for p in policies(facts)
        ],
    }


def statements(facts: EvidenceFacts, evidence_digests: dict[str, str]) -> list[dict[str, Any]]:
    subj = subjects(facts, evidence_digests)
    return [
        {"_type": STATEMENT_TYPE, "subject": subj, "predicateType": ptype, "predicate": pred}
        for ptype, pred in (
            (SLSA_PROVENANCE, provenance(facts)),
            (TEST_RESULT, testresult_predicate(facts)),
            (CHANGE_HISTORY, change_history(facts)),
        )
    ]


def render_intoto(
    facts: EvidenceFacts, evidence_json_sha256: str, evidence_md_sha256: str
) -> bytes:
    digests = {EVIDENCE_JSON: evidence_json_sha256, EVIDENCE_MD: evidence_md_sha256}
    return b"".join(canonical(s) + b"\n" for s in statements(facts, digests))


def render_sums(digests: dict[str, str]) -> bytes:
    """`sha256sum` text mode output (`<hex>  <name>`), sorted by name."""
    for name in digests:
        if not name or "/" in name or "\n" in name or "\\" in name:
            raise ValueError(f"asset name not usable in {SUMS_NAME}: {name!r}")
    return "".join(f"{digests[n]}  {n}\n" for n in sorted(digests)).encode()


_SUMS_LINE = re.compile(r"([0-9a-f]{64})  ([^/\\\n]+)")


def parse_sums(text: str) -> dict[str, str]:
    """Strict inverse of `render_sums`; raises ValueError naming the bad line."""
    if not text.endswith("\n"):
        raise ValueError("missing final newline")
    out: dict[str, str] = {}
    for number, line in enumerate(text[:-1].split("\n"), start=1):
        match = _SUMS_LINE.fullmatch(line)
        if not match:
            raise ValueError(f"line {number}: not '<64 hex>  <name>': {line[:80]!r}")
        digest, name = match.groups()
        if name in out:
            raise ValueError(f"line {number}: {name} listed twice")
        if out and name < max(out):
            raise ValueError(f"line {number}: {name} out of order")
        out[name] = digest
    return out


# The PyPI distribution carrying the `releaser` command (the name `releaser` is another
# project's); pyproject.toml's [project].name, which a test keeps equal.
VERIFIER_DISTRIBUTION = "releaser-evidence"


def download_url(repository_url: str, tag: str, name: str) -> str:
    """Where GitHub serves release asset `name` of `tag`."""
    return f"{repository_url.rstrip('/')}/releases/download/{tag}/{name}"


def notes_footer(facts: EvidenceFacts, evidence_json_sha256: str) -> str:
    """Markdown for the end of the release notes: where the evidence is and how to check it."""
    base = download_url(facts.repository_url, facts.tag, "").rstrip("/")
    intoto = intoto_name(facts)
    marker = canonical(
        {"commit": facts.sha, "evidence_sha256": evidence_json_sha256, "version": facts.version}
    ).decode()
    return "\n".join(
        [
            "---",
            "",
            "### Release evidence",
            "",
            f"[{EVIDENCE_MD}]({base}/{EVIDENCE_MD}) · [{EVIDENCE_JSON}]({base}/{EVIDENCE_JSON})"
            f" · [{intoto}]({base}/{intoto}) · [{SUMS_NAME}]({base}/{SUMS_NAME})",
            "",
            f"`{EVIDENCE_JSON}` SHA-256: `{evidence_json_sha256}`",
            "",
            "Verify offline after downloading every asset of this release:",
            "",
            "```sh",
            f"pip install {VERIFIER_DISTRIBUTION}=={facts.run.releaser_version}"
            "  # provides the releaser command",
            f"gh release download {facts.tag} --repo {facts.repository} --dir evidence",
            f"releaser verify evidence/ --repo .  # in a clone of {facts.repository}",
            "```",
            "",
            f"<!-- {FOOTER_MARKER}: {marker} -->",
            "",
        ]
    )


FOOTER_START = "\n---\n\n### Release evidence\n"


def normalized(text: str) -> str:
    return text.replace("\r\n", "\n").rstrip("\n")


def notes_digest(notes: str) -> str:
    """sha256 of release notes, immune to a CRLF round trip and to trailing newlines."""
    return hashlib.sha256(normalized(notes).encode()).hexdigest()


def with_footer(notes: str, footer: str) -> str:
    """The published release body: the notes, a blank line, the evidence footer."""
    return notes.rstrip("\n") + "\n\n" + footer


def notes_without_footer(body: str) -> str:
    """The notes part of a published body (everything before the last evidence footer)."""
    text = normalized(body)
    cut = text.rfind(FOOTER_START)
    return text if cut < 0 else text[:cut]


_FOOTER_RE = re.compile(r"<!-- " + FOOTER_MARKER + r": (\{[^\n]*\}) -->")


def footer_marker(text: str) -> str | None:
    """The JSON inside the footer's hidden marker, if the text carries one."""
    match = _FOOTER_RE.search(text)
    return match.group(1) if match else None
