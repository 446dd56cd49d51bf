"""model.yaml: schema errors as file:line: path: problem, completeness, resolved sources."""

from __future__ import annotations

import pytest

from releaser.errors import ConfigError
from releaser.models import manifest as loader
from releaser.models.sources import WorkspaceFiles
from releaser.paths import PathRefused
from tests.modelutil import WEIGHTS, manifest, sha, write_json, write_model

MLMODEL = """artifact_path: model
flavors:
  python_function: {loader_module: mlflow.sklearn}
signature:
  inputs: '[{"type": "long", "name": "tenure", "required": true}, {"type": "double",
    "name": "spend", "required": false}]'
  outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 1]}}]'
  params: '[{"name": "threshold", "type": "double", "default": 0.5, "shape": null}]'
"""


def load(tmp_path, data=None, files=None):
    write_model(tmp_path / "models" / "churn", data, files)
    return loader.load(WorkspaceFiles(tmp_path, "models/churn"))


def error_of(tmp_path, data=None, files=None) -> str:
    with pytest.raises((ConfigError, PathRefused)) as info:
        load(tmp_path, data, files)
    assert info.value.exit_code == 2
    return info.value.one_line()


def test_a_complete_manifest_gets_every_digest_computed(tmp_path):
    model = load(tmp_path)
    (weights,) = model.files
    assert (weights.path, weights.sha256, weights.size) == ("model.safetensors", sha(WEIGHTS), 1100)
    assert weights.computed
    assert model.digests.manifest_sha256 == sha(bytes.fromhex(sha(WEIGHTS)))
    assert model.digests.hyperparameters_sha256 == sha(b'{"depth":6,"eta":0.1}')
    assert model.interface.params[0].default == 0.5
    assert model.flags == ()


@pytest.mark.parametrize(
    "change, expected",
    [
        pytest.param(
            {"schema": "other"},
            "model.yaml:1: schema: 'releaser/model/v1' was expected",
            id="schema-id",
        ),
        pytest.param({"colour": 1}, "model.yaml:", id="unknown-key"),
        pytest.param({"metrics": []}, "metrics: no metric", id="no-metric"),
        pytest.param(
            {"training": {"data": [{"name": "customers"}]}},
            "training.data[0]: 'version' is a required property",
            id="no-data-version",
        ),
        pytest.param(
            {"training": {"data": []}}, "training.data: [] should be non-empty", id="no-data"
        ),
    ],
)
def test_schema_and_completeness_errors_name_file_line_and_path(tmp_path, change, expected):
    message = error_of(tmp_path, manifest(**change))
    assert message.startswith("models/churn/model.yaml:")
    assert expected in message


def test_unknown_key_names_its_line(tmp_path):
    data = manifest()
    data["architecture"]["depth"] = 3
    message = error_of(tmp_path, data)
    assert message == "models/churn/model.yaml:24: architecture: unknown key 'depth'"


def test_bad_input_manifest_sha256_does_not_match_its_file(tmp_path):
    data = manifest()
    data["artifact"]["files"][0]["sha256"] = "0" * 64
    assert "models/churn/model.safetensors: sha256 " + sha(WEIGHTS) in error_of(tmp_path, data)


def test_bad_input_listed_file_missing_without_uri(tmp_path):
    message = error_of(tmp_path, files={})
    assert message == (
        "models/churn/model.safetensors: listed in models/churn/model.yaml but missing, "
        "and it has no uri"
    )


def test_bad_input_unknown_interface_type(tmp_path):
    data = manifest()
    data["interface"]["inputs"][1]["type"] = "decimal"
    assert 'interface.inputs[1].type: unknown interface type "decimal"' in error_of(tmp_path, data)


def test_bad_input_file_given_by_uri_only_is_not_downloaded(tmp_path):
    # 5 GB declared, nothing on disk: recorded as declared, never fetched.
    data = manifest()
    declared = "ab" * 32
    data["artifact"]["files"] = [
        {"path": "big.bin", "sha256": declared, "size": 5 * 1024**3, "uri": "s3://b/big.bin"}
    ]
    model = load(tmp_path, data, files={})
    (big,) = model.files
    assert (big.sha256, big.size, big.computed) == (declared, 5 * 1024**3, False)
    assert model.digests.manifest_sha256 == sha(bytes.fromhex(declared))


def test_uri_only_file_without_a_declared_digest_is_refused(tmp_path):
    data = manifest()
    data["artifact"]["files"] = [{"path": "big.bin", "uri": "s3://b/big.bin"}]
    assert "must give its sha256" in error_of(tmp_path, data, files={})


def test_a_size_that_disagrees_is_refused(tmp_path):
    data = manifest()
    data["artifact"]["files"][0]["size"] = 1
    assert "1100 bytes, models/churn/model.yaml says 1" in error_of(tmp_path, data)


def test_bad_input_metrics_file_that_is_not_json(tmp_path):
    text = b"auc: 0.9\n"
    data = manifest(**{"metrics-file": {"path": "metrics.json", "sha256": sha(text)}})
    del data["metrics"]
    message = error_of(tmp_path, data, {"model.safetensors": WEIGHTS, "metrics.json": text})
    assert message.startswith("models/churn/metrics.json:1 is not valid JSON")


def test_metrics_file_is_pinned_and_read_as_ci(tmp_path):
    root = tmp_path / "models" / "churn"
    text = write_json(root / "eval" / "metrics.json", {"metrics": [{"name": "auc", "value": 0.93}]})
    data = manifest(**{"metrics-file": {"path": "eval/metrics.json", "sha256": sha(text)}})
    model = load(tmp_path, data)
    assert [(m.name, m.value, m.assurance) for m in model.metrics] == [
        ("auc", 0.91, "declared"),
        ("auc", 0.93, "ci"),
    ]
    assert model.digests.metrics_file_sha256 == sha(text)
    data["metrics-file"]["sha256"] = "1" * 64
    assert "does not match the metrics-file sha256" in error_of(tmp_path, data)


def test_from_mlflow_reads_the_signature(tmp_path):
    data = manifest(interface={"version": 2, "from-mlflow": "mlflow/MLmodel"})
    files = {"model.safetensors": WEIGHTS, "mlflow/MLmodel": MLMODEL.encode()}
    model = load(tmp_path, data, files)
    assert model.interface.as_json() == {
        "version": 2,
        "inputs": [
            {"name": "tenure", "type": "long", "required": True},
            {"name": "spend", "type": "double", "required": False},
        ],
        "outputs": [{"name": "0", "type": "float32", "required": True, "shape": [-1, 1]}],
        "params": [{"name": "threshold", "type": "double", "required": True, "default": 0.5}],
    }


def test_from_mlflow_with_an_unknown_type_is_refused(tmp_path):
    data = manifest(interface={"version": 2, "from-mlflow": "MLmodel"})
    text = MLMODEL.replace('"long"', '"decimal"').encode()
    message = error_of(tmp_path, data, {"model.safetensors": WEIGHTS, "MLmodel": text})
    assert message.startswith("models/churn/MLmodel: signature.inputs[0].type: unknown")


DVC = b"outs:\n- md5: a304afb96060aad90176268345e10355\n  size: 12\n  hash: md5\n  path: c.csv\n"
LOCK = b"""schema: '2.0'
stages:
  prepare:
    cmd: python prepare.py
    outs:
    - path: data/clean.csv
      sha256: %s
""" % sha(b"x").encode()


def test_bad_input_from_dvc_with_md5_only_is_accepted_and_flagged_weak(tmp_path):
    data = manifest()
    data["training"]["data"] = [{"name": "customers", "version": "3", "from-dvc": "c.csv.dvc"}]
    model = load(tmp_path, data, {"model.safetensors": WEIGHTS, "c.csv.dvc": DVC})
    (entry,) = model.data
    assert entry.weak and entry.digests[0].algorithm == "md5"
    assert model.flags == ("weak-digest",)


def test_from_dvc_lock_with_sha256_is_not_weak(tmp_path):
    data = manifest()
    data["training"]["data"] = [{"name": "clean", "version": "3", "from-dvc": "dvc.lock"}]
    model = load(tmp_path, data, {"model.safetensors": WEIGHTS, "dvc.lock": LOCK})
    (entry,) = model.data
    assert not entry.weak and entry.digests[0].value == sha(b"x")


def test_pickle_is_flagged_unsafe(tmp_path):
    data = manifest()
    data["artifact"] = {"format": "pickle", "files": [{"path": "model.pkl"}]}
    model = load(tmp_path, data, {"model.pkl": b"\x80\x04."})
    assert model.flags == ("unsafe-format",)


@pytest.mark.parametrize("bad", ["../outside.bin", "/etc/passwd", ".git/config"])
def test_paths_stay_in_the_component(tmp_path, bad):
    data = manifest()
    data["artifact"]["files"][0]["path"] = bad
    assert "artifact.files[0].path: '" + bad in error_of(tmp_path, data)


def test_a_symlinked_artifact_is_refused_unread(tmp_path):
    root = write_model(tmp_path / "models" / "churn", files={})
    (tmp_path / "secret").write_bytes(b"token")
    (root / "model.safetensors").symlink_to(tmp_path / "secret")
    with pytest.raises(PathRefused, match="a symlink"):
        loader.load(WorkspaceFiles(tmp_path, "models/churn"))


def test_missing_model_yaml(tmp_path):
    with pytest.raises(ConfigError, match="models/churn/model.yaml: not found"):
        loader.load(WorkspaceFiles(tmp_path, "models/churn"))


def test_ten_thousand_files(tmp_path):
    count = 10_000
    files = {f"shards/{i // 1000:02d}/part-{i:05d}.bin": b"%d" % i for i in range(count)}
    data = manifest()
    data["artifact"]["files"] = [{"path": p} for p in files]
    model = load(tmp_path, data, files)
    assert len(model.files) == count
    assert model.files[4242].sha256 == sha(b"4242")
