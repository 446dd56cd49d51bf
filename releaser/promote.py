"""`releaser promote | deployment-status | rollback | history | retention`: promotion through
environments, recorded as GitHub deployments. Settings are read once at the CLI edge."""

from __future__ import annotations

import hashlib
import secrets
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from releaser.domain.deploy_history import (
    NEWER_FULL,
    REPLACED,
    SUPERSEDED,
    DeploymentRecord,
    entry,
    is_releaser_record,
    rollback_target,
)
from releaser.domain.evidence_json import EVIDENCE_JSON
from releaser.domain.markdown import escape_readable
from releaser.domain.promotion import EnvironmentPolicy, Refusal, Strategy, evaluate
from releaser.errors import ConfigError, ReleaserError, StateConflict
from releaser.models.verify import MANIFEST_JSON


@dataclass(frozen=True, slots=True)
class Settings:
    token: str
    api_url: str
    repository: str
    workspace: Path
    actor: str = ""
    run_id: str = ""
    write_interval: float = 1.0
    retry_scale: float = 1.0


@dataclass(frozen=True, slots=True)
class Promotion:
    tag: str
    environment: str
    strategy: Strategy
    reason: str
    emergency: bool = False
    rollback: bool = False


class Refused(ReleaserError):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.line())
        self.rule = refusal.rule


def client(settings: Settings):
    from releaser.github import GitHub, RetryTiming

    return GitHub(
        settings.token,
        settings.api_url,
        settings.repository,
        write_interval=settings.write_interval,
        timing=RetryTiming(scale=settings.retry_scale),
    )


def policy_for(policies: tuple[EnvironmentPolicy, ...], name: str) -> EnvironmentPolicy:
    found = next((p for p in policies if p.name == name), None)
    if found is None:
        known = ", ".join(p.name for p in policies) or "none (add `environments:`)"
        raise ConfigError(f"unknown environment {name!r}: .github/releaser.yml declares {known}")
    return found


def verified_evidence(gh, tag: str) -> dict[str, Any]:
    """The tag's published release, its assets downloaded and verified, and the tag at the
    recorded commit: the evidence document, or a refusal naming `evidence`."""
    from releaser.evidence.verify import verify

    release = gh.published_release(tag)
    if release is None or release.draft:
        raise ReleaserError(f"{tag} has no published release", "promote a released tag")
    names = {a.name for a in release.assets}
    if EVIDENCE_JSON not in names:
        raise Refused(Refusal("evidence", f"release {tag} has no {EVIDENCE_JSON}"))
    with tempfile.TemporaryDirectory(prefix="releaser-promote-") as tmp:
        folder = Path(tmp)
        for asset in release.assets:
            if "/" in asset.name or asset.name.startswith(".") or "\\" in asset.name:
                raise Refused(Refusal("evidence", f"release asset {asset.name!r}: unsafe name"))
            gh.download_asset(asset.id, folder / asset.name)
        try:
            verify([folder])
        except ReleaserError as exc:
            raise Refused(Refusal("evidence", exc.one_line())) from None
        raw = (folder / EVIDENCE_JSON).read_bytes()
        model_raw = (folder / MANIFEST_JSON).read_bytes() if MANIFEST_JSON in names else None
    from releaser.bounded import EVIDENCE, load_json

    doc = load_json(raw, EVIDENCE_JSON, EVIDENCE)  # verified above, parsed within bounds again
    src = doc["source"]
    if src["tag"] != tag:
        raise Refused(Refusal("evidence", f"{EVIDENCE_JSON} is the evidence of {src['tag']}"))
    at = gh.ref_sha(f"tags/{tag}")
    if at != src["commit"]:
        raise Refused(
            Refusal("evidence", f"tag {tag} points at {at or 'nothing'}, not {src['commit']}")
        )
    download = release.html_url.replace("/releases/tag/", "/releases/download/")
    doc["_sha256"] = hashlib.sha256(raw).hexdigest()
    if model_raw is not None:  # listed in SHA256SUMS, so verified with the rest
        from releaser.promote_models import manifest_document

        try:
            doc["_model_manifest"] = manifest_document(model_raw)
        except ReleaserError as exc:
            raise Refused(Refusal("evidence", exc.one_line())) from None
    doc["_url"] = f"{download}/{EVIDENCE_JSON}"
    return doc


def _history_for(gh, policy: EnvironmentPolicy, tag: str, component: str) -> list:
    """What the policy reads: the tag's deployments in `after` (a ref filter: a few), and the
    component's deployments in the environment back to its last successful full promotion
    (everything older is inactive by then): O(1) in steady state."""
    records: list[DeploymentRecord] = []
    if policy.after:
        records += gh.records(policy.after, ref=tag)
    records += gh.records(
        policy.name,
        component=component,
        stop=lambda r: r.full and r.outcome == "success" and r.state != "inactive",
    )
    return records


def _component_paths(settings: Settings) -> dict[str, str]:
    from releaser import config as config_mod

    found = config_mod.load(None, settings.workspace)
    return {c.policy.name: c.policy.path for c in found.components if c.policy.name}


def promote(
    gh,
    settings: Settings,
    policies,
    request: Promotion,
    now: datetime,
    components: Mapping[str, str] | None = None,
    model_components: frozenset[str] = frozenset(),
) -> dict:
    """Promote `request.tag`. `components` maps component names to their paths (read from
    the config in the workspace when not given): where a model's model.yaml lives.
    `model_components` names the config's `type: model` components, whatever their tag
    prefix; a release tagged GTO's way, `{name}@v{version}`, is a model's too."""
    from releaser import promote_models as pm
    from releaser.domain.promotion_gates import gate_refusal, model_version, stage_problem

    policy = policy_for(policies, request.environment)
    if request.emergency and not request.reason.strip():
        raise ConfigError("--emergency needs --reason")
    doc = verified_evidence(gh, request.tag)
    src = doc["source"]
    component, version = src["component"], src["version"]
    is_model = component in model_components or model_version(component, version, request.tag)
    tags: list[str] = []
    models = None
    if is_model:
        problem = stage_problem(request.environment)
        if problem:
            raise ConfigError(problem)
        tags = gh.tag_names(component)
        paths = components if components is not None else _component_paths(settings)
        models = pm.Models(gh, component, paths.get(component), lambda t: verified_evidence(gh, t))
    records = _history_for(gh, policy, request.tag, component)
    refusal = evaluate(
        policy,
        tag=request.tag,
        component=component,
        version=version,
        strategy=request.strategy,
        emergency=request.emergency,
        records=records,
        now=now,
    )
    if refusal is not None:
        raise Refused(refusal)
    gates = pm.gate_results(gh, policy, doc, models, records, tags, request.rollback)
    failed = gate_refusal(gates)  # break glass skips after and soak, never a gate
    if failed is not None:
        raise Refused(failed)
    approved: list[str] = []
    reviewers = gh.environment_reviewers(request.environment)
    if settings.run_id:
        approved = gh.run_approvals(settings.run_id, request.environment)
    payload = {
        "component": component,
        "version": version,
        "tag": request.tag,
        "commit": src["commit"],
        "evidence_url": doc["_url"],
        "evidence_sha256": doc["_sha256"],
        "artifacts": {a["name"]: a["sha256"] for a in doc["artifacts"]},
        "strategy": str(request.strategy),
        "reason": request.reason,
        "gates": [g.as_json() for g in gates],
        "promoted_by": settings.actor,
        "approved_by": approved,
        "required_reviewers": reviewers or [],
        "break_glass": request.emergency,
        "nonce": secrets.token_hex(8),
    }
    if is_model:  # GTO's stage tag this promotion will push once the deployment exists
        payload["stage_tag"] = pm.planned_stage_tag(component, request.environment, tags)
    label = f"{component} {version}" if component else version
    deployment_id = gh.create_deployment(
        request.tag,
        request.environment,
        request.strategy.task,
        payload,
        f"releaser: {label} ({request.strategy})",
    )
    gh.create_status(deployment_id, "in_progress", f"promoting {label}")
    _settle(gh, deployment_id, request.environment, component)
    out = {"deployment_id": deployment_id, "version": version, "tag": request.tag}
    if is_model:  # after the deployment exists (and won any race), so the tag can name it
        message = pm.stage_message(deployment_id, settings.actor, request.reason, payload["gates"])
        pm.assign_stage(gh, deployment_id, payload["stage_tag"], src["commit"], message)
        out["stage_tag"] = payload["stage_tag"]
    if request.emergency:
        out["review_issue"] = gh.create_issue(
            f"Post-release review: {request.tag} to {request.environment}",
            _review_body(payload, deployment_id, request.environment),
        )
    return out


def _settle(gh, deployment_id: int, environment: str, component: str) -> None:
    """Racing promotions of one component to one environment: each re-reads the in-flight
    ones; the newest stays and every older one retires itself, so one deployment goes on."""
    newer = [
        r
        for r in gh.records(environment, component=component, stop=lambda r: r.id <= deployment_id)
        if r.id > deployment_id and r.in_flight  # a racer may not have posted a status yet
    ]
    if newer:
        gh.create_status(deployment_id, "inactive", f"{SUPERSEDED}{newer[-1].id}")
        raise StateConflict(
            f"a racing promotion to {environment} (deployment {newer[-1].id}) supersedes "
            f"deployment {deployment_id}"
        )


def _review_body(payload: dict, deployment_id: int, environment: str) -> str:
    rows = [
        ("deployment", str(deployment_id)),
        ("environment", environment),
        ("component", payload["component"] or "(root)"),
        ("version", payload["version"]),
        ("tag", payload["tag"]),
        ("commit", payload["commit"]),
        ("promoted by", payload["promoted_by"] or "(unknown)"),
        ("reason", payload["reason"]),
        ("evidence", payload["evidence_url"]),
    ]
    lines = [
        "An emergency promotion skipped the `after` and `soak` rules (break glass).",
        "The evidence was verified. This release needs a review after the fact.",
        "",
        "| field | value |",
        "| --- | --- |",
    ]
    lines += [f"| {k} | {escape_readable(v)} |" for k, v in rows]
    return "\n".join(lines) + "\n"


def complete(
    gh, deployment_id: int, state: str, url: str, description: str, environment_url: str = ""
) -> list[int]:
    """The user's deploy finished. A full deployment that succeeded retires every older live
    deployment of its component in its environment, one `inactive` status each (and retires
    itself when a newer full one already succeeded: the newest wins)."""
    data = gh.deployment(deployment_id)
    if data is None or not is_releaser_record(data.get("payload")):
        raise ReleaserError(f"no deployment {deployment_id} recorded by releaser")
    gh.create_status(deployment_id, state, description, url, environment_url)
    retired: list[int] = []
    record = gh.record(data)
    if state != "success" or not record.full:
        return retired
    # Everything older than a full deployment that succeeded and was retired since was retired
    # with it: reading stops there, so completing costs the same however long the record.
    others = gh.records(
        record.environment,
        component=record.component,
        stop=lambda r: (
            r.id < deployment_id
            and r.full
            and r.state == "inactive"
            and r.first_success() is not None
        ),
    )
    if any(r.id > deployment_id and r.full and r.active for r in others):
        gh.create_status(deployment_id, "inactive", NEWER_FULL)
        return [deployment_id]
    for r in others:
        if r.id < deployment_id and r.live:
            gh.create_status(r.id, "inactive", f"{REPLACED}{deployment_id}")
            retired.append(r.id)
    return retired


def rollback_request(gh, environment: str, component: str) -> Promotion:
    records = gh.records(environment, component=component)
    current, target = rollback_target(records, environment, component)
    if current is None:
        raise ReleaserError(
            f"nothing of {component or 'the repository'} is active in {environment}"
        )
    if target is None:
        raise ReleaserError(
            f"no earlier version succeeded in {environment} before {current.version}",
            "nothing to roll back to",
        )
    return Promotion(target.tag, environment, Strategy("full"), "rollback", rollback=True)


def history(gh, environment: str | None, component: str | None) -> list[DeploymentRecord]:
    return gh.records(environment, component=component)


def stage_tags(gh, records) -> dict[int, tuple[str, bool]]:
    """deployment id -> (the GTO stage tag its payload names, whether git has it), for the
    model deployments among `records`: one tag listing per model component."""
    from releaser.domain.promotion_gates import model_version

    listed: dict[str, set[str]] = {}
    out = {}
    for r in records:
        name = r.payload.get("stage_tag")
        if not isinstance(name, str) or not model_version(r.component, r.version, r.tag):
            continue
        if r.component not in listed:
            listed[r.component] = set(gh.tag_names(r.component))
        out[r.id] = (name, name in listed[r.component])
    return out


def entries(records) -> list[dict]:
    return [entry(r) for r in records]
