"""Write model components (model.yaml and the files it names) into real directories."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import yaml

WEIGHTS = b"weights-v1\n" * 100


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest(**overrides) -> dict:
    data = {
        "schema": "releaser/model/v1",
        "name": "churn",
        "artifact": {"format": "safetensors", "files": [{"path": "model.safetensors"}]},
        "interface": {
            "version": 1,
            "inputs": [{"name": "tenure", "type": "long"}, {"name": "spend", "type": "double"}],
            "outputs": [{"name": "churn", "type": "float32"}],
            "params": [{"name": "threshold", "type": "double", "default": 0.5}],
        },
        "architecture": {"family": "gbdt", "name": "xgboost"},
        "training": {
            "data": [{"name": "customers", "version": "2024-06"}],
            "hyperparameters": {"depth": 6, "eta": 0.1},
        },
        "metrics": [{"name": "auc", "value": 0.91, "dataset": "holdout"}],
    }
    data.update(overrides)
    return data


def write_model(root: Path, data: dict | None = None, files: dict | None = None) -> Path:
    """model.yaml from `data` plus `files` (relative path -> bytes) under `root`."""
    root.mkdir(parents=True, exist_ok=True)
    for rel, content in ({"model.safetensors": WEIGHTS} if files is None else files).items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    text = yaml.safe_dump(manifest() if data is None else data, sort_keys=False)
    (root / "model.yaml").write_text(text)
    return root


def write_json(path: Path, value) -> bytes:
    data = json.dumps(value).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return data
