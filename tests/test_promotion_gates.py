"""Environment gates and GTO stage tags (pure), GTO's own counter as the reference, and the
`environments.*.gates` and `retention` config keys."""

from __future__ import annotations

import subprocess
from datetime import timedelta

import pytest

from releaser import config
from releaser.domain.deploy_history import RetentionPolicy
from releaser.domain.model import DECLARED, Gate, Metric
from releaser.domain.promotion_gates import (
    evaluate_gates,
    gate_refusal,
    metrics_from_document,
    model_version,
    next_counter,
    previous_version,
    stage_problem,
    stage_tags,
    subject,
)
from releaser.errors import ConfigError

TAGS = [
    "churn@v1.0.0",
    "churn@v1.2.0",
    "churn@v1.10.0!",  # deregistered
    "churn#staging#1",
    "churn#production#4",
    "churn#production!#5",  # unassigned: counts too
    "churn@v1.1.0",
    "churn2#production#9",  # another artifact
    "churn/x#production#8",  # another artifact
    "churnx@v9.0.0",
    "v1.0.0",
]


def test_gto_counter_stage_tags_and_previous_version():
    assert next_counter("churn", TAGS) == 6
    assert next_counter("churn", ["churn@v1.0.0"]) == 1
    assert next_counter("fraud", TAGS) == 1
    assert [t[0] for t in stage_tags("churn", TAGS)] == ["churn#staging#1", "churn#production#4"]
    assert previous_version("churn", "1.2.0", TAGS) == "churn@v1.1.0"
    assert previous_version("churn", "1.1.0", TAGS) == "churn@v1.0.0"
    assert previous_version("churn", "1.0.0", TAGS) is None
    assert previous_version("churn", "2.0.0", TAGS) == "churn@v1.2.0"  # not the deregistered
    assert model_version("churn", "1.2.0", "churn@v1.2.0")
    assert not model_version("api", "1.2.0", "api-v1.2.0") and not model_version("", "1", "@v1")
    assert stage_problem("production") is None and stage_problem("prod/eu-1") is None
    assert "not a GTO stage name" in (stage_problem("prod.eu") or "")


def test_next_counter_agrees_with_gto_assign(tmp_path):
    """GTO itself assigns a stage with the counter next_counter predicts."""
    from gto import api

    repo = tmp_path / "repo"

    def git(*args):
        subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)

    repo.mkdir()
    git("init", "-q", "-b", "main")
    git("-c", "user.name=a", "-c", "user.email=a@b", "commit", "-q", "--allow-empty", "-m", "x")
    for tag in ("churn@v1.0.0", "churn#staging#3", "churn#prod!#7", "churn2#prod#11", "v1.0.0"):
        git("-c", "user.name=a", "-c", "user.email=a@b", "tag", "-a", tag, "-m", "m")
    before = subprocess.run(
        ["git", "-C", str(repo), "tag"], capture_output=True, text=True, check=True
    ).stdout.split()
    expected = f"churn#prod#{next_counter('churn', before)}"
    api.assign(str(repo), "churn", "prod", version="v1.0.0", force=True)
    after = subprocess.run(
        ["git", "-C", str(repo), "tag"], capture_output=True, text=True, check=True
    ).stdout.split()
    assert set(after) - set(before) == {expected} == {"churn#prod#8"}


def _model(auc: float | None):
    metrics = [Metric("auc", auc, assurance=DECLARED)] if auc is not None else []
    return subject("churn", metrics)


def test_environment_gates_and_the_refusal_line():
    gates = (
        Gate("min", "auc", 0.8),
        Gate("baseline", "auc", 0.0, baseline="stage:production"),
        Gate("baseline", "auc", -0.5),
        Gate("check", check="eval"),
    )
    base = {"stage:production": _model(0.9), "previous": None}
    results = evaluate_gates(gates, _model(0.85), base, {"eval": "success"})
    assert [(r.gate, r.passed, r.baseline) for r in results] == [
        ("auc >= 0.8", True, None),
        ("auc - stage:production >= 0", False, 0.9),
        ("auc - previous >= -0.5", True, None),
        ("check eval", True, None),
    ]
    refusal = gate_refusal(results)
    assert refusal is not None and refusal.rule == "gates"
    assert refusal.line() == (
        "promotion refused by rule `gates`: gate `auc - stage:production >= 0` failed: "
        "auc is 0.85 against 0.9"
    )
    missing = gate_refusal(evaluate_gates(gates[:1], _model(None), {}, {}))
    assert missing is not None and "metric auc is missing" in missing.reason
    # A code component: only the check gates apply, and they read the recorded checks.
    code = evaluate_gates(gates, None, {}, {"eval": "failure"})
    assert [(r.gate, r.passed) for r in code] == [("check eval", False)]
    assert "conclusion failure" in gate_refusal(code).reason  # type: ignore[union-attr]


def test_metrics_from_the_manifest_document():
    doc = {
        "metrics": [
            {"name": "auc", "value": 0.9, "assurance": "ci", "slice": "eu", "ci": [0.8, 1]},
            {"name": "latency", "value": 12, "higher-is-better": False},
            {"name": "bad", "value": "x"},
            {"name": "flag", "value": True},
            "junk",
        ]
    }
    found = metrics_from_document(doc)
    assert [(m.name, m.value, m.assurance, m.higher_is_better) for m in found] == [
        ("auc", 0.9, "ci", True),
        ("latency", 12.0, DECLARED, False),
    ]
    assert found[0].ci == (0.8, 1.0) and found[0].slice == "eu"


MODEL = '  - {name: churn, path: models/churn, tag-prefix: "churn@v"}\n'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "environments:\n  production:\n    gates:\n      - {metric: auc, min: 0.8}\n",
            "x.yml:4: environments.production.gates[0].metric: a gate on metric 'auc' needs a "
            "model component (components[].type: model): code releases have no metrics",
        ),
        (
            "components:\n" + MODEL + "environments:\n  production:\n    gates:\n"
            "      - {metric: auc, baseline: stage:qa, min-delta: 0}\n",
            "x.yml:6: environments.production.gates[0].baseline: 'stage:qa' names no declared "
            "environment",
        ),
        (
            "components:\n" + MODEL + "environments:\n  production:\n    gates:\n"
            "      - {metric: auc, baseline: latest, min-delta: 0}\n",
            "x.yml:6: environments.production.gates[0]: invalid value",
        ),
        (
            "retention:\n  archive-after: 30d\n  delete-after: 10d\n",
            "x.yml:3: retention.delete-after: must be longer than archive-after",
        ),
        ("retention:\n  keep: 0\n", "x.yml:2: retention.keep: 0 is less than the minimum of 1"),
        ("retention:\n  keeep: 3\n", "x.yml:2: retention: unknown key 'keeep'"),
        ("retention:\n  archive-after: 6 months\n", "x.yml:2: retention.archive-after"),
    ],
    ids=["metric-gate-code-only", "unknown-stage", "bad-baseline", "delete-before-archive",
         "keep-zero", "typo", "bad-duration"],
)  # fmt: skip
def test_config_errors_name_file_line_and_path(text, expected):
    with pytest.raises(ConfigError) as info:
        config.parse(text.encode(), "x.yml")
    assert str(info.value.message).startswith(expected), info.value.message


def test_config_gates_and_retention_parse():
    text = (
        "components:\n" + MODEL + "environments:\n  staging: {}\n  production:\n    gates:\n"
        "      - {metric: auc, min: 0.8}\n"
        "      - {metric: auc, baseline: stage:production, min-delta: -0.01}\n"
        "      - {check: eval}\n"
        "retention: {archive-after: 30d, keep: 3}\n"
    )
    cfg = config.parse(text.encode(), "x.yml")
    production = cfg.environments[1]
    assert production.gates == (
        Gate("min", "auc", 0.8),
        Gate("baseline", "auc", -0.01, baseline="stage:production"),
        Gate("check", check="eval"),
    )
    assert cfg.retention == RetentionPolicy(timedelta(days=30), timedelta(days=730), 3)
    assert config.parse(b"{}", "x.yml").retention == RetentionPolicy()
    # A check gate needs no model component.
    code = config.parse(b"environments:\n  production:\n    gates: [{check: e2e}]\n", "x.yml")
    assert code.environments[0].gates == (Gate("check", check="e2e"),)


def test_gates_read_the_released_model_manifest_document(tmp_path):
    """With a model-manifest.json asset (verify.document's shape), its metrics are the ones
    gated: no model.yaml read, so no path and no GitHub needed."""
    import json

    from releaser.domain.promotion import EnvironmentPolicy
    from releaser.models import manifest, sources
    from releaser.models.verify import document
    from releaser.promote_models import Models, gate_results
    from tests.modelutil import manifest as model_yaml
    from tests.modelutil import write_model

    metrics = [
        {"name": "auc", "value": 0.81, "dataset": "holdout"},
        {"name": "latency_ms", "value": 120, "dataset": "bench", "higher-is-better": False},
    ]
    write_model(tmp_path / "models" / "churn", model_yaml(metrics=metrics))
    model = manifest.load(sources.WorkspaceFiles(tmp_path, "models/churn"))
    released = json.loads(json.dumps(document(model, "c" * 40, None)))

    def no_evidence(tag):
        raise AssertionError(f"read {tag}")

    models = Models(None, "churn", None, no_evidence)
    doc = {
        "source": {"tag": "churn@v1.1.0", "version": "1.1.0"},
        "checks": {"results": [{"name": "eval", "status": "completed", "conclusion": "success"}]},
        "_model_manifest": released,
    }
    policy = EnvironmentPolicy(
        "production",
        gates=(
            Gate("min", "auc", 0.8),
            Gate("max", "latency_ms", 100),
            Gate("check", check="eval"),
        ),
    )
    results = gate_results(None, policy, doc, models, records=[], tags=[])
    assert [(r.gate, r.value, r.passed) for r in results] == [
        ("auc >= 0.8", 0.81, True),
        ("latency_ms <= 100", 120.0, False),
        ("check eval", "success", True),
    ]
