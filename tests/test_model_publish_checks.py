"""Before a model release is tagged: its gates pass at the merge commit (with the release
commit's check runs), and its version is not already recorded with other bytes."""

from __future__ import annotations

import hashlib

import pytest

from releaser.errors import StateConflict
from releaser.evidence.assets import Asset
from releaser.git import GitRepo
from releaser.github import GitHub
from releaser.models.publish_checks import GateFailure, check_model_release
from releaser.models.release import ModelRelease, manifest_bytes, tag_message
from releaser.models.sources import GitFiles, WorkspaceFiles
from tests.gitutil import Repo
from tests.model_release_util import FILES, load_model, model_data

TAG = "churn@v1.4.0"


def _client(fake) -> GitHub:
    return GitHub(fake.token, fake.api_url, fake.full_name, write_interval=0)


def _writes(fake) -> list:
    return [c for c in fake.requests if c[0] in ("POST", "PATCH", "PUT", "DELETE")]


def _check(fake, root, **kw):
    sha = kw.pop("sha", None) or fake.commit("main", "feat: churn", {"m.txt": "m\n"})
    fake.reset_requests()
    return check_model_release(
        _client(fake), tag=TAG, version="1.4.0", sha=sha, files=WorkspaceFiles(root, "."), **kw
    )


def test_passing_gates_give_the_release_with_its_gate_results(fakegithub, tmp_path):
    model = load_model(tmp_path / "m")
    release = _check(fakegithub, tmp_path / "m", model_bump="minor")
    assert release.manifest_sha256 == model.digests.manifest_sha256
    assert [(g.gate, g.passed) for g in release.gates] == [
        ("auc >= 0.85", True),
        ("latency_ms <= 100", True),
    ]
    assert release.model_bump == "minor" and release.baseline is None
    assert not _writes(fakegithub)


def test_a_failing_gate_refuses_the_release_with_zero_writes(fakegithub, tmp_path):
    data = model_data(gates=[{"metric": "auc", "min": 0.95}, {"metric": "bias_score", "max": 0.1}])
    load_model(tmp_path / "m", data)
    with pytest.raises(GateFailure) as caught:
        _check(fakegithub, tmp_path / "m")
    message = caught.value.message
    assert message.startswith(f"model churn: {TAG} is not released: its gates failed at ")
    assert "auc >= 0.95 (value 0.91)" in message and "bias_score <= 0.1 (no value)" in message
    assert caught.value.exit_code == 1 and "nothing was tagged" in caught.value.hint
    assert not _writes(fakegithub)


@pytest.mark.parametrize(
    ("conclusion", "ok"),
    [("success", True), ("failure", False), ("neutral", False), (None, False)],
)
def test_a_check_gate_reads_the_release_commits_check_runs(fakegithub, tmp_path, conclusion, ok):
    load_model(tmp_path / "m", model_data(gates=[{"check": "model-eval"}]))
    sha = fakegithub.commit("main", "feat: churn", {"m.txt": "m\n"})
    if conclusion is not None:
        fakegithub.add_check_run(sha, "model-eval", conclusion=conclusion)
    fakegithub.add_check_run(sha, "lint", conclusion="success")
    if ok:
        release = _check(fakegithub, tmp_path / "m", sha=sha)
        assert release.gates[0].assurance == "ci" and release.gates[0].value == "success"
    else:
        with pytest.raises(GateFailure, match="check model-eval"):
            _check(fakegithub, tmp_path / "m", sha=sha)
    assert not _writes(fakegithub)


def test_a_baseline_gate_reads_the_previous_tags_model_yaml(fakegithub, tmp_path):
    repo = Repo(tmp_path / "repo")
    old = model_data()
    old["metrics"][0]["value"] = 0.95
    for item in old["artifact"]["files"]:  # read from git, the files are not hashed
        item["sha256"] = hashlib.sha256(FILES[item["path"]]).hexdigest()
    load_model(repo.path / "models/churn", old)
    repo.git("add", "-A")
    repo.git("commit", "-qm", "feat: churn")
    repo.tag("churn@v1.3.0")
    data = model_data(gates=[{"metric": "auc", "baseline": "previous", "min-delta": -0.002}])
    load_model(repo.path / "models/churn", data)
    git = GitRepo(repo.path)
    try:
        baseline = GitFiles(git, "churn@v1.3.0", "models/churn")
        kw = {"baseline_files": baseline, "baseline_tag": "churn@v1.3.0"}
        with pytest.raises(GateFailure, match=r"\(value 0.91, previous 0.95\)"):
            _check(fakegithub, repo.path / "models/churn", **kw)
        data["gates"][0]["min-delta"] = -0.05
        load_model(repo.path / "models/churn", data)
        release = _check(fakegithub, repo.path / "models/churn", **kw)
    finally:
        git.close()
    assert release.baseline is not None and release.baseline.tag == "churn@v1.3.0"
    assert release.baseline.manifest_sha256 == release.manifest_sha256  # same files
    assert release.gates[0].baseline == 0.95
    assert not _writes(fakegithub)


def _released(fake, root, *, annotated: bool, asset: bool) -> tuple[str, str]:
    """`churn@v1.4.0` already released from the model at `root` (then changed by the caller):
    (commit, the released manifest digest)."""
    model = load_model(root)
    release = ModelRelease(TAG, "1.4.0", model)
    sha = fake.commit("main", "feat: churn", {"m.txt": "m\n"})
    gh = _client(fake)
    if annotated:
        gh.create_annotated_tag(TAG, sha, tag_message(release))
    else:
        gh.create_ref(f"tags/{TAG}", sha)
    if asset:
        draft = gh.create_draft_release(TAG, sha, TAG, "notes", prerelease=False)
        data = manifest_bytes(release, sha)
        digest = hashlib.sha256(data).hexdigest()
        gh.upload_asset(draft, Asset("model-manifest.json", digest, "application/json", data))
    return sha, model.digests.manifest_sha256


@pytest.mark.parametrize(
    ("annotated", "asset", "where"),
    [
        (True, False, f"the annotated tag {TAG}"),
        (False, True, f"model-manifest.json of release {TAG}"),
        (True, True, f"the annotated tag {TAG}"),
    ],
)
def test_a_released_version_with_other_bytes_is_refused_naming_both_digests(
    fakegithub, tmp_path, annotated, asset, where
):
    sha, old = _released(fakegithub, tmp_path / "m", annotated=annotated, asset=asset)
    files = {"model.safetensors": b"new weights\n", "tokenizer/vocab.txt": b"a\nb\n"}
    new = load_model(tmp_path / "m", files=files).digests.manifest_sha256
    with pytest.raises(StateConflict) as caught:
        _check(fakegithub, tmp_path / "m", sha=sha)
    message = caught.value.message
    assert message.startswith(f"{TAG} is already released with manifest_sha256 {old} ({where})")
    assert f"the model now hashes to {new}" in message
    assert not _writes(fakegithub)


def test_a_rerun_with_the_same_bytes_passes(fakegithub, tmp_path):
    sha, old = _released(fakegithub, tmp_path / "m", annotated=True, asset=True)
    release = _check(fakegithub, tmp_path / "m", sha=sha)
    assert release.manifest_sha256 == old
    assert not _writes(fakegithub)


def test_a_lightweight_tag_records_no_digest(fakegithub, tmp_path):
    sha, _ = _released(fakegithub, tmp_path / "m", annotated=False, asset=False)
    load_model(tmp_path / "m", files={"model.safetensors": b"x", "tokenizer/vocab.txt": b"y"})
    _check(fakegithub, tmp_path / "m", sha=sha)  # nothing recorded to compare with


def test_a_released_manifest_that_is_not_json_is_refused(fakegithub, tmp_path):
    load_model(tmp_path / "m")
    sha = fakegithub.commit("main", "feat: churn", {"m.txt": "m\n"})
    gh = _client(fakegithub)
    gh.create_ref(f"tags/{TAG}", sha)
    draft = gh.create_draft_release(TAG, sha, TAG, "notes", prerelease=False)
    data = b"{not json"
    gh.upload_asset(
        draft,
        Asset("model-manifest.json", hashlib.sha256(data).hexdigest(), "application/json", data),
    )
    with pytest.raises(StateConflict, match="is not JSON"):
        _check(fakegithub, tmp_path / "m", sha=sha)


def test_weights_changed_after_the_release_pr_are_refused(fakegithub, tmp_path):
    planned = load_model(tmp_path / "m").digests.manifest_sha256
    files = {"model.safetensors": b"swapped\n", "tokenizer/vocab.txt": b"a\nb\n"}
    merged = load_model(tmp_path / "m", files=files).digests.manifest_sha256
    with pytest.raises(StateConflict) as caught:
        _check(fakegithub, tmp_path / "m", planned_sha256=planned)
    assert f"planned {TAG} with manifest_sha256 {planned}" in caught.value.message
    assert caught.value.message.endswith(f"has {merged}")
    assert not _writes(fakegithub)
    assert _check(fakegithub, tmp_path / "m", planned_sha256=merged).manifest_sha256 == merged
