"""The files model.yaml names, read from the workspace or from git at a tag, and the formats
it borrows: MLflow's MLmodel signature, DVC's .dvc / dvc.lock digests, the CI metrics-file."""

from __future__ import annotations

import errno
import json
from pathlib import Path
from typing import Any

from releaser import paths
from releaser.domain.model import CI, KNOWN_TYPES, DataDigest, Interface, Metric, Spec
from releaser.errors import ConfigError
from releaser.models.hashing import Known, hash_file

MAX_YAML_BYTES = 1024 * 1024  # model.yaml, MLmodel, .dvc, dvc.lock
MAX_JSON_BYTES = 16 * 1024 * 1024  # the metrics-file
MAX_DEPTH = 64


def load_yaml_bounded(data: bytes, source: str) -> tuple[Any, Any]:
    """(value, root node) of one YAML document, within the bounds of releaser.bounded (size,
    depth, aliases and their expanded size), sized for a manifest of many files."""
    from releaser.bounded import load_yaml

    return load_yaml(
        data, source, max_bytes=MAX_YAML_BYTES, max_expanded=2 * MAX_YAML_BYTES, error=ConfigError
    )


def load_json_bounded(data: bytes, source: str) -> Any:
    """A JSON document within the size and depth bounds of releaser.bounded."""
    from releaser.bounded import JsonLimits, load_json

    return load_json(data, source, JsonLimits(MAX_JSON_BYTES, 64), ConfigError)


class WorkspaceFiles:
    """Files under the component directory in the working tree."""

    def __init__(self, workspace: Path, component: str, known: Known | None = None) -> None:
        self.workspace = workspace
        self.component = "" if component in ("", ".") else component.strip("/")
        self.known = known  # digests hashed already (releaser.models.prehash), by identity

    def shown(self, rel: str) -> str:
        return f"{self.component}/{rel}" if self.component else rel

    def _rel(self, rel: str) -> str:
        paths.check(rel)  # relative to the component: no '..', no .git, not absolute
        return self.shown(rel)

    def read(self, rel: str, max_bytes: int) -> bytes | None:
        try:
            return paths.read_bytes(self.workspace, self._rel(rel), max_bytes)
        except FileNotFoundError:
            return None
        except OSError as exc:
            if exc.errno == errno.EFBIG:
                raise ConfigError(f"{self.shown(rel)}: over the {max_bytes}-byte limit") from None
            raise ConfigError(f"{self.shown(rel)}: cannot read: {exc.strerror}") from None

    def hash(self, rel: str) -> tuple[str, int] | None:
        try:
            return hash_file(self.workspace, self._rel(rel), self.known)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise ConfigError(f"{self.shown(rel)}: cannot read: {exc.strerror}") from None


class GitFiles:
    """Files under the component directory at a revision (the baseline tag): nothing is
    hashed, so a file's digest is the one its model.yaml declared when it was released."""

    def __init__(self, repo, rev: str, component: str) -> None:
        self.repo = repo
        self.rev = rev
        self.component = "" if component in ("", ".") else component.strip("/")

    def shown(self, rel: str) -> str:
        return f"{self.component}/{rel}@{self.rev}" if self.component else f"{rel}@{self.rev}"

    def read(self, rel: str, max_bytes: int) -> bytes | None:
        paths.check(rel)
        full = f"{self.component}/{rel}" if self.component else rel
        try:
            return self.repo.show_blob(self.rev, full, max_bytes)
        except OSError:
            raise ConfigError(f"{self.shown(rel)}: over the {max_bytes}-byte limit") from None

    def hash(self, rel: str) -> None:
        return None


def _type_problem(kind: object) -> str | None:
    if isinstance(kind, str) and kind in KNOWN_TYPES:
        return None
    return (
        f"unknown interface type {json.dumps(kind)[:60]} (use an MLflow ColSpec type such as "
        "double or long, or a TensorSpec dtype such as float32)"
    )


def spec(raw: dict[str, Any], where: str) -> Spec:
    problem = _type_problem(raw.get("type"))
    if problem:
        raise ConfigError(f"{where}.type: {problem}")
    shape = raw.get("shape")
    return Spec(
        name=raw["name"],
        type=raw["type"],
        shape=tuple(shape) if shape is not None else None,
        required=bool(raw.get("required", True)),
        default=raw.get("default"),
        has_default="default" in raw,
    )


def _mlflow_specs(value: Any, source: str, key: str) -> tuple[Spec, ...]:
    if value is None:
        return ()
    if not isinstance(value, str):
        raise ConfigError(f"{source}: signature.{key}: expected a JSON string, as MLflow writes")
    items = load_json_bounded(value.encode("utf-8"), f"{source}: signature.{key}")
    if not isinstance(items, list):
        raise ConfigError(f"{source}: signature.{key}: expected a JSON list")
    out = []
    for index, item in enumerate(items):
        where = f"{source}: signature.{key}[{index}]"
        if not isinstance(item, dict):
            raise ConfigError(f"{where}: expected an object")
        if item.get("type") == "tensor":  # TensorSpec: the dtype is the type
            tensor = item.get("tensor-spec") or {}
            raw = {"type": tensor.get("dtype"), "shape": tensor.get("shape")}
        else:
            raw = {"type": item.get("type")}
            if item.get("shape") is not None:
                raw["shape"] = item["shape"]
        raw["name"] = str(item.get("name", index))  # MLflow allows unnamed specs: by position
        if "required" in item:
            raw["required"] = bool(item["required"])
        if "default" in item:
            raw["default"] = item["default"]
        out.append(spec(raw, where))
    return tuple(out)


def mlflow_interface(data: bytes, source: str, version: int) -> Interface:
    """The interface from an MLmodel file's `signature` (inputs / outputs / params, each a
    JSON list inside a YAML string)."""
    value, _root = load_yaml_bounded(data, source)
    signature = value.get("signature") if isinstance(value, dict) else None
    if not isinstance(signature, dict):
        raise ConfigError(f"{source}: no signature (log the model with one)", file=source)
    return Interface(
        version=version,
        inputs=_mlflow_specs(signature.get("inputs"), source, "inputs"),
        outputs=_mlflow_specs(signature.get("outputs"), source, "outputs"),
        params=_mlflow_specs(signature.get("params"), source, "params"),
    )


def dvc_digests(data: bytes, source: str) -> tuple[DataDigest, ...]:
    """Each output's digest in a .dvc file (`outs`) or dvc.lock (`stages.*.outs`): sha256 when
    given, else DVC's md5 (recorded; weak)."""
    value, _root = load_yaml_bounded(data, source)
    outs: list = []
    if isinstance(value, dict) and isinstance(value.get("outs"), list):
        outs = value["outs"]
    elif isinstance(value, dict) and isinstance(value.get("stages"), dict):
        for stage in value["stages"].values():
            if isinstance(stage, dict) and isinstance(stage.get("outs"), list):
                outs.extend(stage["outs"])
    out = []
    for item in outs:
        if not isinstance(item, dict):
            continue
        path = str(item.get("path", ""))
        for algorithm in ("sha256", "md5"):
            if isinstance(item.get(algorithm), str):
                out.append(DataDigest(path, algorithm, item[algorithm]))
                break
    if not out:
        raise ConfigError(f"{source}: no output with a sha256 or md5 digest", file=source)
    return tuple(out)


def metrics_from_file(data: bytes, source: str, schema: dict[str, Any]) -> tuple[Metric, ...]:
    """The metrics of a CI-written metrics-file, `{"metrics": [{name, value, ...}]}`."""
    import jsonschema

    value = load_json_bounded(data, source)
    validator = jsonschema.Draft202012Validator(
        {"$defs": schema["$defs"], "$ref": "#/$defs/metricsFile"}
    )
    error = next(iter(sorted(validator.iter_errors(value), key=lambda e: list(e.path))), None)
    if error is not None:
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.path)
        raise ConfigError(f"{source}: {where.lstrip('.') or '(top level)'}: {error.message[:120]}")
    return tuple(metric(m, CI) for m in value["metrics"])


def metric(raw: dict[str, Any], assurance: str) -> Metric:
    ci = raw.get("ci")
    return Metric(
        name=raw["name"],
        value=raw["value"],
        dataset=raw.get("dataset"),
        slice=raw.get("slice"),
        ci=(ci[0], ci[1]) if ci else None,
        higher_is_better=bool(raw.get("higher-is-better", True)),
        assurance=assurance,
    )
