"""The Action plans a model component with the same engine as `releaser plan`: its release PR
proposes the manifest-bumped version under its GTO tag, and the merge publishes that tag."""

from __future__ import annotations

import copy
import hashlib

import pytest
import yaml

from releaser.domain.release_pr import parse_body
from tests.action_util import ActionRunner
from tests.modelutil import WEIGHTS, manifest

NEW_WEIGHTS = b"weights-v2\n" * 100
CONFIG = """components:
  - {name: churn, path: models/churn, type: model}
  - {name: api, path: services/api}
"""


@pytest.fixture
def action(fakegithub, tmp_path):
    return ActionRunner(fakegithub, tmp_path)


def model_files(data: dict, weights: bytes) -> dict:
    return {
        "models/churn/model.yaml": yaml.safe_dump(data, sort_keys=False),
        "models/churn/model.safetensors": weights,
    }


def test_a_retrained_model_gets_its_patch_release_pr_and_gto_tag(fakegithub, action):
    fake = fakegithub
    fake.commit(
        "main",
        "chore: init",
        {
            ".github/releaser.yml": CONFIG,
            "services/api/app.py": "1\n",
            **model_files(manifest(), WEIGHTS),
        },
    )
    fake.tag("churn@v1.0.0")
    fake.tag("api-v1.0.0")
    retrained = copy.deepcopy(manifest())
    retrained["training"]["data"] = [{"name": "customers", "version": "2024-07"}]
    # A chore: the commit alone asks for no release; the manifest asks for a patch.
    fake.commit("main", "chore(churn): retrain on July data", model_files(retrained, NEW_WEIGHTS))

    first = action.run("push")
    assert first.code == 0, first.stdout + first.stderr
    (pr,) = [p for p in fake.pulls.values() if p.state == "open"]
    marker = parse_body(pr.body)
    (release,) = marker.releases
    assert (release.component, release.version, release.tag) == ("churn", "1.0.1", "churn@v1.0.1")
    assert release.previous_tag == "churn@v1.0.0"
    files = fake.git.text("show", "--name-only", "--format=", f"refs/heads/{pr.head}").split()
    assert files == ["models/churn/CHANGELOG.md"]

    merge_sha = fake.merge_pull(pr.number)
    published = action.run("pull_request.closed", event=action.merged_event(pr.number))
    assert published.code == 0, published.stdout + published.stderr
    assert fake.tags()["churn@v1.0.1"] == merge_sha
    assert published.outputs["models/churn--version"] == "1.0.1"


def test_an_unchanged_model_opens_no_release_pr(fakegithub, action):
    fake = fakegithub
    fake.commit(
        "main",
        "chore: init",
        {
            ".github/releaser.yml": CONFIG,
            "services/api/app.py": "1\n",
            **model_files(manifest(), WEIGHTS),
        },
    )
    fake.tag("churn@v1.0.0")
    fake.tag("api-v1.0.0")
    fake.commit("main", "chore(churn): notes", {"models/churn/NOTES.md": "nothing\n"})
    result = action.run("push")
    assert result.code == 0, result.stdout + result.stderr
    assert [p for p in fake.pulls.values() if p.state == "open"] == []


def test_without_a_full_clone_a_model_component_is_refused_before_any_write(fakegithub, action):
    fake = fakegithub
    fake.commit(
        "main",
        "chore: init",
        {".github/releaser.yml": CONFIG, **model_files(manifest(), WEIGHTS)},
    )
    fake.commit("main", "feat(churn): first model", {"models/churn/train.py": "fit()\n"})
    fake.reset_requests()
    result = action.run("push", depth=1)
    assert result.code == 2, result.stdout + result.stderr
    assert "component 'churn' is of type: model, which is planned from a full clone" in (
        result.stdout
    )
    assert [c for c in fake.reset_requests() if c.method != "GET"] == []


def _release(fake, tag: str):
    (found,) = [r for r in fake.state.releases.values() if r.tag_name == tag]
    return found


def test_the_model_release_goes_end_to_end_through_the_action(fakegithub, action):
    """Release PR with both tables and a passing releaser/model-gates check run; the merge
    publishes an annotated GTO tag, the model's assets and an evidence model section whose
    changes are the plan's."""
    import json

    from releaser.domain.model_tables import CHECK_NAME

    fake = fakegithub
    gated = manifest(gates=[{"metric": "auc", "min": 0.85}])
    fake.commit(
        "main", "chore: init", {".github/releaser.yml": CONFIG, **model_files(gated, WEIGHTS)}
    )
    fake.tag("churn@v1.0.0")
    retrained = copy.deepcopy(gated)
    retrained["training"]["data"] = [{"name": "customers", "version": "2024-07"}]
    fake.commit("main", "feat(churn): retrain on July data", model_files(retrained, NEW_WEIGHTS))

    assert action.run("push").code == 0
    (pr,) = [p for p in fake.pulls.values() if p.state == "open"]
    assert "retrained" in pr.body and "auc" in pr.body  # the change and gate tables
    head = fake.ref_sha(f"refs/heads/{pr.head}")
    runs = [c for c in fake.state.check_runs if c.head_sha == head and c.name == CHECK_NAME]
    assert [r.conclusion for r in runs] == ["success"]

    merge_sha = fake.merge_pull(pr.number)
    published = action.run("pull_request.closed", event=action.merged_event(pr.number))
    assert published.code == 0, published.stdout + published.stderr
    assert fake.git.text("cat-file", "-t", "refs/tags/churn@v1.1.0").strip() == "tag"
    assert fake.tags()["churn@v1.1.0"] == merge_sha
    release = _release(fake, "churn@v1.1.0")
    names = {a.name for a in release.assets}
    assert {"model-manifest.json", "churn-1.1.0.model.intoto.json", "SHA256SUMS"} <= names
    evidence = next(a for a in release.assets if a.name == "release-evidence.json")
    model = json.loads(evidence.data)["model"]
    assert "retrained" in json.dumps(model)  # the plan's changes, recomputed at the merge


def test_a_failing_gate_fails_the_check_run_and_then_blocks_the_publish(fakegithub, action):
    from releaser.domain.model_tables import CHECK_NAME

    fake = fakegithub
    gated = manifest(gates=[{"metric": "auc", "min": 0.95}])  # auc is 0.91
    fake.commit(
        "main", "chore: init", {".github/releaser.yml": CONFIG, **model_files(gated, WEIGHTS)}
    )
    fake.tag("churn@v1.0.0")
    retrained = copy.deepcopy(gated)
    retrained["training"]["data"] = [{"name": "customers", "version": "2024-07"}]
    fake.commit("main", "fix(churn): retrain", model_files(retrained, NEW_WEIGHTS))

    opened = action.run("push")
    assert opened.code == 0, opened.stdout + opened.stderr  # reported; the check run enforces
    (pr,) = [p for p in fake.pulls.values() if p.state == "open"]
    head = fake.ref_sha(f"refs/heads/{pr.head}")
    runs = [c for c in fake.state.check_runs if c.head_sha == head and c.name == CHECK_NAME]
    assert [r.conclusion for r in runs] == ["failure"]
    assert "::warning" in opened.stdout and "model gates failed" in opened.stdout

    fake.merge_pull(pr.number)  # merged anyway (the check was not required)
    fake.reset_requests()
    refused = action.run("pull_request.closed", event=action.merged_event(pr.number))
    assert refused.code != 0
    assert "churn@v1.0.1" not in fake.tags()
    assert [c for c in fake.reset_requests() if c.method != "GET"] == []


def test_weights_changed_after_the_release_pr_was_planned_block_the_publish(fakegithub, action):
    """The release PR's marker records the manifest digest its tables showed; weights pushed
    to its branch afterwards (and merged before releaser updated the PR) are refused at
    publish, naming both digests, with nothing written."""
    fake = fakegithub
    fake.commit(
        "main", "chore: init", {".github/releaser.yml": CONFIG, **model_files(manifest(), WEIGHTS)}
    )
    fake.tag("churn@v1.0.0")
    retrained = copy.deepcopy(manifest())
    retrained["training"]["data"] = [{"name": "customers", "version": "2024-07"}]
    fake.commit("main", "fix(churn): retrain", model_files(retrained, NEW_WEIGHTS))
    assert action.run("push").code == 0
    (pr,) = [p for p in fake.pulls.values() if p.state == "open"]
    (planned,) = parse_body(pr.body).releases
    assert len(planned.manifest_sha256) == 64 and planned.manifest_sha256 in pr.body

    swapped = b"other-weights\n" * 100
    other = copy.deepcopy(retrained)
    other["artifact"]["files"][0]["sha256"] = hashlib.sha256(swapped).hexdigest()
    other["artifact"]["files"][0]["size"] = len(swapped)
    fake.commit(pr.head, "chore: swap the weights", model_files(other, swapped))
    fake.merge_pull(pr.number)
    fake.reset_requests()
    refused = action.run("pull_request.closed", event=action.merged_event(pr.number))
    assert refused.code != 0
    assert f"manifest_sha256 {planned.manifest_sha256}" in refused.stdout + refused.stderr
    assert "churn@v1.0.1" not in fake.tags()
    assert [c for c in fake.reset_requests() if c.method != "GET"] == []
