"""The model plan (domain): its JSON keys, the baseline, pending check gates, pre-1.0 rules."""

from __future__ import annotations

import pytest

from releaser.domain.bump import Bump, BumpPolicy, soften
from releaser.domain.model_plan import ModelPlan, plan_model
from releaser.models import manifest as loader
from releaser.models.sources import WorkspaceFiles
from tests.modelutil import manifest, write_model

KEYS = {
    "manifest_sha256",
    "interface_sha256",
    "hyperparameters_sha256",
    "baseline",
    "changes",
    "model_bump",
    "flags",
    "gates",
    "gates_passed",
}
GATES = [{"metric": "auc", "min": 0.85}, {"check": "model-eval"}]


def load(root, **overrides):
    write_model(root, manifest(**overrides))
    return loader.load(WorkspaceFiles(root, "."))


def test_first_release_has_no_baseline_and_exactly_the_keys(tmp_path):
    plan = plan_model(load(tmp_path), None, None, code_changed=False)
    out = plan.as_json()
    assert set(out) == KEYS
    assert out["baseline"] is None
    assert out["changes"] == [] and out["model_bump"] == "none"
    assert out["gates"] == [] and out["gates_passed"] is True


def test_baseline_names_the_tag_and_its_digest(tmp_path):
    old = load(tmp_path / "old")
    new = load(tmp_path / "new", interface={**manifest()["interface"], "version": 2})
    plan = plan_model(new, old, "churn@v1.0.0", code_changed=False)
    assert plan.baseline is not None
    assert plan.as_json()["baseline"] == {
        "tag": "churn@v1.0.0",
        "manifest_sha256": old.digests.manifest_sha256,
    }
    assert plan.model_bump is Bump.MAJOR
    assert [c["rule"] for c in plan.as_json()["changes"]] == ["interface-version-raised"]


def test_a_check_gate_is_pending_offline_and_not_a_pass(tmp_path):
    plan = plan_model(load(tmp_path, gates=GATES), None, None, code_changed=False)
    auc, check = plan.as_json()["gates"]
    assert auc["passed"] is True
    assert check == {
        "gate": "check model-eval",
        "metric": None,
        "value": "pending",
        "threshold": "success",
        "baseline": None,
        "passed": False,
        "assurance": "ci",
    }
    assert plan.gates_passed is False


def test_a_check_gate_with_its_conclusion_is_evaluated(tmp_path):
    model = load(tmp_path, gates=GATES)
    plan = plan_model(model, None, None, False, checks={"model-eval": "success"})
    assert [g.passed for g in plan.gates] == [True, True] and plan.gates_passed


@pytest.mark.parametrize(
    "bump, minor_pre_major, patch_pre_major, pre_major, expected",
    [
        pytest.param(Bump.MAJOR, True, False, True, Bump.MINOR, id="major-softened"),
        pytest.param(Bump.MINOR, False, True, True, Bump.PATCH, id="minor-softened"),
        pytest.param(Bump.MAJOR, True, False, False, Bump.MAJOR, id="post-1.0-kept"),
        pytest.param(Bump.MAJOR, False, False, True, Bump.MAJOR, id="not-configured"),
    ],
)
def test_pre_1_0_rules_soften_the_manifest_bump(
    bump, minor_pre_major, patch_pre_major, pre_major, expected
):
    policy = BumpPolicy(
        bump_minor_pre_major=minor_pre_major, bump_patch_for_minor_pre_major=patch_pre_major
    )
    assert soften(bump, policy, pre_major) is expected


def test_model_plan_is_frozen(tmp_path):
    plan = plan_model(load(tmp_path), None, None, False)
    assert isinstance(plan, ModelPlan)
    with pytest.raises(AttributeError):
        plan.model_bump = Bump.MAJOR  # type: ignore[misc]
