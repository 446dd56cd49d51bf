"""`releaser models`: every version of every model component, read from git alone."""

from __future__ import annotations

import contextlib
import copy
import io
import json

from releaser.cli import main
from releaser.domain.model import manifest_digest
from tests.gitutil import Repo
from tests.modelutil import WEIGHTS, manifest, sha, write_model

NEW_WEIGHTS = b"weights-v2\n" * 100
CONFIG = """components:
  - {name: churn, path: models/churn, type: model}
  - {name: api, path: services/api}
"""


def commit_all(repo: Repo, message: str) -> None:
    repo.tick += 1
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", message)


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["models", *args])
    return code, out.getvalue(), err.getvalue()


def two_versions(tmp_path) -> tuple[Repo, str, str]:
    repo = Repo(tmp_path / "repo")
    (repo.path / ".github").mkdir()
    (repo.path / ".github/releaser.yml").write_text(CONFIG)
    (repo.path / "services/api").mkdir(parents=True)
    (repo.path / "services/api/app.py").write_text("1\n")
    write_model(repo.path / "models/churn", manifest())
    commit_all(repo, "feat: churn")
    first = repo.head()
    repo.tag("churn@v1.0.0")
    repo.tag("api-v1.0.0")
    second = copy.deepcopy(manifest())
    second["training"]["data"] = [{"name": "customers", "version": "2024-07"}]
    second["metrics"] = [{"name": "auc", "value": 0.93, "dataset": "holdout"}]
    write_model(repo.path / "models/churn", second, {"model.safetensors": NEW_WEIGHTS})
    commit_all(repo, "chore(churn): retrain")
    # An annotated tag, as GTO writes them: its date is the tag's own.
    repo.tick += 5
    repo.git("tag", "-a", "churn@v1.0.1", "-m", "churn 1.0.1")
    return repo, first, repo.head()


def test_json_lists_every_version_newest_first(tmp_path):
    repo, first, second = two_versions(tmp_path)
    code, out, err = run("--repo", str(repo.path), "--json")
    assert code == 0, err
    (churn,) = json.loads(out)["models"]  # the code component is not a model
    assert (churn["component"], churn["path"]) == ("churn", "models/churn")
    newer, older = churn["versions"]
    assert (newer["version"], newer["tag"], newer["commit"]) == ("1.0.1", "churn@v1.0.1", second)
    assert (older["version"], older["tag"], older["commit"]) == ("1.0.0", "churn@v1.0.0", first)
    assert newer["manifest_sha256"] == manifest_digest([("model.safetensors", sha(NEW_WEIGHTS))])
    assert older["manifest_sha256"] == manifest_digest([("model.safetensors", sha(WEIGHTS))])
    assert newer["data"] == [{"name": "customers", "version": "2024-07"}]
    assert older["data"] == [{"name": "customers", "version": "2024-06"}]
    assert [(m["name"], m["value"], m["assurance"]) for m in newer["metrics"]] == [
        ("auc", 0.93, "declared")
    ]
    # The lightweight tag carries its commit's date; the annotated one its own, later.
    assert older["date"].startswith("2023-11-14T22:") and newer["date"] > older["date"]


def test_text_is_one_table_per_model(tmp_path):
    repo, first, _second = two_versions(tmp_path)
    code, out, _err = run("--repo", str(repo.path))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "churn (models/churn): 2 version(s)"
    assert lines[1].split() == ["version", "tag", "date", "commit", "manifest", "data", "metrics"]
    assert lines[3].split()[:2] == ["1.0.0", "churn@v1.0.0"]
    assert first[:12] in lines[3] and "customers@2024-06" in lines[3]
    assert "auc=0.91 (holdout)" in lines[3]


def test_a_broken_manifest_at_one_tag_does_not_hide_the_others(tmp_path):
    repo, _first, _second = two_versions(tmp_path)
    (repo.path / "models/churn/model.yaml").write_text("schema: releaser/model/v1\nname: [\n")
    commit_all(repo, "chore: oops")
    repo.tag("churn@v1.0.2")
    code, out, _err = run("--repo", str(repo.path), "--json")
    assert code == 0
    broken, *rest = json.loads(out)["models"][0]["versions"]
    assert (
        broken["version"] == "1.0.2" and "models/churn/model.yaml@churn@v1.0.2" in broken["error"]
    )
    assert [v["version"] for v in rest] == ["1.0.1", "1.0.0"]


def test_no_model_component_says_so(tmp_path):
    repo = Repo(tmp_path / "repo")
    repo.commit("feat: x")
    code, out, _err = run("--repo", str(repo.path))
    assert code == 0 and out.startswith("no model components")
