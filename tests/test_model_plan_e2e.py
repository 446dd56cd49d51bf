"""`releaser plan` on real repositories with a model component: each manifest rule through
the whole plan (config, baseline read from git at the previous tag, commits, version)."""

from __future__ import annotations

import contextlib
import copy
import io
import json

import pytest

from releaser.cli import main
from tests.gitutil import Repo, plan_json
from tests.modelutil import WEIGHTS, manifest, write_model

NEW_WEIGHTS = b"weights-v2\n" * 100
MODEL = "models/churn"
CONFIG = """components:
  - {name: churn, path: models/churn, type: model%s}
  - {name: api, path: services/api}
"""


@pytest.fixture(autouse=True, params=["planned-in-child", "planned-in-process"])
def planner(request, monkeypatch):
    """Every test here runs twice: `releaser plan`'s hashing child plans the model while
    history is walked (what the CLI does), and the model is planned in-process (what the
    Action does, and the CLI when the child cannot answer). Both must print the same."""
    if request.param == "planned-in-process":
        from releaser.models import planner

        monkeypatch.setattr(planner.ModelWork, "ask", lambda self, asked: None)
    return request.param


def base() -> dict:
    return manifest(significance={"auc": 0.01})


def commit_all(repo: Repo, message: str) -> str:
    repo.tick += 1
    repo.git("add", "-A")
    repo.git("commit", "-q", "--cleanup=verbatim", "-F", "-", input=message.encode())
    return repo.head()


def released(tmp_path, options: str = "", data: dict | None = None) -> Repo:
    """A repository whose model was released as churn@v1.0.0 (weights committed to git)."""
    repo = Repo(tmp_path / "repo")
    (repo.path / ".github").mkdir()
    (repo.path / ".github/releaser.yml").write_text(CONFIG % options)
    (repo.path / "services/api").mkdir(parents=True)
    (repo.path / "services/api/app.py").write_text("print('api')\n")
    write_model(repo.path / MODEL, data or base())
    commit_all(repo, "feat: churn model and api")
    repo.tag("churn@v1.0.0")
    repo.tag("api-v1.0.0")
    return repo


def change(repo: Repo, data: dict, weights: bytes = WEIGHTS, message: str = "chore: update"):
    write_model(repo.path / MODEL, data, {"model.safetensors": weights})
    return commit_all(repo, message)


def churn(repo: Repo) -> dict:
    (release,) = [r for r in plan_json(repo.path)["releases"] if r["component"] == "churn"]
    return release


def rules(release: dict) -> list[str]:
    return [c["rule"] for c in release["model"]["changes"]]


def edited(**changes) -> dict:
    data = copy.deepcopy(base())
    for path, value in changes.items():
        node = data
        *parents, last = path.split("__")
        for part in parents:
            node = node[part]
        node[last] = value
    return data


def plan_text(repo: Repo) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["plan", "--repo", str(repo.path)])
    return code, out.getvalue(), err.getvalue()


def inputs_plus(item: dict) -> list:
    return [*base()["interface"]["inputs"], item]


CASES = [
    # (id, manifest now, weights now, expected rules, version)
    ("interface-version-raised", edited(interface__version=2), WEIGHTS, None, "2.0.0"),
    (
        "required-input-added",
        edited(interface__inputs=inputs_plus({"name": "region", "type": "string"})),
        WEIGHTS,
        None,
        "2.0.0",
    ),
    (
        "optional-input-added",
        edited(
            interface__inputs=inputs_plus({"name": "region", "type": "string", "required": False})
        ),
        WEIGHTS,
        None,
        "1.1.0",
    ),
    (
        "metric-improved",
        edited(
            metrics=[{"name": "auc", "value": 0.95, "dataset": "holdout"}],
            training__hyperparameters={"depth": 8, "eta": 0.1},
        ),
        NEW_WEIGHTS,
        None,
        "1.1.0",
    ),
    (
        "retrained",
        edited(training__data=[{"name": "customers", "version": "2024-07"}]),
        NEW_WEIGHTS,
        None,
        "1.0.1",
    ),
    (
        "config-changed",
        edited(card={"license": "Apache-2.0"}),
        WEIGHTS,
        None,
        "1.0.1",
    ),
    ("unexplained-artifact-change", base(), NEW_WEIGHTS, None, "1.0.1"),
]


@pytest.mark.parametrize(
    "rule, data, weights, expected, version", [pytest.param(*case, id=case[0]) for case in CASES]
)
def test_each_rule_sets_the_model_version(tmp_path, rule, data, weights, expected, version):
    repo = released(tmp_path)
    change(repo, data, weights)  # "chore:": the commits alone ask for no release
    release = churn(repo)
    assert rules(release) == (expected or [rule])
    assert release["version"] == version
    assert release["tag"] == f"churn@v{version}"
    assert release["previous_tag"] == "churn@v1.0.0"
    model = release["model"]
    assert model["baseline"]["tag"] == "churn@v1.0.0"
    assert model["model_bump"] == release["bump"]


def test_the_model_object_has_exactly_the_keys_and_real_digests(tmp_path):
    repo = released(tmp_path)
    change(repo, edited(training__data=[{"name": "customers", "version": "2024-07"}]), NEW_WEIGHTS)
    model = churn(repo)["model"]
    assert list(model) == [
        "manifest_sha256",
        "interface_sha256",
        "hyperparameters_sha256",
        "baseline",
        "changes",
        "model_bump",
        "flags",
        "gates",
        "gates_passed",
    ]
    from releaser.domain.model import manifest_digest
    from tests.modelutil import sha

    assert model["manifest_sha256"] == manifest_digest([("model.safetensors", sha(NEW_WEIGHTS))])
    # The baseline's weights are committed: hashed from git at the tag, not trusted.
    assert model["baseline"]["manifest_sha256"] == manifest_digest(
        [("model.safetensors", sha(WEIGHTS))]
    )
    (retrained,) = model["changes"]
    assert retrained == {
        "rule": "retrained",
        "field": "artifact",
        "old": model["baseline"]["manifest_sha256"],
        "new": model["manifest_sha256"],
        "bump": "patch",
    }


def test_unexplained_weights_are_flagged(tmp_path):
    repo = released(tmp_path)
    change(repo, base(), NEW_WEIGHTS)
    assert churn(repo)["model"]["flags"] == ["unexplained-artifact-change"]


def test_a_code_change_under_the_component_explains_new_weights(tmp_path):
    repo = released(tmp_path)
    (repo.path / MODEL / "train.py").write_text("fit(depth=6)\n")
    change(repo, base(), NEW_WEIGHTS)
    release = churn(repo)
    assert rules(release) == ["retrained"] and release["model"]["flags"] == []


def test_strict_refuses_unexplained_weights_with_one_line(tmp_path):
    repo = released(tmp_path, ", strict: true")
    change(repo, base(), NEW_WEIGHTS)
    code, out, err = plan_text(repo)
    assert code == 2 and out == ""
    assert err.count("\n") == 1
    assert err.startswith("releaser: error: churn: unexplained-artifact-change: new weights")


def test_model_bumps_override_a_rule(tmp_path):
    repo = released(tmp_path, ", model-bumps: {retrained: minor}")
    change(repo, edited(training__data=[{"name": "customers", "version": "2024-07"}]), NEW_WEIGHTS)
    release = churn(repo)
    assert release["version"] == "1.1.0"
    assert release["model"]["changes"][0]["bump"] == "minor"


def test_first_release_has_no_baseline(tmp_path):
    repo = Repo(tmp_path / "repo")
    (repo.path / ".github").mkdir()
    (repo.path / ".github/releaser.yml").write_text(CONFIG % "")
    write_model(repo.path / MODEL, base())
    commit_all(repo, "feat(churn): first model")
    release = churn(repo)
    assert release["version"] == "1.0.0" and release["tag"] == "churn@v1.0.0"
    assert release["previous_tag"] is None
    model = release["model"]
    assert model["baseline"] is None and model["changes"] == []
    assert model["model_bump"] == "none"


def test_release_as_wins_over_the_manifest_bump(tmp_path):
    repo = released(tmp_path)
    change(repo, edited(interface__version=2), message="chore: v2 interface\n\nRelease-As: 5.0.0\n")
    release = churn(repo)
    assert release["version"] == "5.0.0" and release["bump"] == "explicit"
    assert rules(release) == ["interface-version-raised"]


def test_a_breaking_commit_outranks_a_patch_manifest_change(tmp_path):
    repo = released(tmp_path)
    change(repo, edited(card={"license": "MIT"}), message="feat(churn)!: new scoring contract")
    release = churn(repo)
    assert release["version"] == "2.0.0" and release["model"]["model_bump"] == "patch"


def test_pre_1_0_rules_soften_the_manifest_bump(tmp_path):
    repo = Repo(tmp_path / "repo")
    (repo.path / ".github").mkdir()
    (repo.path / ".github/releaser.yml").write_text("bump-minor-pre-major: true\n" + CONFIG % "")
    write_model(repo.path / MODEL, base())
    commit_all(repo, "feat: churn")
    repo.tag("churn@v0.3.0")
    change(repo, edited(interface__version=2))
    release = churn(repo)
    assert release["version"] == "0.4.0" and release["model"]["model_bump"] == "major"


def test_nothing_changed_is_no_release_and_the_code_component_has_no_model_key(tmp_path):
    repo = released(tmp_path)
    (repo.path / "services/api/app.py").write_text("print('api 2')\n")
    commit_all(repo, "fix(api): say 2")
    releases = {r["component"]: r for r in plan_json(repo.path)["releases"]}
    assert releases["churn"]["version"] is None
    assert releases["churn"]["model"]["changes"] == []
    assert "model" not in releases["api"] and releases["api"]["version"] == "1.0.1"


def test_a_model_component_without_model_yaml_is_one_line(tmp_path):
    repo = released(tmp_path)
    (repo.path / MODEL / "model.yaml").unlink()
    commit_all(repo, "chore: drop the manifest")
    code, out, err = plan_text(repo)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "models/churn/model.yaml: not found; component 'churn' is of type: model" in err


def test_gates_are_reported_and_plan_still_exits_0(tmp_path):
    gates = [
        {"metric": "auc", "min": 0.95},
        {"metric": "latency_ms", "max": 100},
        {"check": "model-eval"},
    ]
    repo = released(tmp_path, data=edited(gates=gates))
    change(repo, edited(gates=gates, card={"license": "MIT"}))
    model = churn(repo)["model"]
    auc, latency, check = model["gates"]
    assert auc["passed"] is False and auc["value"] == 0.91 and auc["assurance"] == "declared"
    assert latency == {
        "gate": "latency_ms <= 100",
        "metric": "latency_ms",
        "value": None,
        "threshold": 100,
        "baseline": None,
        "passed": False,
        "assurance": None,
    }
    assert check["value"] == "pending" and check["passed"] is False
    assert model["gates_passed"] is False
    code, out, _err = plan_text(repo)
    assert code == 0
    assert "auc >= 0.95" in out and "FAIL" in out and "pending" in out


def test_text_output_shows_the_change_table(tmp_path):
    repo = released(tmp_path)
    change(repo, edited(interface__version=2))
    code, out, _err = plan_text(repo)
    assert code == 0
    assert "churn: 1.0.0 -> 2.0.0 (major, churn@v2.0.0)" in out
    assert "baseline churn@v1.0.0" in out
    line = next(li for li in out.splitlines() if "interface-version-raised" in li)
    assert line.split() == ["interface-version-raised", "interface.version", "1", "2", "major"]


def test_declared_digests_at_the_tag_are_the_baseline_when_weights_are_not_in_git(tmp_path):
    from tests.modelutil import sha

    data = base()
    data["artifact"]["files"][0].update({"sha256": sha(WEIGHTS), "uri": "s3://m/churn"})
    repo = released(tmp_path, data=data)
    repo.git("rm", "-q", "--cached", f"{MODEL}/model.safetensors")
    (repo.path / ".gitignore").write_text("*.safetensors\n")
    commit_all(repo, "chore: weights live in s3")
    repo.git("tag", "-f", "churn@v1.0.0")
    now = copy.deepcopy(data)
    now["artifact"]["files"][0]["sha256"] = sha(NEW_WEIGHTS)
    now["training"]["data"] = [{"name": "customers", "version": "2024-07"}]
    change(repo, now, NEW_WEIGHTS)
    release = churn(repo)
    assert rules(release) == ["retrained"] and release["version"] == "1.0.1"


def test_plan_json_still_parses_as_one_object(tmp_path):
    repo = released(tmp_path)
    change(repo, edited(interface__version=2))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["plan", "--repo", str(repo.path), "--json"]) == 0
    assert json.loads(out.getvalue())["releases"][0]["model"]["model_bump"] == "major"


def test_a_new_metrics_file_does_not_explain_new_weights(tmp_path):
    from tests.modelutil import sha, write_json

    def with_metrics(root, auc: float) -> dict:
        text = write_json(root / "metrics.json", {"metrics": [{"name": "auc", "value": auc}]})
        data = base()
        data["metrics-file"] = {"path": "metrics.json", "sha256": sha(text)}
        return data

    repo = Repo(tmp_path / "repo")
    (repo.path / ".github").mkdir()
    (repo.path / ".github/releaser.yml").write_text(CONFIG % "")
    write_model(repo.path / MODEL, with_metrics(repo.path / MODEL, 0.91))
    commit_all(repo, "feat: churn")
    repo.tag("churn@v1.0.0")
    # Training writes the weights and the metrics-file: neither explains the other.
    change(repo, with_metrics(repo.path / MODEL, 0.912), NEW_WEIGHTS)
    release = churn(repo)
    assert rules(release) == ["unexplained-artifact-change"]
    assert release["model"]["flags"] == ["unexplained-artifact-change"]


CODE_ONLY_CONFIGS = {
    "no config": None,
    # Paths and names that say "model", but no component of type: model.
    "model-ish words": (
        "components:\n  - {name: app, path: src}\n"
        "  - {name: models, path: models/churn, tag-prefix: 'model@v'}  # model type: later\n"
    ),
}


@pytest.mark.parametrize("config", CODE_ONLY_CONFIGS.values(), ids=CODE_ONLY_CONFIGS.keys())
def test_a_code_only_plan_loads_no_model_module(tmp_path, config):
    import subprocess
    import sys

    repo = Repo(tmp_path / "repo")
    if config is not None:
        (repo.path / ".github").mkdir()
        (repo.path / ".github/releaser.yml").write_text(config)
        (repo.path / "src").mkdir()
        (repo.path / "src/a.txt").write_text("a\n")
    repo.commit("feat: x")
    code = (
        "import sys; from releaser.cli import main; "
        f"main(['plan', '--repo', {str(repo.path)!r}]); "
        "print(sorted(m for m in sys.modules if m == 'rfc8785' or m.startswith('releaser.model')"
        " or m.startswith('releaser.domain.model')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_a_symlink_committed_as_weights_at_the_tag_is_refused_in_one_line(tmp_path):
    repo = Repo(tmp_path / "repo")
    (repo.path / ".github").mkdir()
    (repo.path / ".github/releaser.yml").write_text(CONFIG % "")
    write_model(repo.path / MODEL, base(), {})
    (repo.path / MODEL / "model.safetensors").symlink_to("../../.git/config")
    commit_all(repo, "feat: churn")
    repo.tag("churn@v1.0.0")
    (repo.path / MODEL / "model.safetensors").unlink()
    change(repo, edited(card={"license": "MIT"}))
    code, out, err = plan_text(repo)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "models/churn/model.safetensors@churn@v1.0.0: not a regular file" in err


def test_weights_kept_in_git_lfs_are_known_at_the_tag_by_their_pointer(tmp_path):
    from tests.modelutil import sha

    data = base()
    data["artifact"]["files"][0]["sha256"] = sha(WEIGHTS)
    repo = released(tmp_path, data=data)
    # What git holds for an LFS-tracked file: the pointer, naming the content's sha256.
    pointer = (
        "version https://git-lfs.github.com/spec/v1\n"
        f"oid sha256:{sha(WEIGHTS)}\nsize {len(WEIGHTS)}\n"
    )
    (repo.path / MODEL / "model.safetensors").write_text(pointer)
    commit_all(repo, "chore: weights to lfs")
    repo.git("tag", "-f", "churn@v1.0.0")
    change(repo, edited(card={"license": "MIT"}))  # the smudged weights, as checked out
    release = churn(repo)
    assert rules(release) == ["config-changed"] and release["version"] == "1.0.1"
