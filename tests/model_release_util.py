"""A model release built from a real model directory: the manifest, its gates, and every
release asset (the fixture release of test_evidence_support, plus the model's)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from releaser.domain.bump import Bump
from releaser.domain.evidence_intoto import with_footer
from releaser.domain.model_bump import Change
from releaser.domain.model_evidence import ModelBaseline
from releaser.domain.model_gates import evaluate
from releaser.evidence.assets import build_assets, footer_for, generated_sbom
from releaser.models import manifest as loader
from releaser.models.release import ModelRelease, model_evidence
from releaser.models.sources import WorkspaceFiles
from tests.modelutil import manifest, write_model
from tests.test_evidence_support import ARTIFACT_BYTES, NOTES, facts

FILES = {"model.safetensors": b"weights-v2\n" * 50, "tokenizer/vocab.txt": b"a\nb\n"}
DVC = b"outs:\n- md5: a304afb96060aad90176268345e10355\n  size: 12\n  hash: md5\n  path: c.csv\n"
CUSTOMERS = "5" * 64


def model_data(**overrides) -> dict:
    data = manifest(
        artifact={"format": "safetensors", "files": [{"path": p} for p in FILES]},
        training={
            "data": [
                {"name": "customers", "version": "2024-06", "sha256": CUSTOMERS, "uri": "s3://d/c"},
                {"name": "events", "version": "7", "from-dvc": "events.dvc"},
            ],
            "hyperparameters": {"depth": 6, "eta": 0.1},
            "environment": {"python": "3.11", "frameworks": {"xgboost": "2.0.3"}},
            "run": {"system": "mlflow", "id": "r-42", "url": "https://mlflow.example/r/42"},
        },
        metrics=[
            {"name": "auc", "value": 0.91, "dataset": "holdout", "ci": [0.9, 0.92]},
            {"name": "auc", "value": 0.88, "dataset": "holdout", "slice": "tenure<12"},
            {"name": "latency_ms", "value": 40, "dataset": "bench", "higher-is-better": False},
        ],
        gates=[{"metric": "auc", "min": 0.85}, {"metric": "latency_ms", "max": 100}],
        card={
            "intended-use": "Rank accounts by churn risk for retention offers",
            "limitations": "Trained on EU customers only",
            "ethical-considerations": "May under-serve new customers",
            "license": "Apache-2.0",
        },
    )
    data.update(overrides)
    return data


def load_model(root: Path, data: dict | None = None, files: dict | None = None):
    contents = dict(FILES if files is None else files)
    contents["events.dvc"] = DVC
    write_model(root, model_data() if data is None else data, contents)
    return loader.load(WorkspaceFiles(root, "."))


def model_release(root: Path, version: str = "1.4.0", **kw) -> ModelRelease:
    model = load_model(root, **kw)
    change = Change("metric-improved", "metrics.auc", 0.89, 0.91, Bump.MINOR)
    return ModelRelease(
        tag=f"churn@v{version}",
        version=version,
        manifest=model,
        baseline=ModelBaseline("churn@v1.3.0", "ab" * 32),
        changes=(change,),
        model_bump="minor",
        gates=evaluate(model),
    )


def write_model_release(directory: Path, release: ModelRelease):
    """Every asset of the fixture release made a model release, written to `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, data in ARTIFACT_BYTES.items():
        (directory / name).write_bytes(data)
    base = replace(facts(), component="churn", version=release.version, tag=release.tag)
    section, model_files = model_evidence(release, base.sha)
    sbom, sbom_bytes = generated_sbom(
        base.name,
        base.version,
        base.repository_url,
        base.sha,
        base.artifacts,
        base.run.time,
        release.manifest,
    )
    full = replace(base, sboms=(sbom,), model=section)
    files = {name: directory / name for name in ARTIFACT_BYTES}
    assets = build_assets(full, files, {sbom.name: sbom_bytes, **model_files})
    for asset in assets:
        (directory / asset.name).write_bytes(asset.read())
    (directory / "notes.md").write_text(with_footer(NOTES, footer_for(full, assets)))
    return full, list(assets)
