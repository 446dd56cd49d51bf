"""Regenerate tests/fakegithub/spec/openapi-subset.json from npm @octokit/openapi.

Keeps only the operations the fake GitHub serves plus every component they `$ref`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "@octokit/openapi"
VERSION = "23.0.2"
MEMBER = "package/generated/api.github.com.json"
OUT = Path(__file__).resolve().parents[1] / "tests" / "fakegithub" / "spec" / "openapi-subset.json"

R = "/repos/{owner}/{repo}"
OPERATIONS: dict[str, tuple[str, ...]] = {
    R: ("get",),
    "/rate_limit": ("get",),
    R + "/git/ref/{ref}": ("get",),
    R + "/git/matching-refs/{ref}": ("get",),
    R + "/git/refs": ("post",),
    R + "/git/refs/{ref}": ("patch", "delete"),
    R + "/git/blobs": ("post",),
    R + "/git/blobs/{file_sha}": ("get",),
    R + "/git/trees": ("post",),
    R + "/git/trees/{tree_sha}": ("get",),
    R + "/git/commits": ("post",),
    R + "/git/commits/{commit_sha}": ("get",),
    R + "/git/tags": ("post",),
    R + "/git/tags/{tag_sha}": ("get",),
    R + "/commits": ("get",),
    R + "/commits/{ref}": ("get",),
    R + "/commits/{commit_sha}/pulls": ("get",),
    R + "/commits/{ref}/check-runs": ("get",),
    R + "/commits/{ref}/status": ("get",),
    R + "/commits/{ref}/statuses": ("get",),
    R + "/compare/{basehead}": ("get",),
    R + "/contents/{path}": ("get",),
    R + "/tags": ("get",),
    R + "/branches/{branch}": ("get",),
    R + "/pulls": ("get", "post"),
    R + "/pulls/{pull_number}": ("get", "patch"),
    R + "/pulls/{pull_number}/merge": ("put",),
    R + "/pulls/{pull_number}/commits": ("get",),
    R + "/pulls/{pull_number}/files": ("get",),
    R + "/pulls/{pull_number}/reviews": ("get", "post"),
    R + "/labels": ("get", "post"),
    R + "/issues/{issue_number}/labels": ("get", "post"),
    R + "/issues/{issue_number}/labels/{name}": ("delete",),
    R + "/issues/{issue_number}/comments": ("get", "post"),
    R + "/releases": ("get", "post"),
    R + "/releases/latest": ("get",),
    R + "/releases/tags/{tag}": ("get",),
    R + "/releases/{release_id}": ("get", "patch", "delete"),
    R + "/releases/{release_id}/assets": ("get", "post"),
    R + "/releases/assets/{asset_id}": ("get", "delete"),
    R + "/check-runs": ("post",),
    R + "/check-runs/{check_run_id}": ("get", "patch"),
    R + "/immutable-releases": ("get",),
    R + "/collaborators/{username}/permission": ("get",),
    R + "/issues": ("post",),
    R + "/deployments": ("get", "post"),
    R + "/deployments/{deployment_id}": ("get",),
    R + "/deployments/{deployment_id}/statuses": ("get", "post"),
    R + "/environments/{environment_name}": ("get",),
    R + "/actions/runs/{run_id}/approvals": ("get",),
    R + "/statuses/{sha}": ("post",),
    R + "/installation": ("get",),
    "/app/installations/{installation_id}/access_tokens": ("post",),
}

# Prose and examples are not needed for validation; dropping them keeps the file reviewable.
DROP = {"description", "summary", "examples", "example", "externalDocs", "x-github"}


def strip(node: object, in_properties: bool = False) -> object:
    """Drop documentation keys, but never a property that happens to be named like one."""
    if isinstance(node, dict):
        return {
            k: strip(v, in_properties=(k == "properties" and not in_properties))
            for k, v in node.items()
            if in_properties or k not in DROP
        }
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node


def refs_in(node: object) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            found.add(ref)
        for v in node.values():
            found |= refs_in(v)
    elif isinstance(node, list):
        for v in node:
            found |= refs_in(v)
    return found


def subset(spec: dict, version: str) -> dict:
    paths: dict[str, dict] = {}
    for path, methods in OPERATIONS.items():
        item = spec["paths"][path]
        paths[path] = {m: strip(item[m]) for m in methods}
        if "parameters" in item:
            paths[path]["parameters"] = strip(item["parameters"])
    components: dict[str, dict] = {}
    pending = refs_in(paths)
    seen: set[str] = set()
    while pending:
        ref = pending.pop()
        if ref in seen:
            continue
        seen.add(ref)
        _, _, kind, name = ref.split("/", 3)
        value = strip(spec["components"][kind][name])
        components.setdefault(kind, {})[name] = value
        pending |= refs_in(value)
    return {
        "openapi": spec["openapi"],
        "info": {
            "title": "Subset of GitHub's REST API description served by tests/fakegithub",
            "version": spec["info"]["version"],
        },
        "x-source": {
            "package": PACKAGE,
            "version": version,
            "file": "generated/api.github.com.json",
            "license": "MIT (GitHub, Inc.; octokit contributors)",
            "generator": "scripts/extract_openapi.py",
        },
        "paths": paths,
        "components": {k: dict(sorted(v.items())) for k, v in sorted(components.items())},
    }


def load_from_npm(version: str, workdir: Path) -> dict:
    subprocess.run(["npm", "pack", f"{PACKAGE}@{version}", "--silent"], cwd=workdir, check=True)
    (tgz,) = workdir.glob("*.tgz")
    with tarfile.open(tgz) as tar:
        member = tar.extractfile(MEMBER)
        if member is None:
            raise SystemExit(f"{MEMBER} missing from {tgz.name}")
        return json.load(member)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", type=Path, help="an already unpacked api.github.com.json")
    parser.add_argument("--version", default=VERSION, help="npm version of @octokit/openapi")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    if args.source:
        spec = json.loads(args.source.read_text(encoding="utf-8"))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            spec = load_from_npm(args.version, Path(tmp))
    result = subset(spec, args.version)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({len(result['paths'])} paths)")


if __name__ == "__main__":
    main()
