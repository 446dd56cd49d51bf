"""A parsed model manifest (model.yaml with every digest computed) and the pure digests over it."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import rfc8785

SCHEMA_ID = "releaser/model/v1"
DECLARED = "declared"  # typed into model.yaml
CI = "ci"  # read from the metrics-file

# MLflow's vocabulary: ColSpec data types, then the numpy dtypes a TensorSpec names.
COLSPEC_TYPES = frozenset(
    {"boolean", "integer", "long", "float", "double", "string", "binary", "datetime"}
    | {"array", "object", "map", "any"}
)
TENSOR_DTYPES = frozenset(
    {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"}
    | {"float16", "float32", "float64", "complex64", "complex128", "str", "bytes", "object"}
)
KNOWN_TYPES = COLSPEC_TYPES | TENSOR_DTYPES
# A type another can replace without breaking a caller (every old value is a new value).
WIDENINGS = frozenset(
    {("int32", "int64"), ("float32", "float64"), ("integer", "long"), ("float", "double")}
)
UNSAFE_FORMATS = frozenset({"pickle", "joblib"})
UNSAFE_SUFFIXES = (".pkl", ".pickle", ".joblib")

FLAG_UNSAFE = "unsafe-format"
FLAG_WEAK = "weak-digest"
FLAG_UNEXPLAINED = "unexplained-artifact-change"


@dataclass(frozen=True, slots=True)
class ArtifactFile:
    path: str
    sha256: str
    size: int | None
    uri: str | None = None
    computed: bool = True  # False: given only by uri, its digest recorded as declared


@dataclass(frozen=True, slots=True)
class Spec:
    name: str
    type: str
    shape: tuple[int, ...] | None = None
    required: bool = True
    default: Any = None
    has_default: bool = False

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "type": self.type, "required": self.required}
        if self.shape is not None:
            out["shape"] = list(self.shape)
        if self.has_default:
            out["default"] = self.default
        return out


@dataclass(frozen=True, slots=True)
class Interface:
    version: int
    inputs: tuple[Spec, ...]
    outputs: tuple[Spec, ...]
    params: tuple[Spec, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "inputs": [s.as_json() for s in self.inputs],
            "outputs": [s.as_json() for s in self.outputs],
            "params": [s.as_json() for s in self.params],
        }


@dataclass(frozen=True, slots=True)
class DataDigest:
    path: str
    algorithm: str  # "sha256", or "md5" (weak)
    value: str


@dataclass(frozen=True, slots=True)
class DataEntry:
    name: str
    version: str
    uri: str | None = None
    sha256: str | None = None
    dvc: str | None = None
    digests: tuple[DataDigest, ...] = ()

    @property
    def weak(self) -> bool:
        return self.sha256 is None and any(d.algorithm != "sha256" for d in self.digests)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "version": self.version}
        for key, value in (("uri", self.uri), ("sha256", self.sha256), ("from-dvc", self.dvc)):
            if value is not None:
                out[key] = value
        if self.digests:
            out["digests"] = [
                {"path": d.path, "algorithm": d.algorithm, "value": d.value} for d in self.digests
            ]
        if self.weak:
            out["weak"] = True
        return out


@dataclass(frozen=True, slots=True)
class Metric:
    name: str
    value: float
    dataset: str | None = None
    slice: str | None = None
    ci: tuple[float, float] | None = None
    higher_is_better: bool = True
    assurance: str = DECLARED

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "value": self.value}
        if self.dataset is not None:
            out["dataset"] = self.dataset
        if self.slice is not None:
            out["slice"] = self.slice
        if self.ci is not None:
            out["ci"] = list(self.ci)
        out["higher-is-better"] = self.higher_is_better
        out["assurance"] = self.assurance
        return out


@dataclass(frozen=True, slots=True)
class Gate:
    kind: str  # "min", "max", "baseline" or "check"
    metric: str | None = None
    threshold: float | None = None
    check: str | None = None
    baseline: str = "previous"  # or, in an environment's promotion policy, "stage:<env>"

    @property
    def label(self) -> str:
        if self.kind == "check":
            return f"check {self.check}"
        if self.kind == "baseline":
            return f"{self.metric} - {self.baseline} >= {self.threshold:g}"
        return f"{self.metric} {'>=' if self.kind == 'min' else '<='} {self.threshold:g}"


@dataclass(frozen=True, slots=True)
class Digests:
    manifest_sha256: str
    interface_sha256: str
    hyperparameters_sha256: str
    lockfile_sha256: str | None = None
    metrics_file_sha256: str | None = None


@dataclass(frozen=True, slots=True)
class ModelManifest:
    """model.yaml resolved: MLmodel and metrics-file read, DVC digests read, files hashed."""

    name: str
    files: tuple[ArtifactFile, ...]
    interface: Interface
    architecture: Mapping[str, str]
    data: tuple[DataEntry, ...]
    metrics: tuple[Metric, ...]
    digests: Digests
    format: str | None = None
    uri: str | None = None
    hyperparameters: Mapping[str, Any] = field(default_factory=dict)
    environment: Mapping[str, Any] = field(default_factory=dict)
    run: Mapping[str, str] | None = None
    significance: Mapping[str, float] = field(default_factory=dict)
    gates: tuple[Gate, ...] = ()
    card: Mapping[str, str] = field(default_factory=dict)
    gates_raw: tuple[Mapping[str, Any], ...] = ()

    def metric(self, name: str) -> Metric | None:
        """The overall value of `name`: its entry without a slice, else its first entry."""
        named = [m for m in self.metrics if m.name == name]
        whole = [m for m in named if m.slice is None]
        found = whole or named
        return found[0] if found else None

    @property
    def flags(self) -> tuple[str, ...]:
        out = []
        unsafe = (self.format or "").lower() in UNSAFE_FORMATS or any(
            f.path.lower().endswith(UNSAFE_SUFFIXES) for f in self.files
        )
        if unsafe:
            out.append(FLAG_UNSAFE)
        if any(d.weak for d in self.data):
            out.append(FLAG_WEAK)
        return tuple(out)


def canonical_sha256(value: Any) -> str:
    """sha256 of the RFC 8785 canonical JSON form of `value`."""
    return hashlib.sha256(rfc8785.dumps(value)).hexdigest()


def path_order(path: str) -> tuple[bytes, ...]:
    """model_signing's order: by path segments, each compared as UTF-8 bytes."""
    return tuple(part.encode("utf-8", "surrogateescape") for part in path.split("/"))


def manifest_digest(files: Iterable[tuple[str, str]]) -> str:
    """The OpenSSF model_signing v1.0 manifest digest of (relative path, sha256 hex) pairs.

    Construction, learnt from sigstore/model-transparency (src/model_signing/_signing/
    signing.py, `Payload`, and manifest.py, `Manifest.resource_descriptors`; Apache-2.0) and
    checked against the model-signing 1.1.1 package: with the default "files" serialization
    each file's digest is the sha256 of its bytes; the items are sorted by their path as a
    pathlib.PurePosixPath, i.e. by the list of path segments (so 'a/b' sorts before 'a-c' and
    'a.b', unlike a plain byte-string sort of the whole path); the subject digest is the sha256
    of the concatenated 32-byte raw digests in that order, with no separators, names or
    lengths. This is the value model_signing puts in the in-toto subject's digest.sha256.
    """
    hasher = hashlib.sha256()
    for _path, digest in sorted(files, key=lambda item: path_order(item[0])):
        hasher.update(bytes.fromhex(digest))
    return hasher.hexdigest()
