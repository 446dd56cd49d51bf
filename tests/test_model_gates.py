"""Quality gates: thresholds, no-regression against the previous version, check runs."""

from __future__ import annotations

import pytest

from releaser.domain.model_gates import evaluate, passed
from releaser.models import manifest as loader
from releaser.models.sources import WorkspaceFiles
from tests.modelutil import WEIGHTS, manifest, sha, write_json, write_model

GATES = [
    {"metric": "auc", "min": 0.85},
    {"metric": "latency", "max": 100},
    {"metric": "auc", "baseline": "previous", "min-delta": -0.002},
    {"check": "model-eval"},
]


def load(root, auc=0.91, latency=40, gates=GATES, ci=None):
    data = manifest(gates=gates)
    data["metrics"] = [{"name": "auc", "value": auc, "dataset": "holdout"}]
    if latency is not None:
        data["metrics"].append({"name": "latency", "value": latency, "higher-is-better": False})
    files = {"model.safetensors": WEIGHTS}
    write_model(root, data, files)
    if ci is not None:
        text = write_json(root / "metrics.json", {"metrics": ci})
        data["metrics-file"] = {"path": "metrics.json", "sha256": sha(text)}
        data["metrics"] = data["metrics"][:0] or [{"name": "auc", "value": auc}]
        write_model(root, data, files)
    return loader.load(WorkspaceFiles(root, "."))


@pytest.mark.parametrize(
    "auc, latency, previous_auc, check, expected",
    [
        pytest.param(0.91, 40, 0.91, "success", [True, True, True, True], id="all-pass"),
        pytest.param(0.80, 40, 0.80, "success", [False, True, True, True], id="min-fails"),
        pytest.param(0.91, 150, 0.91, "success", [True, False, True, True], id="max-fails"),
        pytest.param(0.905, 40, 0.91, "success", [True, True, False, True], id="regression"),
        pytest.param(0.909, 40, 0.91, "success", [True, True, True, True], id="within-delta"),
        pytest.param(0.91, 40, 0.91, "failure", [True, True, True, False], id="check-failed"),
        pytest.param(0.91, 40, 0.91, None, [True, True, True, False], id="check-missing"),
    ],
)
def test_gate_table(tmp_path, auc, latency, previous_auc, check, expected):
    previous = load(tmp_path / "old", auc=previous_auc)
    model = load(tmp_path / "new", auc=auc, latency=latency)
    checks = {"model-eval": check} if check else {}
    results = evaluate(model, previous, checks)
    assert [r.passed for r in results] == expected
    assert passed(results) == all(expected)


def test_rows_have_the_issue_shape(tmp_path):
    previous = load(tmp_path / "old", auc=0.9)
    results = evaluate(load(tmp_path / "new"), previous, {"model-eval": "success"})
    assert [r.as_json() for r in results] == [
        {
            "gate": "auc >= 0.85",
            "metric": "auc",
            "value": 0.91,
            "threshold": 0.85,
            "baseline": None,
            "passed": True,
            "assurance": "declared",
        },
        {
            "gate": "latency <= 100",
            "metric": "latency",
            "value": 40,
            "threshold": 100,
            "baseline": None,
            "passed": True,
            "assurance": "declared",
        },
        {
            "gate": "auc - previous >= -0.002",
            "metric": "auc",
            "value": 0.91,
            "threshold": -0.002,
            "baseline": 0.9,
            "passed": True,
            "assurance": "declared",
        },
        {
            "gate": "check model-eval",
            "metric": None,
            "value": "success",
            "threshold": "success",
            "baseline": None,
            "passed": True,
            "assurance": "ci",
        },
    ]


def test_bad_input_gate_on_an_absent_metric_fails_not_errors(tmp_path):
    model = load(tmp_path, latency=None, gates=[{"metric": "latency", "max": 100}])
    (result,) = evaluate(model)
    assert (result.passed, result.value) == (False, None)


def test_a_ci_metric_carries_ci_assurance(tmp_path):
    model = load(
        tmp_path,
        gates=[{"metric": "f1", "min": 0.5}],
        ci=[{"name": "f1", "value": 0.7, "dataset": "eval"}],
    )
    (result,) = evaluate(model)
    assert (result.passed, result.assurance) == (True, "ci")


def test_first_release_baseline_gate_passes_with_no_baseline(tmp_path):
    model = load(tmp_path, gates=[{"metric": "auc", "baseline": "previous", "min-delta": 0}])
    (result,) = evaluate(model, None)
    assert (result.passed, result.baseline) == (True, None)
