"""`releaser models`: the registry view, from git alone. Every version of every model
component (its tags), with the manifest digest, the data it was trained on and its metrics,
read from model.yaml at each tag: what was trained on what, and how good it was."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from releaser.domain.release import Tag
from releaser.errors import ReleaserError


def _version(repo, component, tag: Tag, date: str | None) -> dict[str, Any]:
    from releaser.models.planning import at_tag

    entry: dict[str, Any] = {
        "version": str(tag.version),
        "tag": tag.name,
        "date": date,
        "commit": tag.sha,
    }
    try:
        found = at_tag(repo, tag, component.policy.path)
    except ReleaserError as exc:  # one broken version does not hide the others
        return {**entry, "error": exc.one_line()}
    if found is None:
        return {**entry, "error": f"no {component.policy.path}/model.yaml at {tag.name}"}
    model = found[0]
    return {
        **entry,
        "manifest_sha256": model.digests.manifest_sha256,
        "data": [d.as_json() for d in model.data],
        "metrics": [m.as_json() for m in model.metrics],
    }


def registry(repo, config) -> dict[str, Any]:
    """{"models": [{component, path, versions: [...newest first]}]} for the model components
    of `config`, from the tags of the clone `repo` (a GitRepo)."""
    tags = repo.all_tags()
    dates = repo.tag_dates()
    models = []
    for component in config.components:
        if component.model is None:
            continue
        policy = component.policy
        found = []
        for name, sha in tags.items():
            version = policy.version_of(name)
            if version is not None:
                found.append(Tag(name, version, sha))
        found.sort(key=lambda t: t.version, reverse=True)
        models.append(
            {
                "component": policy.name,
                "path": policy.path,
                "versions": [_version(repo, component, t, dates.get(t.name)) for t in found],
            }
        )
    return {"models": models}


def _data(entry: dict[str, Any]) -> str:
    return ", ".join(f"{d['name']}@{d['version']}" for d in entry.get("data", ())) or "-"


def _metrics(entry: dict[str, Any]) -> str:
    out = []
    for m in entry.get("metrics", ()):
        where = "/".join(str(m[k]) for k in ("dataset", "slice") if m.get(k) is not None)
        out.append(f"{m['name']}={m['value']:g}" + (f" ({where})" if where else ""))
    return ", ".join(out) or "-"


def text(view: dict[str, Any]) -> Iterator[str]:
    from releaser.models.text import table

    if not view["models"]:
        yield "no model components (components[].type: model in .github/releaser.yml)"
    for model in view["models"]:
        yield f"{model['component']} ({model['path']}): {len(model['versions'])} version(s)"
        rows = []
        for v in model["versions"]:
            if "error" in v:
                rows.append(
                    (v["version"], v["tag"], v["date"], v["commit"][:12], v["error"], "", "")
                )
                continue
            rows.append(
                (
                    v["version"],
                    v["tag"],
                    v["date"],
                    v["commit"][:12],
                    v["manifest_sha256"][:16],
                    _data(v),
                    _metrics(v),
                )
            )
        if rows:
            yield from table(
                ("version", "tag", "date", "commit", "manifest", "data", "metrics"), rows
            )


def run(repo_path: Path, as_json: bool, config_path: Path | None = None) -> str:
    from releaser import config as config_mod
    from releaser.git import GitRepo

    repo = GitRepo(repo_path)
    try:
        top = repo.state().toplevel
        config = config_mod.load(config_path, top, explicit=config_path is not None)
        view = registry(repo, config)
    finally:
        repo.close()
    if as_json:
        return json.dumps(view, ensure_ascii=False, indent=2)
    return "\n".join(text(view))
