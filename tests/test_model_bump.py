"""The model bump: each rule of issue #13's table, on manifests loaded from real files."""

from __future__ import annotations

import copy

import pytest

from releaser.domain.bump import Bump
from releaser.domain.model_bump import classify
from releaser.models import manifest as loader
from releaser.models.sources import GitFiles, WorkspaceFiles
from tests.gitutil import Repo
from tests.modelutil import WEIGHTS, manifest, sha, write_model

NEW_WEIGHTS = b"weights-v2\n" * 100


def load(root, data, weights=WEIGHTS):
    write_model(root, data, {"model.safetensors": weights})
    return loader.load(WorkspaceFiles(root, "."))


def base():
    data = manifest(significance={"auc": 0.01, "latency": 5})
    data["metrics"].append({"name": "latency", "value": 40, "higher-is-better": False})
    return data


def edit(path: str, value):
    def apply(data):
        *parents, last = path.split(".")
        node = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        if value is DELETE:
            del node[int(last) if last.isdigit() else last]
        elif last.isdigit() and int(last) == len(node):
            node.append(value)
        else:
            node[int(last) if last.isdigit() else last] = value
        return data

    return apply


DELETE = object()
NEW = True  # new weights
SAME = False

CASES = [
    ("interface-version-raised", SAME, False, [edit("interface.version", 2)], Bump.MAJOR),
    (
        "required-input-added",
        SAME,
        False,
        [edit("interface.inputs.2", {"name": "region", "type": "string"})],
        Bump.MAJOR,
    ),
    ("input-removed", SAME, False, [edit("interface.inputs.1", DELETE)], Bump.MAJOR),
    ("input-type-changed", SAME, False, [edit("interface.inputs.0.type", "string")], Bump.MAJOR),
    (
        "output-removed",
        SAME,
        False,
        [edit("interface.outputs.0", {"name": "other", "type": "float32"})],
        Bump.MAJOR,
    ),
    ("output-type-changed", SAME, False, [edit("interface.outputs.0.type", "int8")], Bump.MAJOR),
    ("param-removed", SAME, False, [edit("interface.params.0", DELETE)], Bump.MAJOR),
    ("architecture-changed", SAME, False, [edit("architecture.name", "lightgbm")], Bump.MAJOR),
    (
        "optional-input-added",
        SAME,
        False,
        [edit("interface.inputs.2", {"name": "region", "type": "string", "required": False})],
        Bump.MINOR,
    ),
    (
        "param-added",
        SAME,
        False,
        [edit("interface.params.1", {"name": "top_k", "type": "long", "default": 3})],
        Bump.MINOR,
    ),
    ("input-type-widened", SAME, False, [edit("interface.outputs.0.type", "float64")], Bump.MINOR),
    (
        "metric-improved",
        NEW,
        False,
        [edit("metrics.0.value", 0.95), edit("training.hyperparameters.depth", 8)],
        Bump.MINOR,
    ),
    (
        "metric-regressed",
        NEW,
        False,
        [
            edit("metrics.0.value", 0.95),
            edit("metrics.1.value", 60),
            edit("training.hyperparameters.depth", 8),
        ],
        Bump.PATCH,
    ),
    ("retrained", NEW, False, [edit("training.data.0.version", "2024-07")], Bump.PATCH),
    ("retrained", NEW, True, [], Bump.PATCH),  # explained by a code change
    ("config-changed", SAME, False, [edit("training.data.0.version", "2024-07")], Bump.PATCH),
    ("config-changed", SAME, False, [edit("interface.params.0.default", 0.7)], Bump.PATCH),
    ("config-changed", SAME, False, [edit("card", {"license": "MIT"})], Bump.PATCH),
    ("unexplained-artifact-change", NEW, False, [], Bump.PATCH),
]


def _id(case):
    rule, weights, code, edits, _bump = case
    return f"{rule}-{'new' if weights else 'same'}-weights{'-code' if code else ''}-{len(edits)}"


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_rule(tmp_path, case):
    rule, new_weights, code_changed, edits, bump = case
    old = load(tmp_path / "old", base())
    data = copy.deepcopy(base())
    for apply in edits:
        data = apply(data)
    new = load(tmp_path / "new", data, NEW_WEIGHTS if new_weights else WEIGHTS)
    result = classify(old, new, code_changed)
    assert rule in [c.rule for c in result.changes], result.changes
    assert result.bump == bump


def test_a_regression_is_never_hidden_by_an_improvement(tmp_path):
    old = load(tmp_path / "old", base())
    data = base()
    data["metrics"][0]["value"] = 0.99
    data["metrics"][1]["value"] = 90  # latency, lower is better: regressed by 50 > 5
    new = load(tmp_path / "new", data, NEW_WEIGHTS)
    result = classify(old, new, code_changed=True)
    assert [c.rule for c in result.changes] == ["metric-regressed"]
    assert result.changes[0].as_json() == {
        "rule": "metric-regressed",
        "field": "metrics.latency",
        "old": 40,
        "new": 90,
        "bump": "patch",
    }


def test_a_metric_without_significance_is_never_significant(tmp_path):
    old = load(tmp_path / "old", manifest())
    data = manifest()
    data["metrics"][0]["value"] = 0.99
    new = load(tmp_path / "new", data, NEW_WEIGHTS)
    assert [c.rule for c in classify(old, new, True).changes] == ["retrained"]


def test_improvement_below_significance_is_a_retrain(tmp_path):
    old = load(tmp_path / "old", base())
    data = base()
    data["metrics"][0]["value"] = 0.915
    new = load(tmp_path / "new", data, NEW_WEIGHTS)
    assert [c.rule for c in classify(old, new, True).changes] == ["retrained"]


def test_unexplained_is_flagged_and_strict_makes_it_an_error(tmp_path):
    old = load(tmp_path / "old", base())
    new = load(tmp_path / "new", base(), NEW_WEIGHTS)
    lax = classify(old, new, code_changed=False)
    assert lax.flags == ("unexplained-artifact-change",) and lax.errors == ()
    strict = classify(old, new, code_changed=False, strict=True)
    assert strict.errors[0].startswith("unexplained-artifact-change:")


def test_overrides_replace_a_row(tmp_path):
    old = load(tmp_path / "old", base())
    data = base()
    data["training"]["data"][0]["version"] = "2024-07"
    new = load(tmp_path / "new", data, NEW_WEIGHTS)
    result = classify(old, new, False, overrides={"retrained": Bump.MINOR})
    assert result.bump == Bump.MINOR


def test_nothing_changed_is_no_bump_and_first_release_has_no_changes(tmp_path):
    old = load(tmp_path / "old", base())
    new = load(tmp_path / "new", base())
    assert classify(old, new, True).changes == ()
    assert classify(None, new, True).bump == Bump.NONE


def test_interface_version_going_down_is_an_error(tmp_path):
    data = base()
    data["interface"]["version"] = 3
    old = load(tmp_path / "old", data)
    new = load(tmp_path / "new", base())
    assert "went down from 3 to 1" in classify(old, new, False).errors[0]


def test_baseline_is_read_from_git_at_the_previous_tag(tmp_path):
    repo = Repo(tmp_path / "repo")
    data = base()
    data["artifact"]["files"][0]["sha256"] = sha(WEIGHTS)
    import yaml

    repo.commit("feat: churn", {"models/churn/model.yaml": yaml.safe_dump(data)})
    repo.tag("churn@v1.0.0")
    from releaser.git import GitRepo

    git = GitRepo(repo.path)
    try:
        old = loader.load(GitFiles(git, "churn@v1.0.0", "models/churn"))
    finally:
        git.close()
    assert old.files[0].computed is False
    new = load(tmp_path / "new", base(), NEW_WEIGHTS)
    assert classify(old, new, False).changes[0].rule == "unexplained-artifact-change"
