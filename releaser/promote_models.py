"""What promotion adds for a model release: the environment's gates re-evaluated against the
released metrics (and the version active in a stage), and GTO's stage tag after the deployment.

A released model's metrics come from its evidence: the verified `model-manifest.json` asset
when the release has one, else its `model.yaml` at the tag (read through the contents API)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from releaser.domain.deploy_history import DeploymentRecord
from releaser.domain.model import ModelManifest
from releaser.domain.model_gates import GateResult
from releaser.domain.promotion import EnvironmentPolicy
from releaser.domain.promotion_gates import (
    STAGE_PREFIX,
    baselines_needed,
    evaluate_gates,
    metrics_from_document,
    next_counter,
    previous_version,
    stage_tag,
    subject,
)
from releaser.errors import ConfigError, GitHubError, StateConflict
from releaser.models import sources
from releaser.models.verify import MANIFEST_JSON

MANIFEST_BYTES = 16 * 1024 * 1024


class ApiFiles(sources.GitFiles):
    """The component's files at a tag, read through GitHub: nothing is hashed, so a file's
    digest is the one its model.yaml declared when it was released."""

    def __init__(self, gh, rev: str, component: str) -> None:
        super().__init__(None, rev, component)
        self.gh = gh

    def read(self, rel: str, max_bytes: int) -> bytes | None:
        from releaser import paths

        paths.check(rel)
        full = f"{self.component}/{rel}" if self.component else rel
        data = self.gh.file_bytes(full, self.rev)
        if data is not None and len(data) > max_bytes:
            raise ConfigError(f"{self.shown(rel)}: over the {max_bytes}-byte limit")
        return data


def manifest_document(raw: bytes) -> dict[str, Any]:
    doc = sources.load_json_bounded(raw, MANIFEST_JSON)
    if not isinstance(doc, dict):
        raise ConfigError(f"{MANIFEST_JSON}: not a JSON object")
    return doc


class Models:
    """Reads released models for one promotion; each version at most once."""

    def __init__(
        self,
        gh,
        component: str,
        path: str | None,
        evidence: Callable[[str], dict[str, Any]],
    ) -> None:
        self.gh = gh
        self.component = component
        self.path = path
        self.evidence = evidence  # tag -> verified evidence (verified_evidence)
        self._seen: dict[str, ModelManifest] = {}

    def from_evidence(self, tag: str, doc: Mapping[str, Any]) -> ModelManifest:
        """The model of a release whose evidence was verified: `doc["_model_manifest"]` holds
        the verified model-manifest.json when the release has one."""
        if tag not in self._seen:
            manifest = doc.get("_model_manifest")
            if manifest is not None:
                self._seen[tag] = subject(self.component, metrics_from_document(manifest))
            else:
                self._seen[tag] = self._from_git(tag)
        return self._seen[tag]

    def at(self, tag: str) -> ModelManifest:
        """Another version's model (a baseline), read the same way as the promoted one."""
        if tag in self._seen:
            return self._seen[tag]
        release = self.gh.published_release(tag)
        if release is not None and any(a.name == MANIFEST_JSON for a in release.assets):
            return self.from_evidence(tag, self.evidence(tag))
        self._seen[tag] = self._from_git(tag)
        return self._seen[tag]

    def _from_git(self, tag: str) -> ModelManifest:
        from releaser.models.manifest import MANIFEST_NAME, parse

        if self.path is None:
            raise ConfigError(
                f"{tag}: no {MANIFEST_JSON} asset, and .github/releaser.yml declares no "
                f"component {self.component!r} to find its {MANIFEST_NAME}"
            )
        files = ApiFiles(self.gh, tag, self.path)
        raw = files.read(MANIFEST_NAME, sources.MAX_YAML_BYTES)
        if raw is None:
            raise ConfigError(f"{files.shown(MANIFEST_NAME)}: not found")
        return parse(raw, files)


def active_tag(records: Sequence[DeploymentRecord], environment: str) -> str | None:
    """The tag of the latest successful full deployment still active in `environment`."""
    for r in sorted(records, key=lambda r: r.id, reverse=True):
        if r.environment == environment and r.full and r.active:
            return r.tag
    return None


def gate_results(
    gh,
    policy: EnvironmentPolicy,
    doc: Mapping[str, Any],
    models: Models | None,
    records: Sequence[DeploymentRecord],
    tags: Sequence[str],
    rollback: bool = False,
) -> tuple[GateResult, ...]:
    """The environment's gates for this release (`models` is None for a code component).

    A rollback returns to a version that already succeeded in this environment: a
    `stage:<this environment>` gate then has no baseline (it would compare the version with
    the one it is rolling back from, and refuse every rollback from a better-scoring model);
    every other gate holds."""
    if not policy.gates:
        return ()
    src = doc["source"]
    checks = {
        str(c["name"]): str(c["conclusion"] or c["status"])
        for c in doc["checks"]["results"]
        if isinstance(c, Mapping) and c.get("name")
    }
    model = models.from_evidence(src["tag"], doc) if models is not None else None
    baselines: dict[str, ModelManifest | None] = {}
    if models is not None:
        for name in baselines_needed(policy.gates):
            if rollback and name == STAGE_PREFIX + policy.name:
                baselines[name] = None
                continue
            baselines[name] = _baseline(gh, name, src, doc, models, policy, records, tags)
    return evaluate_gates(policy.gates, model, baselines, checks)


def _baseline(gh, name, src, doc, models: Models, policy, records, tags) -> ModelManifest | None:
    if name == "previous":
        recorded = (doc.get("_model_manifest") or {}).get("baseline")
        tag = recorded.get("tag") if isinstance(recorded, Mapping) else None
        tag = tag or previous_version(models.component, src["version"], tags)
    else:
        stage = name.removeprefix(STAGE_PREFIX)
        if stage != policy.name:  # the policy's own environment is read already
            records = gh.records(
                stage,
                component=models.component,
                stop=lambda r: r.full and r.active,
            )
        tag = active_tag(records, stage)
    return None if tag is None else models.at(tag)


def stage_message(deployment_id: int, actor: str, reason: str, gates: list) -> str:
    body = {"deployment_id": deployment_id, "actor": actor, "reason": reason, "gates": gates}
    return json.dumps(body, sort_keys=True)


def planned_stage_tag(component: str, environment: str, tags: Sequence[str]) -> str:
    """GTO's stage tag `{name}#{env}#{N}`, N the model's next counter across its tags."""
    return stage_tag(component, environment, next_counter(component, tags))


def assign_stage(gh, deployment_id: int, name: str, commit: str, message: str) -> None:
    """Push the stage tag the deployment's payload names, on the release commit. When a
    racing promotion of the same model took that counter first, this deployment retires
    itself and the promotion fails (rerun it): a payload never names another's tag."""
    from releaser.github import api_error_message

    try:
        taken = gh.create_stage_tag(name, message, commit)
    except Exception as exc:  # the deployment must not stay in progress without its tag
        line = api_error_message(exc)
        if line is None:
            raise
        gh.create_status(deployment_id, "error", f"stage tag {name} not pushed")
        raise GitHubError(
            f"stage tag {name} not pushed (the token needs contents: write): {line}; "
            f"deployment {deployment_id} marked error"
        ) from None
    if not taken:
        gh.create_status(deployment_id, "inactive", f"stage tag {name} taken by another promotion")
        raise StateConflict(
            f"stage tag {name} was taken by a racing promotion; deployment {deployment_id} "
            "is retired: promote again"
        )
