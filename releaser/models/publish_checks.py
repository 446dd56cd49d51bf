"""What a model release must pass at publish, before any write: its version is not already
recorded with other bytes, and its gates pass on the merge commit's model.yaml (metrics-file
included) with the check runs of the release commit."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from releaser.domain.evidence import Check
from releaser.domain.model import ModelManifest
from releaser.domain.model_evidence import MANIFEST_JSON, ModelBaseline
from releaser.domain.model_gates import GateResult, evaluate, passed
from releaser.errors import ConfigError, ReleaserError, StateConflict
from releaser.models import manifest as loader
from releaser.models.release import ModelRelease, digest_in_message
from releaser.models.sources import load_json_bounded

MAX_MANIFEST_JSON = 64 * 1024 * 1024


class GateFailure(ReleaserError):
    exit_code = 1


def conclusions(checks: Iterable[Check]) -> dict[str, str]:
    """Check name -> "success" when every check of that name succeeded, else the first other
    conclusion (or its status while it runs): a `{check: NAME}` gate passes on success only."""
    out: dict[str, str] = {}
    for check in checks:
        found = check.conclusion or check.status
        if out.get(check.name, "success") == "success":
            out[check.name] = found
    return out


def _released_digest(gh: Any, tag: str) -> list[tuple[str, str]]:
    """(where, manifest_sha256) of what `tag` already records: its annotated tag's message
    and its release's model-manifest.json."""
    found = []
    message = gh.tag_message(tag)
    if message is not None:
        digest = digest_in_message(message)
        if digest:
            found.append((f"the annotated tag {tag}", digest))
    release = gh.release_for(tag)
    asset = (
        None
        if release is None
        else next((a for a in release.assets if a.name == MANIFEST_JSON), None)
    )
    if asset is not None:
        raw = gh.asset_bytes(asset.id, MAX_MANIFEST_JSON)
        where = f"{MANIFEST_JSON} of release {tag}"
        try:
            doc = load_json_bounded(raw, where)
        except ConfigError:
            raise StateConflict(
                f"{where} is not JSON; releaser cannot tell what it records"
            ) from None
        digests = doc.get("digests") if isinstance(doc, dict) else None
        digest = digests.get("manifest_sha256") if isinstance(digests, dict) else None
        if not isinstance(digest, str):
            raise StateConflict(f"{where} records no manifest_sha256")
        found.append((where, digest))
    return found


def check_immutable(gh: Any, tag: str, digest: str) -> None:
    """Refuse when `tag` or its release records another manifest digest than `digest`."""
    for where, recorded in _released_digest(gh, tag):
        if recorded != digest:
            raise StateConflict(
                f"{tag} is already released with manifest_sha256 {recorded} ({where}); the model"
                f" now hashes to {digest}: a released model version never changes",
                hint="release the new weights as a new version; the released files stay as"
                " they are",
            )


def _failed(results: tuple[GateResult, ...]) -> str:
    parts = []
    for r in results:
        if r.passed:
            continue
        if r.value is None:
            parts.append(f"{r.gate} (no value)")
        elif r.baseline is not None:
            parts.append(f"{r.gate} (value {r.value}, previous {r.baseline})")
        else:
            parts.append(f"{r.gate} (value {r.value})")
    return "; ".join(parts)


def check_model_release(
    gh: Any,
    *,
    tag: str,
    version: str,
    sha: str,
    files: Any,
    baseline_files: Any = None,
    baseline_tag: str | None = None,
    run_id: str = "",
    changes: tuple = (),
    model_bump: str | None = None,
    flags: tuple[str, ...] = (),
    planned_sha256: str | None = None,
) -> ModelRelease:
    """The model release of `tag` at merge commit `sha`, or an error before any write.

    `files` reads the component at the merge commit (releaser.models.sources.WorkspaceFiles
    when the workspace is that commit, so the artifact is hashed); `baseline_files` reads it
    at `baseline_tag` (sources.GitFiles). `changes`, `model_bump` and `flags` are the plan's
    (the engine's model result), carried into the evidence; `planned_sha256` the manifest
    digest the release PR showed its reviewers, which the merge commit must still have."""
    model: ModelManifest = loader.load(files)
    digest = model.digests.manifest_sha256
    if planned_sha256 is not None and planned_sha256 != digest:
        raise StateConflict(
            f"model {model.name}: the release PR planned {tag} with manifest_sha256"
            f" {planned_sha256}, the merge commit {sha[:12]} has {digest}",
            hint="the weights changed after the release PR was last updated; let releaser"
            " update it and review it again",
        )
    baseline_model = loader.load(baseline_files) if baseline_files is not None else None
    check_immutable(gh, tag, digest)
    wanted = {g.check for g in model.gates if g.kind == "check" and g.check}
    results: Mapping[str, str] = {}
    if wanted:
        found, _own, _unreadable = gh.checks(sha, run_id)
        results = conclusions(found)
    gates = evaluate(model, baseline_model, results)
    if not passed(gates):
        raise GateFailure(
            f"model {model.name}: {tag} is not released: its gates failed at {sha[:12]}:"
            f" {_failed(gates)}",
            hint="nothing was tagged or published; fix the model or its gates in model.yaml",
        )
    baseline = None
    if baseline_model is not None and baseline_tag:
        baseline = ModelBaseline(baseline_tag, baseline_model.digests.manifest_sha256)
    return ModelRelease(
        tag=tag,
        version=version,
        manifest=model,
        baseline=baseline,
        changes=tuple(changes),
        model_bump=model_bump,
        gates=gates,
        flags=tuple(flags),
    )
