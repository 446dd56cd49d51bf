"""Load model.yaml: validate it against the shipped schema, resolve what it points at
(MLmodel, .dvc / dvc.lock, metrics-file, lockfile) and compute every digest.

Errors are one `file:line: path: problem` line (exit 2), raised before anything is written.
"""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from typing import Any

from releaser import paths
from releaser.domain.model import (
    DECLARED,
    ArtifactFile,
    DataDigest,
    DataEntry,
    Digests,
    Gate,
    Interface,
    ModelManifest,
    canonical_sha256,
    manifest_digest,
)
from releaser.errors import ConfigError
from releaser.models import sources
from releaser.yaml_errors import first_schema_error, format_path, line_of

MANIFEST_NAME = "model.yaml"


def schema() -> dict[str, Any]:
    text = resources.files("releaser").joinpath("schemas/model-v1.json").read_text()
    return json.loads(text)


def _named_paths(data: dict[str, Any]):
    """(path in model.yaml, value) of every file model.yaml names."""
    for index, item in enumerate(data["artifact"]["files"]):
        yield ("artifact", "files", index, "path"), item["path"]
    if "from-mlflow" in data["interface"]:
        yield ("interface", "from-mlflow"), data["interface"]["from-mlflow"]
    for index, item in enumerate(data["training"]["data"]):
        if "from-dvc" in item:
            yield ("training", "data", index, "from-dvc"), item["from-dvc"]
    lockfile = data["training"].get("environment", {}).get("lockfile")
    if lockfile is not None:
        yield ("training", "environment", "lockfile"), lockfile
    if "metrics-file" in data:
        yield ("metrics-file", "path"), data["metrics-file"]["path"]


def _problems(data: dict[str, Any]):
    """(path, problem) for what the schema admits but a release cannot use."""
    for where, value in _named_paths(data):
        why = paths.problem(value)
        if why is not None:
            yield where, f"'{value}' {why}"
    seen: set[str] = set()
    for index, item in enumerate(data["artifact"]["files"]):
        if item["path"] in seen:
            yield ("artifact", "files", index, "path"), f"'{item['path']}' is listed twice"
        seen.add(item["path"])
    for key in ("inputs", "outputs", "params"):
        for index, item in enumerate(data["interface"].get(key, ())):
            problem = sources._type_problem(item["type"])
            if problem:
                yield ("interface", key, index, "type"), problem
    if not data.get("metrics") and "metrics-file" not in data:
        yield ("metrics",), "no metric: a model release needs metrics or a metrics-file"


def _files(data, files, shown) -> tuple[ArtifactFile, ...]:
    out = []
    for item in data["artifact"]["files"]:
        rel, declared, uri = item["path"], item.get("sha256"), item.get("uri")
        found = files.hash(rel)
        if found is not None:
            digest, size = found
            if declared is not None and declared != digest:
                raise ConfigError(
                    f"{files.shown(rel)}: sha256 {digest} does not match {declared} in {shown}",
                    file=shown,
                )
            if "size" in item and item["size"] != size:
                raise ConfigError(
                    f"{files.shown(rel)}: {size} bytes, {shown} says {item['size']}", file=shown
                )
            out.append(ArtifactFile(rel, digest, size, uri, computed=True))
        elif uri is None and not isinstance(files, sources.GitFiles):
            raise ConfigError(
                f"{files.shown(rel)}: listed in {shown} but missing, and it has no uri",
                file=shown,
            )
        elif declared is None:
            raise ConfigError(
                f"{files.shown(rel)}: not present here, so {shown} must give its sha256",
                file=shown,
            )
        else:  # given by uri only: never downloaded, its digest recorded as declared
            out.append(ArtifactFile(rel, declared, item.get("size"), uri, computed=False))
    return tuple(out)


def _interface(data, files, shown) -> Interface:
    raw = data["interface"]
    if "from-mlflow" in raw:
        rel = raw["from-mlflow"]
        text = files.read(rel, sources.MAX_YAML_BYTES)
        if text is None:
            raise ConfigError(f"{files.shown(rel)}: interface.from-mlflow file not found")
        return sources.mlflow_interface(text, files.shown(rel), raw["version"])
    specs = {
        key: tuple(
            sources.spec(item, f"{shown}: interface.{key}[{i}]")
            for i, item in enumerate(raw.get(key, ()))
        )
        for key in ("inputs", "outputs", "params")
    }
    return Interface(raw["version"], specs["inputs"], specs["outputs"], specs["params"])


def _data(data, files) -> tuple[DataEntry, ...]:
    out = []
    for item in data["training"]["data"]:
        digests: tuple[DataDigest, ...] = ()
        if "from-dvc" in item:
            rel = item["from-dvc"]
            text = files.read(rel, sources.MAX_YAML_BYTES)
            if text is None:
                raise ConfigError(f"{files.shown(rel)}: training.data from-dvc file not found")
            digests = sources.dvc_digests(text, files.shown(rel))
        out.append(
            DataEntry(
                name=item["name"],
                version=str(item["version"]),
                uri=item.get("uri"),
                sha256=item.get("sha256"),
                dvc=item.get("from-dvc"),
                digests=digests,
            )
        )
    return tuple(out)


def _metrics(data, files, shown, model_schema):
    metrics = tuple(sources.metric(m, DECLARED) for m in data.get("metrics", ()))
    pinned = data.get("metrics-file")
    if pinned is None:
        return metrics, None
    rel = pinned["path"]
    text = files.read(rel, sources.MAX_JSON_BYTES)
    if text is None:
        raise ConfigError(f"{files.shown(rel)}: metrics-file not found", file=shown)
    digest = hashlib.sha256(text).hexdigest()
    if digest != pinned["sha256"]:
        raise ConfigError(
            f"{files.shown(rel)}: sha256 {digest} does not match the metrics-file sha256 "
            f"{pinned['sha256']} pinned in {shown}",
            file=shown,
        )
    ci = sources.metrics_from_file(text, files.shown(rel), model_schema)
    if not metrics and not ci:
        raise ConfigError(f"{files.shown(rel)}: no metric: a model release needs one")
    return metrics + ci, digest


def gate(raw: dict[str, Any]) -> Gate:
    """One schema-valid gate (model.yaml's, or an environment's in the promotion policy)."""
    if "check" in raw:
        return Gate("check", check=raw["check"])
    if "baseline" in raw:
        return Gate("baseline", raw["metric"], raw["min-delta"], baseline=raw["baseline"])
    kind = "min" if "min" in raw else "max"
    return Gate(kind, raw["metric"], raw[kind])


def parse(raw: bytes, files) -> ModelManifest:
    """The manifest in `raw` (model.yaml's bytes); `files` reads what it names
    (sources.WorkspaceFiles, or sources.GitFiles for the baseline at a tag)."""
    shown = files.shown(MANIFEST_NAME)
    data, root = sources.load_yaml_bounded(raw, shown)
    model_schema = schema()
    found = first_schema_error(model_schema, data, root)
    if found is not None:
        line, message = found
        raise ConfigError(f"{shown}:{line}: {message}", file=shown, line=line)
    for where, problem in _problems(data):
        line = line_of(root, where)
        raise ConfigError(f"{shown}:{line}: {format_path(where)}: {problem}", file=shown, line=line)
    artifact = _files(data, files, shown)
    interface = _interface(data, files, shown)
    metrics, metrics_digest = _metrics(data, files, shown, model_schema)
    training = data["training"]
    environment = training.get("environment", {})
    lockfile_digest = None
    if "lockfile" in environment:
        found_lock = files.hash(environment["lockfile"])
        if found_lock is None and not isinstance(files, sources.GitFiles):
            raise ConfigError(f"{files.shown(environment['lockfile'])}: lockfile not found")
        lockfile_digest = found_lock[0] if found_lock else None
    hyperparameters = training.get("hyperparameters", {})
    return ModelManifest(
        name=data["name"],
        files=artifact,
        interface=interface,
        architecture=dict(data["architecture"]),
        data=_data(data, files),
        metrics=metrics,
        digests=Digests(
            manifest_sha256=manifest_digest((f.path, f.sha256) for f in artifact),
            interface_sha256=canonical_sha256(interface.as_json()),
            hyperparameters_sha256=canonical_sha256(hyperparameters),
            lockfile_sha256=lockfile_digest,
            metrics_file_sha256=metrics_digest,
        ),
        format=data["artifact"].get("format"),
        uri=data["artifact"].get("uri"),
        hyperparameters=hyperparameters,
        environment=environment,
        run=training.get("run"),
        significance=data.get("significance", {}),
        gates=tuple(gate(g) for g in data.get("gates", ())),
        card=data.get("card", {}),
        gates_raw=tuple(data.get("gates", ())),
    )


def load(files) -> ModelManifest:
    """Read and parse `model.yaml` at the top of the component directory."""
    raw = files.read(MANIFEST_NAME, sources.MAX_YAML_BYTES)
    if raw is None:
        raise ConfigError(f"{files.shown(MANIFEST_NAME)}: not found (a model component needs one)")
    return parse(raw, files)
