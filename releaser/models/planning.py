"""What a model release's plan reads: the manifest in the workspace (its files hashed), the
manifest at the component's previous tag (from git, so `plan` stays offline), and whether a
commit of the range changed anything else under the component path."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from releaser.domain.bump import Bump
from releaser.domain.model_plan import ModelPlan, plan_model
from releaser.errors import ConfigError
from releaser.models import manifest as loader
from releaser.models import sources

if TYPE_CHECKING:
    from releaser.config import Component
    from releaser.domain.model import ModelManifest
    from releaser.git import GitRepo
    from releaser.models.hashing import Known


class Tag(Protocol):
    """A tag by its name and commit: a releaser.domain.release.Tag, or one that releaser
    plan's planner child was told of (releaser.models.planner)."""

    @property
    def name(self) -> str: ...

    @property
    def sha(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Target:
    """What a model's plan needs of its component: its name, its path and its options
    (config.ModelSettings: `strict`, and `model-bumps` as (rule id, bump) pairs)."""

    name: str
    path: str
    strict: bool = False
    bumps: tuple[tuple[str, Bump], ...] = ()

    @classmethod
    def of(cls, component: Component) -> Target:
        settings = component.model
        assert settings is not None  # a model component
        return cls(component.policy.name, component.policy.path, settings.strict, settings.bumps)


class TagFiles(sources.GitFiles):
    """The component's files at a tag. A file committed there is hashed from git (streamed);
    one that is not (LFS, ignored, given by uri) keeps the digest its model.yaml declared."""

    def __init__(self, repo: GitRepo, tag: Tag, component: str) -> None:
        super().__init__(repo, tag.sha, component)
        self.tag = tag.name
        self._listed: dict[str, tuple[str, str, int | None]] | None = None

    def shown(self, rel: str) -> str:
        return f"{self.component}/{rel}@{self.tag}" if self.component else f"{rel}@{self.tag}"

    def _entry(self, rel: str) -> tuple[str, str, int | None] | None:
        """(mode, object id, size) of `rel` at the tag, from one listing of the component's
        files (however many are asked for); None when it is no file there."""
        from releaser import paths

        paths.check(rel)
        if self._listed is None:
            self._listed = self.repo.tree_files(self.rev, self.component or ".")
        return self._listed.get(f"{self.component}/{rel}" if self.component else rel)

    def read(self, rel: str, max_bytes: int) -> bytes | None:
        found = self._entry(rel)
        size = found[2] if found is not None else None
        if found is None or not found[0].startswith("100") or size is None:
            # Absent, or a symlink or a submodule: the general reader says which, as before.
            return super().read(rel, max_bytes)
        oid = found[1]
        if size > max_bytes:
            raise ConfigError(f"{self.shown(rel)}: over the {max_bytes}-byte limit")
        return self.repo.blob_bytes(oid)  # through the long-lived batch: no process

    def hash(self, rel: str) -> tuple[str, int] | None:  # type: ignore[override]
        found = self._entry(rel)
        if found is None:
            return None
        mode, oid, size = found
        if mode == "120000" or not mode.startswith("100"):
            raise ConfigError(f"{self.shown(rel)}: not a regular file (a symlink or a submodule)")
        if size is not None and size <= _LFS_POINTER_MAX:
            pointer = lfs_pointer(self.repo.blob_bytes(oid))
            if pointer is not None:
                return pointer
        return self.repo.blob_sha256(oid, size)


_LFS_POINTER_MAX = 1024  # git-lfs's own bound on a pointer file
_LFS_VERSION = b"version https://git-lfs.github.com/spec/v1\n"


def lfs_pointer(data: bytes) -> tuple[str, int] | None:
    """(sha256 hex, size) of the content a Git LFS pointer file stands for, else None. The
    pointer names its object by the sha256 of the content, so a model file kept in LFS is
    known at a tag without fetching it."""
    if not data.startswith(_LFS_VERSION):
        return None
    fields = dict(
        line.split(" ", 1) for line in data.decode("ascii", "replace").splitlines() if " " in line
    )
    oid, size = fields.get("oid", ""), fields.get("size", "")
    digest = oid.removeprefix("sha256:")
    if not oid.startswith("sha256:") or len(digest) != 64 or not size.isdigit():
        return None
    if any(c not in "0123456789abcdef" for c in digest):
        return None
    return digest, int(size)


def at_tag(repo: GitRepo, tag: Tag, path: str) -> tuple[ModelManifest, bytes] | None:
    """(the manifest at `tag`, its model.yaml); None when the component had none there."""
    files = TagFiles(repo, tag, path)
    raw = files.read(loader.MANIFEST_NAME, sources.MAX_YAML_BYTES)
    return None if raw is None else (loader.parse(raw, files), raw)


def _outputs(model: ModelManifest, raw: bytes) -> set[str]:
    """What training writes, relative to the component: the artifact files, and the
    metrics-file and MLmodel the manifest names. A change to one of them explains nothing."""
    out = {loader.MANIFEST_NAME} | {f.path for f in model.files}
    if b"metrics-file" not in raw and b"from-mlflow" not in raw:
        return out  # parsing model.yaml a second time costs more than the rest of this
    # Parsed already, and valid: the schema has checked these keys' shapes.
    data, _root = sources.load_yaml_bounded(raw, loader.MANIFEST_NAME)
    if "metrics-file" in data:
        out.add(data["metrics-file"]["path"])
    if "from-mlflow" in data["interface"]:
        out.add(data["interface"]["from-mlflow"])
    return out


def code_changed(
    repo: GitRepo,
    since: Tag,
    path: str,
    models: tuple[tuple[ModelManifest, bytes], ...],
    changed: frozenset[str] | None = None,
) -> bool:
    """Whether a commit of since..HEAD changed a file under `path` other than what training
    writes (see _outputs) in the manifest now or at the tag. `changed`: those commits'
    paths under `path`, when the caller's walk has them (else git is asked)."""
    if changed is None:
        changed = repo.changed_paths(since.sha, path)
    trained = outputs(path, models)
    return any(p not in trained for p in changed)


def outputs(path: str, models: tuple[tuple[ModelManifest, bytes], ...]) -> frozenset[str]:
    """What training writes in the manifests `models`, as paths of the repository."""
    prefix = "" if path == "." else f"{path}/"
    return frozenset(prefix + rel for model, raw in models for rel in _outputs(model, raw))


Read = tuple[tuple["ModelManifest", bytes], "tuple[ModelManifest, bytes] | None"]


def current(
    workspace: Path, target: Target, known: Known | None = None
) -> tuple[ModelManifest, bytes]:
    """The manifest in the workspace (its files hashed) and its model.yaml."""
    found = in_workspace(workspace, target.path, known)
    if found is None:
        shown = sources.WorkspaceFiles(workspace, target.path).shown
        raise ConfigError(
            f"{shown(loader.MANIFEST_NAME)}: not found; component "
            f"{target.name!r} is of type: model and needs one"
        )
    return found


def in_workspace(
    workspace: Path, path: str, known: Known | None = None
) -> tuple[ModelManifest, bytes] | None:
    """The manifest of the component at `path` in the workspace (its files hashed) and its
    model.yaml; None when there is no model.yaml."""
    files = sources.WorkspaceFiles(workspace, path, known)
    raw = files.read(loader.MANIFEST_NAME, sources.MAX_YAML_BYTES)
    return None if raw is None else (loader.parse(raw, files), raw)


def read(
    repo: GitRepo,
    workspace: Path,
    target: Target,
    previous: Tag | None,
    known: Known | None = None,
) -> Read:
    """(the manifest in the workspace and its model.yaml, the same at `previous` or None):
    what a model's plan reads, whichever commits the range holds."""
    now = current(workspace, target, known)
    found = at_tag(repo, previous, target.path) if previous is not None else None
    return now, found


def new_weights(models: Read) -> bool:
    """Whether the artifact differs from the baseline's: only new weights need explaining,
    so only then are the range's other files looked at."""
    (current, _raw), found = models
    return found is not None and found[0].digests.manifest_sha256 != current.digests.manifest_sha256


def finish(target: Target, previous: Tag | None, models: Read, changed: bool) -> ModelPlan:
    """The plan from what read() found; `changed`: whether code under the component changed
    in the range. Refuses (exit 2) what strict forbids."""
    (current, _raw), found = models
    baseline = found[0] if found is not None else None
    result = plan_model(
        current,
        baseline,
        previous.name if previous is not None and baseline is not None else None,
        changed,
        dict(target.bumps),
        target.strict,
    )
    if result.errors:
        raise ConfigError(f"{target.name}: {result.errors[0]}")
    return result


def plan_for(
    repo: GitRepo,
    workspace: Path,
    component: Component,
    previous: Tag | None,
    since: Tag | None,
    changed_paths: frozenset[str] | None = None,
    known: Known | None = None,
) -> ModelPlan:
    """The model plan of `component` at HEAD: `previous` is its newest tag (the baseline),
    `since` the tag its commit range starts after; `changed_paths`, when given, the paths under the
    component its commits since `since` changed; `known`, digests hashed already (prehash).
    Refuses (exit 2) what strict forbids."""
    target = Target.of(component)
    models = read(repo, workspace, target, previous, known)
    changed = False
    if new_weights(models):
        start = since or previous
        assert start is not None  # new_weights: there is a baseline, so a previous tag
        walked = changed_paths if since is not None else None
        found = models[1]
        assert found is not None
        changed = code_changed(repo, start, target.path, (models[0], found), walked)
    return finish(target, previous, models, changed)


def summary(
    workspace: Path,
    target: Target,
    previous: Tag | None,
    found: tuple[ModelManifest, bytes] | None,
    known: Known,
    now: tuple[ModelManifest, bytes] | None = None,
) -> dict[str, Any]:
    """What releaser plan prints of the model plan of `target`, computed before the walk
    knows whether code changed in the range (releaser.models.planner's child): the printed
    form (the bump, plan --json's `model` object, the text lines) with and without a code
    change, and what training writes, from which the caller tells which applies. `found`:
    the manifest at `previous` (at_tag); `now`, the workspace's (in_workspace) when read
    already. A form whose plan is refused is null: the caller then plans in-process and
    says why."""
    from releaser.models.text import model_lines

    models = (now or current(workspace, target, known), found)
    forms: dict[str, Any] = {}
    for changed in (False, True) if new_weights(models) else (False,):
        try:
            plan = finish(target, previous, models, changed)
        except ConfigError:
            forms[str(changed).lower()] = None
            continue
        printed = {"bump": plan.model_bump.label, "json": plan.as_json()}
        forms[str(changed).lower()] = {**printed, "lines": model_lines(plan)}
    trained = outputs(target.path, (models[0], found)) if found and "true" in forms else None
    return {"forms": forms, "outputs": sorted(trained) if trained is not None else None}
