"""Shared evidence fixtures: a realistic facts value and a helper that writes a full asset set."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

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
)
from releaser.domain.evidence_intoto import notes_digest, with_footer
from releaser.evidence.assets import build_assets, footer_for, generated_sbom

SHA = "a" * 39 + "1"
TREE = "b" * 39 + "2"
PREV_SHA = "c" * 39 + "3"
HEAD_1, HEAD_2, OLD_2, HEAD_3 = "d" * 40, "e" * 40, "f" * 40, "1" * 40
PUSH = "2" * 40
ARTIFACT_BYTES = {
    "demo-1.4.0.tar.gz": b"\x1f\x8b pretend tarball " * 50,
    "demo-1.4.0-py3-none-any.whl": b"PK\x03\x04 pretend wheel " * 40,
}

RUN = RunInfo(
    workflow_ref="acme/demo/.github/workflows/release.yml@refs/heads/main",
    run_id="9876543210",
    run_attempt="1",
    run_url="https://github.com/acme/demo/actions/runs/9876543210/attempts/1",
    actor="release-bot",
    releaser_version="0.1.0",
    time="2025-03-04T05:06:07Z",
)


NOTES = "## What's changed\n\n- things <b>bold</b>\n"


def artifacts() -> tuple[Artifact, ...]:
    return tuple(
        Artifact(name, len(data), hashlib.sha256(data).hexdigest())
        for name, data in sorted(ARTIFACT_BYTES.items())
    )


def facts() -> EvidenceFacts:
    return EvidenceFacts(
        repository="acme/demo",
        server_url="https://github.com",
        sha=SHA,
        tree_sha=TREE,
        version="1.4.0",
        tag="v1.4.0",
        run=RUN,
        previous=PreviousRelease(
            "v1.3.2", PREV_SHA, "https://github.com/acme/demo/releases/tag/v1.3.2"
        ),
        compare_url="https://github.com/acme/demo/compare/v1.3.2...v1.4.0",
        notes_sha256=notes_digest(NOTES),
        commits=(
            Commit(HEAD_1, "feat: add <b>bold</b> exporter", "Ada Lovelace", "ada"),
            Commit(HEAD_2, "fix(cli): handle @octocat mentions", "Grace Hopper", "grace"),
            Commit(HEAD_3, "docs: self approved", "Mallory", "mallory"),
            Commit(PUSH, "chore: hotfix pushed straight to main", "Eve", ""),
        ),
        pull_requests=(
            PullRequest(
                number=41,
                title="feat: add <b>bold</b> exporter | fast",
                author="ada",
                url="https://github.com/acme/demo/pull/41",
                merged_by="grace",
                merged_at="2025-03-01T10:00:00Z",
                head_sha=HEAD_1,
                reviews=(
                    Review("bob", "COMMENTED", "2025-02-28T09:00:00Z", HEAD_1, association="NONE"),
                    Review(
                        "grace", "APPROVED", "2025-02-28T10:00:00Z", HEAD_1, association="MEMBER"
                    ),
                    Review(
                        "github-actions[bot]",
                        "APPROVED",
                        "2025-02-28T11:00:00Z",
                        HEAD_1,
                        bot=True,
                        association="NONE",
                    ),
                    Review(
                        "eve",
                        "APPROVED",
                        "2025-02-28T12:00:00Z",
                        HEAD_1,
                        association="CONTRIBUTOR",
                        permission="read",
                    ),
                ),
            ),
            PullRequest(
                number=42,
                title="fix(cli): handle @octocat mentions <script>alert(1)</script>",
                author="grace",
                url="https://github.com/acme/demo/pull/42",
                merged_by="grace",
                merged_at="2025-03-02T10:00:00Z",
                head_sha=HEAD_2,
                reviews=(
                    Review("ada", "APPROVED", "2025-03-01T12:00:00Z", OLD_2, association="OWNER"),
                ),
            ),
            PullRequest(
                number=43,
                title="docs: [click](javascript:alert(1)) ![x](https://evil.example/x.png)",
                author="mallory",
                url="https://github.com/acme/demo/pull/43",
                merged_by="mallory",
                merged_at="2025-03-03T10:00:00Z",
                head_sha=HEAD_3,
                reviews=(
                    Review(
                        "Mallory",
                        "APPROVED",
                        "2025-03-03T09:00:00Z",
                        HEAD_3,
                        association="COLLABORATOR",
                    ),
                ),
            ),
        ),
        direct_pushes=(PUSH,),
        checks=(
            Check(
                "build",
                "check_run",
                "completed",
                "success",
                "https://github.com/acme/demo/runs/1",
                "github-actions",
            ),
            Check(
                "lint",
                "check_run",
                "completed",
                "skipped",
                "https://github.com/acme/demo/runs/2",
                "github-actions",
            ),
            Check(
                "e2e",
                "check_run",
                "in_progress",
                None,
                "https://github.com/acme/demo/runs/3",
                "github-actions",
            ),
            Check(
                "ci/legacy", "status", "completed", "success", "https://ci.example/b/7", "ci-bot"
            ),
        ),
        required_checks=(RequiredCheck("build", "github-actions"), RequiredCheck("ci/legacy")),
        tests=(
            JUnitSummary(
                file="reports/unit.xml",
                sha256="3" * 64,
                tests=3,
                failures=1,
                errors=0,
                skipped=0,
                time=1.25,
                failed=("pkg.test_mod.test_bad",),
                passed=("pkg.test_mod.test_ok", "pkg.test_mod.test_ok2"),
            ),
        ),
        rejected_tests=(Note("reports/bomb.xml", "refused unsafe XML (DTDForbidden)"),),
        artifacts=artifacts(),
        warnings=(Note("dist/*.zip", "matched no file"),),
    )


def write_release(directory: Path, base: EvidenceFacts | None = None) -> tuple[EvidenceFacts, list]:
    """Write every asset of the fixture release (plus a notes.md with the footer) to `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, data in ARTIFACT_BYTES.items():
        (directory / name).write_bytes(data)
    base = base or facts()
    sbom, sbom_bytes = generated_sbom(
        base.name, base.version, base.repository_url, base.sha, base.artifacts, base.run.time
    )
    full = replace(base, sboms=(sbom,))
    files = {name: directory / name for name in ARTIFACT_BYTES}
    assets = build_assets(full, files, {sbom.name: sbom_bytes})
    for asset in assets:
        (directory / asset.name).write_bytes(asset.read())
    (directory / "notes.md").write_text(with_footer(NOTES, footer_for(full, assets)))
    return full, list(assets)
