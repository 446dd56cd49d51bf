"""release-evidence.json: facts + computed results as canonical (RFC 8785) JSON, and back.

`facts_from_document` inverts `evidence_document`, so a verifier can re-render every other
evidence file from the JSON alone and compare bytes.
"""

from __future__ import annotations

from typing import Any

import rfc8785

from releaser.domain.evidence import (
    Artifact,
    Check,
    Commit,
    EvidenceFacts,
    JUnitSummary,
    Note,
    PreviousRelease,
    PullRequest,
    RequiredCheck,
    Review,
    RunInfo,
    Sbom,
    approvers_of_head,
    junit_outcome,
    policies,
    rollback,
    write_access,
)

SCHEMA_URI = "https://releaser.dev/schemas/release-evidence/v1"
EVIDENCE_JSON = "release-evidence.json"
EVIDENCE_MD = "release-evidence.md"


def canonical(value: Any) -> bytes:
    """RFC 8785 bytes: sorted keys, no whitespace, UTF-8, so a digest is reproducible."""
    return rfc8785.dumps(value)


def _previous(prev: PreviousRelease | None) -> dict[str, Any] | None:
    return None if prev is None else {"tag": prev.tag, "sha": prev.sha, "url": prev.url}


def _notes(notes: tuple[Note, ...]) -> list[dict[str, str]]:
    return [{"item": n.item, "reason": n.reason} for n in notes]


def _pr(pr: PullRequest) -> dict[str, Any]:
    approvers = approvers_of_head(pr)
    return {
        "number": pr.number,
        "title": pr.title,
        "author": pr.author,
        "url": pr.url,
        "merged_by": pr.merged_by,
        "merged_at": pr.merged_at,
        "head_sha": pr.head_sha,
        "reviews": [_review(r, pr.head_sha) for r in pr.reviews],
        "approved_by": list(approvers),
        "approval_covers_head": bool(approvers),
    }


def _review(r: Review, head: str) -> dict[str, Any]:
    access = write_access(r)
    return {
        "reviewer": r.reviewer,
        "bot": r.bot,
        "author_association": r.association,
        "permission": r.permission,
        "write_access": access.write,
        "write_access_source": access.source,
        "state": r.state,
        "submitted_at": r.submitted_at,
        "commit_id": r.commit_id,
        "at_head": r.commit_id == head,
    }


def evidence_document(facts: EvidenceFacts) -> dict[str, Any]:
    """The whole evidence as plain JSON values, in the shape of release-evidence-v1.json."""
    run = facts.run
    doc = {
        "schema": SCHEMA_URI,
        "source": {
            "repository": facts.repository,
            "server_url": facts.server_url,
            "repository_url": facts.repository_url,
            "commit": facts.sha,
            "tree": facts.tree_sha,
            "version": facts.version,
            "tag": facts.tag,
            "component": facts.component,
            "previous": _previous(facts.previous),
            "compare_url": facts.compare_url,
            "notes_sha256": facts.notes_sha256,
            "commits": [
                {
                    "sha": c.sha,
                    "subject": c.subject,
                    "author_name": c.author_name,
                    "author_login": c.author_login,
                }
                for c in facts.commits
            ],
        },
        "changes": {
            "pull_requests": [_pr(pr) for pr in facts.pull_requests],
            "direct_pushes": list(facts.direct_pushes),
        },
        "settings": {"immutable_releases": facts.immutable_releases},
        "checks": {
            "required": [{"name": r.name, "app": r.app} for r in facts.required_checks],
            "results": [
                {
                    "name": c.name,
                    "kind": c.kind,
                    "source": c.source,
                    "status": c.status,
                    "conclusion": c.conclusion,
                    "url": c.url,
                    "outcome": c.outcome,
                }
                for c in facts.checks
            ],
        },
        "tests": {
            "result": junit_outcome(facts),
            "summaries": [
                {
                    "file": t.file,
                    "sha256": t.sha256,
                    "tests": t.tests,
                    "failures": t.failures,
                    "errors": t.errors,
                    "skipped": t.skipped,
                    "time": t.time,
                    "failed": list(t.failed),
                    "passed": list(t.passed),
                    "passed_truncated": t.passed_truncated,
                }
                for t in facts.tests
            ],
            "rejected": _notes(facts.rejected_tests),
        },
        "artifacts": [
            {"name": a.name, "size": a.size, "sha256": a.sha256} for a in facts.artifacts
        ],
        "sboms": [
            {
                "name": s.name,
                "format": s.format,
                "size": s.size,
                "sha256": s.sha256,
                "generated": s.generated,
            }
            for s in facts.sboms
        ],
        "run": {
            "workflow_ref": run.workflow_ref,
            "run_id": run.run_id,
            "run_attempt": run.run_attempt,
            "run_url": run.run_url,
            "actor": run.actor,
            "releaser_version": run.releaser_version,
            "time": run.time,
        },
        "policies": [
            {"name": p.name, "status": p.status, "offending": list(p.offending), "detail": p.detail}
            for p in policies(facts)
        ],
        "rollback": _rollback(facts),
        "skipped": _notes(facts.skipped),
        "warnings": _notes(facts.warnings),
    }
    if facts.model is not None:  # absent for a code release: its evidence is as before
        from releaser.domain.model_evidence import model_document  # a model release's only

        doc["model"] = model_document(facts.model)
    return doc


def _rollback(facts: EvidenceFacts) -> dict[str, Any]:
    plan = rollback(facts)
    return {"previous": _previous(plan.previous), "commands": list(plan.commands)}


def evidence_json(facts: EvidenceFacts) -> bytes:
    return canonical(evidence_document(facts))


def _note_tuple(items: list[dict[str, str]]) -> tuple[Note, ...]:
    return tuple(Note(n["item"], n["reason"]) for n in items)


def facts_from_document(doc: dict[str, Any]) -> EvidenceFacts:
    """Rebuild the facts from a (schema-valid) evidence document; computed fields are dropped."""
    src, run = doc["source"], doc["run"]
    prev = src["previous"]
    return EvidenceFacts(
        repository=src["repository"],
        server_url=src["server_url"],
        sha=src["commit"],
        tree_sha=src["tree"],
        version=src["version"],
        tag=src["tag"],
        component=src["component"],
        previous=None if prev is None else PreviousRelease(prev["tag"], prev["sha"], prev["url"]),
        compare_url=src["compare_url"],
        notes_sha256=src["notes_sha256"],
        commits=tuple(
            Commit(c["sha"], c["subject"], c["author_name"], c["author_login"])
            for c in src["commits"]
        ),
        pull_requests=tuple(
            PullRequest(
                number=p["number"],
                title=p["title"],
                author=p["author"],
                url=p["url"],
                merged_by=p["merged_by"],
                merged_at=p["merged_at"],
                head_sha=p["head_sha"],
                reviews=tuple(
                    Review(
                        r["reviewer"],
                        r["state"],
                        r["submitted_at"],
                        r["commit_id"],
                        bot=r["bot"],
                        association=r["author_association"],
                        permission=r["permission"],
                    )
                    for r in p["reviews"]
                ),
            )
            for p in doc["changes"]["pull_requests"]
        ),
        direct_pushes=tuple(doc["changes"]["direct_pushes"]),
        checks=tuple(
            Check(c["name"], c["kind"], c["status"], c["conclusion"], c["url"], c["source"])
            for c in doc["checks"]["results"]
        ),
        required_checks=tuple(
            RequiredCheck(r["name"], r["app"]) for r in doc["checks"]["required"]
        ),
        tests=tuple(
            JUnitSummary(
                file=t["file"],
                sha256=t["sha256"],
                tests=t["tests"],
                failures=t["failures"],
                errors=t["errors"],
                skipped=t["skipped"],
                time=t["time"],
                failed=tuple(t["failed"]),
                passed=tuple(t["passed"]),
                passed_truncated=t["passed_truncated"],
            )
            for t in doc["tests"]["summaries"]
        ),
        rejected_tests=_note_tuple(doc["tests"]["rejected"]),
        artifacts=tuple(Artifact(a["name"], a["size"], a["sha256"]) for a in doc["artifacts"]),
        sboms=tuple(
            Sbom(s["name"], s["format"], s["size"], s["sha256"], s["generated"])
            for s in doc["sboms"]
        ),
        run=RunInfo(
            workflow_ref=run["workflow_ref"],
            run_id=run["run_id"],
            run_attempt=run["run_attempt"],
            run_url=run["run_url"],
            actor=run["actor"],
            releaser_version=run["releaser_version"],
            time=run["time"],
        ),
        skipped=_note_tuple(doc["skipped"]),
        warnings=_note_tuple(doc["warnings"]),
        immutable_releases=doc["settings"]["immutable_releases"],
        model=_model_from(doc["model"]) if "model" in doc else None,
    )


def _model_from(document: Any) -> Any:
    """A model release's section, read back (its module is loaded for model releases only)."""
    from releaser.domain.model_evidence import model_from_document

    return model_from_document(document)
