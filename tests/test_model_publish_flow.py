"""A merged model release against the fake GitHub: the publish path's model step, then
plan_publish + apply: an annotated GTO tag, the model's assets, an SBOM valid against
CycloneDX 1.6, and evidence `releaser verify` accepts; a failing gate writes nothing.

The component is a stand-in carrying the config's model settings; the Action-level run is in
tests/test_action_model_plan.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from releaser.apply import apply
from releaser.config import Labels, ModelSettings
from releaser.domain.release_pr import Marker, PlannedRelease
from releaser.evidence.collect import EvidenceSettings, evidence_assets
from releaser.evidence.sbom import generate_sbom
from releaser.evidence.verify import verify
from releaser.git import GitRepo
from releaser.github import GitHub
from releaser.local_history import LocalHistory
from releaser.models.publish_checks import GateFailure
from releaser.models.publish_flow import model_releases, tag_messages
from releaser.publish import Snapshot, plan_publish
from tests.model_release_util import DVC, FILES, model_data
from tests.test_evidence_support import RUN
from tests.test_model_publish_evidence import _cyclonedx_validator

TAG = "churn@v1.3.0"


@dataclass(frozen=True)
class _Policy:
    name: str
    path: str


@dataclass(frozen=True)
class _Component:
    policy: _Policy
    model: ModelSettings = ModelSettings()  # what `type: model` gives a component


@dataclass(frozen=True)
class _Config:
    components: tuple


CONFIG = _Config((_Component(_Policy("churn", "models/churn")),))


def _merged(fake, data: dict) -> tuple[str, int]:
    files: dict = {f"models/churn/{p}": b for p, b in FILES.items()}
    files["models/churn/events.dvc"] = DVC
    files["models/churn/model.yaml"] = yaml.safe_dump(data, sort_keys=False)
    fake.commit("main", "chore: start", {"README.md": "hi\n"})
    fake.branch("feature")
    fake.commit("feature", "feat(churn): first model", files)
    pr = fake.create_pull("feature", title="feat(churn): first model")
    return fake.merge_pull(pr.number), pr.number


def _workspace(fake, tmp_path: Path) -> tuple[Path, LocalHistory]:
    ws = tmp_path / "ws"
    subprocess.run(["git", "clone", "-q", str(fake.bare_path), str(ws)], check=True)
    return ws, LocalHistory(GitRepo(ws))


def _marker(sha: str) -> Marker:
    planned = PlannedRelease("churn", "models/churn", "1.3.0", TAG, None, "## Notes\n\n- model\n")
    return Marker("main", sha, "digest", (planned,))


def _writes(fake) -> list:
    return [c for c in fake.requests if c[0] in ("POST", "PATCH", "PUT", "DELETE")]


@pytest.mark.parametrize("supplied", [False, True], ids=["generated-sbom", "supplied-sbom-too"])
def test_a_merged_model_release_publishes_a_gto_tag_and_verifiable_assets(
    fakegithub, tmp_path, supplied
):
    sha, number = _merged(fakegithub, model_data())
    ws, clone = _workspace(fakegithub, tmp_path)
    gh = GitHub(fakegithub.token, fakegithub.api_url, fakegithub.full_name, write_interval=0)
    marker = _marker(sha)
    models = model_releases(gh, CONFIG, marker, sha, ws, clone)
    if supplied:  # the project's own SBOM: the model card comes in releaser's, beside it
        (ws / "dist").mkdir()
        (ws / "dist" / "app.cdx.json").write_bytes(
            generate_sbom("app", "1.0.0", "https://github.com/acme/widgets", sha, (), RUN.time)
        )
    settings = EvidenceSettings(
        workspace=ws,
        server_url="https://github.com",
        repository=fakegithub.full_name,
        target="main",
        run=RUN,
        sboms=("dist/*.cdx.json",) if supplied else (),
    )

    def assets(planned, merge, release):
        model = models[merge, planned.tag]
        return evidence_assets(gh, settings, planned, merge, release, model=model)

    snap = Snapshot(gh, gh.releases, lambda tag, sha: gh.ref_sha(f"tags/{tag}"))

    def recipe(planned, merge):
        return lambda release: assets(planned, merge, release)

    steps = plan_publish(snap, gh.pull(number), marker, recipe, Labels(), tag_messages(models))
    done = apply(steps, gh).published
    assert [p.tag for p in done] == [TAG]
    bare = fakegithub.bare_path
    kind = subprocess.run(
        ["git", "-C", str(bare), "cat-file", "-t", f"refs/tags/{TAG}"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert kind.stdout.strip() == "tag"
    release = fakegithub.release_by_tag(TAG)
    assert release is not None and not release.draft
    out = tmp_path / "assets"
    out.mkdir()
    for asset in release.assets:
        (out / asset.name).write_bytes(asset.data)
    names = {a.name for a in release.assets}
    assert {"model-manifest.json", "churn-1.3.0.model.intoto.json", "churn-1.3.0.cdx.json"} <= names
    assert ("app.cdx.json" in names) == supplied
    report = verify([out])
    assert report.splitlines()[1].startswith("model churn: model-manifest.json, ")
    sbom = json.loads((out / "churn-1.3.0.cdx.json").read_bytes())
    assert not list(_cyclonedx_validator().iter_errors(sbom))
    assert any(c["type"] == "machine-learning-model" for c in sbom["components"])
    manifest = json.loads((out / "model-manifest.json").read_bytes())
    assert manifest["code_commit"] == sha
    message = gh.tag_message(TAG)
    assert message is not None
    assert f"manifest_sha256: {manifest['digests']['manifest_sha256']}" in message
    gto = str(Path(sys.executable).parent / "gto")
    clone_dir = tmp_path / "registry"
    subprocess.run(["git", "clone", "-q", str(bare), str(clone_dir)], check=True)
    shown = subprocess.run(
        [gto, "show", "--json", "--repo", str(clone_dir)],
        check=True,
        capture_output=True,
        text=True,
    )
    assert json.loads(shown.stdout)["churn"]["version"] == "v1.3.0"


def test_a_failing_gate_at_the_merge_commit_writes_nothing(fakegithub, tmp_path):
    sha, _ = _merged(fakegithub, model_data(gates=[{"metric": "auc", "min": 0.99}]))
    ws, clone = _workspace(fakegithub, tmp_path)
    gh = GitHub(fakegithub.token, fakegithub.api_url, fakegithub.full_name, write_interval=0)
    fakegithub.reset_requests()
    with pytest.raises(GateFailure, match="auc >= 0.99"):
        model_releases(gh, CONFIG, _marker(sha), sha, ws, clone)
    assert not _writes(fakegithub)
    assert TAG not in fakegithub.tags()
