"""The publish path's model step: for each model component a merged release PR releases, read
its model.yaml at the merge commit (and at the previous tag) and check it before any write."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from releaser.models.manifest import MANIFEST_NAME
from releaser.models.publish_checks import check_model_release
from releaser.models.release import ModelRelease, tag_message
from releaser.models.sources import MAX_YAML_BYTES, GitFiles, WorkspaceFiles


def is_model(component: Any) -> bool:
    """A `type: model` component: the config gave it model settings."""
    return getattr(component, "model", None) is not None


def _at_tag(clone: Any, component: Any, tag: str) -> Any:
    """The component's files at `tag`, through the baseline reader the engine's plan uses."""
    from releaser.domain.release import Tag
    from releaser.models.planning import TagFiles

    version = component.policy.version_of(tag)
    sha = clone.repo.all_tags().get(tag)
    if version is None or sha is None:
        return GitFiles(clone.repo, tag, component.policy.path)  # declared digests only
    return TagFiles(clone.repo, Tag(tag, version, sha), component.policy.path)


def _reader(workspace: Path, clone: Any, rev: str, path: str):
    """The component's files at `rev`: the working tree when it is that commit (so the
    artifact is hashed), else git (declared digests only)."""
    if clone is None or clone.head() == rev:
        return WorkspaceFiles(workspace, path)
    return GitFiles(clone.repo, rev, path)


def model_releases(
    gh: Any,
    config: Any,
    marker: Any,
    sha: str,
    workspace: Path,
    clone: Any,
    run_id: str = "",
    plan_for: Callable[[Any], Any] | None = None,
) -> dict[tuple[str, str], ModelRelease]:
    """(merge sha, tag) -> the checked release of every model component in `marker`; raises
    before any write when a gate fails or a version would change. `plan_for(planned)` gives
    the engine's model result (changes, model_bump, flags, manifest_sha256) when the caller
    has it."""
    components = {c.policy.name: c for c in config.components}
    out = {}
    for planned in marker.releases:
        component = components.get(planned.component)
        if component is None or not is_model(component):
            continue
        path = component.policy.path
        baseline_files = None
        previous = planned.previous_tag
        if previous and clone is not None:
            # Read as the plan read it: files committed at the tag are hashed from git.
            at_tag = _at_tag(clone, component, previous)
            if at_tag.read(MANIFEST_NAME, MAX_YAML_BYTES) is not None:
                baseline_files = at_tag
        plan = plan_for(planned) if plan_for is not None else None
        out[sha, planned.tag] = check_model_release(
            gh,
            tag=planned.tag,
            version=planned.version,
            sha=sha,
            files=_reader(workspace, clone, sha, path),
            baseline_files=baseline_files,
            baseline_tag=previous if baseline_files is not None else None,
            run_id=run_id,
            changes=tuple(getattr(plan, "changes", ()) or ()),
            model_bump=getattr(plan, "model_bump", None),
            flags=tuple(getattr(plan, "flags", ()) or ()),
            planned_sha256=planned.manifest_sha256 or None,  # what the PR's reviewers saw
        )
    return out


def tag_messages(models: dict[tuple[str, str], ModelRelease]) -> dict[str, str]:
    """tag -> the annotated tag's message, for every model release."""
    return {release.tag: tag_message(release) for release in models.values()}
