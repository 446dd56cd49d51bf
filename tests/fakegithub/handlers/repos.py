"""Repository, rate limit, commits, compare, contents, tags and branches (read from git)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from ..payloads import node_id
from .common import (
    ApiError,
    R,
    Request,
    Response,
    link_headers,
    not_found,
    ok,
    page_args,
    paginate,
    route,
)
from .gitdata import UNSIGNED, blob_json

if TYPE_CHECKING:
    from ..fake import FakeGitHub


@route("GET", R)
def get_repo(req: Request) -> Response:
    f = req.fake
    return ok(f.urls.full_repo(f.repo_id, f.default_branch, str(f.bare_path)))


@route("GET", "/rate_limit")
def rate_limit(req: Request) -> Response:
    reset = int(time.time()) + 3600
    core = {"limit": 5000, "remaining": 4999, "reset": reset, "used": 1}
    return ok(
        {"resources": {"core": core, "search": dict(core, limit=30, remaining=30)}, "rate": core}
    )


def commit_json(fake: FakeGitHub, sha: str, with_files: bool = False) -> dict[str, Any]:
    c = fake.git.read_commit(sha)
    api, html = fake.urls.repo_api, fake.urls.repo_html
    out: dict[str, Any] = {
        "url": f"{api}/commits/{sha}",
        "sha": sha,
        "node_id": node_id("Commit", sha),
        "html_url": f"{html}/commit/{sha}",
        "comments_url": f"{api}/commits/{sha}/comments",
        "commit": {
            "url": f"{api}/git/commits/{sha}",
            "author": fake.urls.git_person(c.author),
            "committer": fake.urls.git_person(c.committer),
            "message": c.message.rstrip("\n"),
            "comment_count": 0,
            "tree": {"sha": c.tree, "url": f"{api}/git/trees/{c.tree}"},
            "verification": dict(UNSIGNED),
        },
        "author": fake.urls.login_for(c.author),
        "committer": fake.urls.login_for(c.committer),
        "parents": [
            {"sha": p, "url": f"{api}/commits/{p}", "html_url": f"{html}/commit/{p}"}
            for p in c.parents
        ],
    }
    if with_files:
        files = files_json(fake, c.parents[0] if c.parents else None, sha)
        adds = sum(f["additions"] for f in files)
        dels = sum(f["deletions"] for f in files)
        out["stats"] = {"additions": adds, "deletions": dels, "total": adds + dels}
        out["files"] = files
    return out


def files_json(fake: FakeGitHub, base: str | None, head: str) -> list[dict[str, Any]]:
    html, api = fake.urls.repo_html, fake.urls.repo_api
    out = []
    for f in fake.git.diff_files(base, head):
        name = f["filename"]
        out.append(
            {
                **f,
                "blob_url": f"{html}/blob/{head}/{name}",
                "raw_url": f"{html}/raw/{head}/{name}",
                "contents_url": f"{api}/contents/{name}?ref={head}",
            }
        )
    return out


def resolve_or_404(fake: FakeGitHub, ref: str) -> str:
    sha = fake.git.resolve_commit(ref)
    if sha is None:
        raise ApiError(422, f"No commit found for SHA: {ref}")
    return sha


@route("GET", R + "/commits")
def list_commits(req: Request) -> Response:
    ref = req.q("sha") or req.fake.default_branch
    if req.fake.git.resolve_commit(ref) is None:
        if not req.fake.git.refs("refs/heads/"):
            raise ApiError(409, "Git Repository is empty.")
        raise not_found()
    args = [resolve_or_404(req.fake, ref)]
    if req.q("since"):
        args.append(f"--since={req.q('since')}")
    if req.q("path"):
        args += ["--", req.q("path") or ""]
    shas = req.fake.git.rev_list(*args)
    resp = paginate(req, shas)
    resp.body = [commit_json(req.fake, s) for s in resp.body]
    return resp


@route("GET", R + "/commits/{ref}")
def get_commit(req: Request) -> Response:
    sha = resolve_or_404(req.fake, req.params["ref"])
    return ok(commit_json(req.fake, sha, with_files=True))


@route("GET", R + "/compare/{basehead}")
def compare(req: Request) -> Response:
    fake, basehead = req.fake, req.params["basehead"]
    base_ref, sep, head_ref = basehead.partition("...")
    if not sep:
        base_ref, sep, head_ref = basehead.partition("..")
    if not sep:
        raise not_found()
    base, head = fake.git.resolve_commit(base_ref), fake.git.resolve_commit(head_ref)
    if base is None or head is None:
        raise not_found()
    mb = fake.git.merge_base(base, head)
    if mb is None:
        raise not_found()
    ahead = list(reversed(fake.git.rev_list(head, f"^{base}")))  # oldest first, like GitHub
    behind = fake.git.rev_list(base, f"^{head}")
    status = (
        "identical"
        if not ahead and not behind
        else "ahead"
        if not behind
        else "behind"
        if not ahead
        else "diverged"
    )
    # GitHub returns at most 250 commits unless paginated; files only on the first page.
    paginated = "page" in req.query or "per_page" in req.query
    page, per_page = page_args(req, default=250, maximum=250) if paginated else (1, 250)
    chunk = ahead[(page - 1) * per_page : page * per_page]
    api, html = fake.urls.repo_api, fake.urls.repo_html
    body = {
        "url": f"{api}/compare/{basehead}",
        "html_url": f"{html}/compare/{basehead}",
        "permalink_url": f"{html}/compare/{fake.owner}:{base[:7]}...{fake.owner}:{head[:7]}",
        "diff_url": f"{html}/compare/{basehead}.diff",
        "patch_url": f"{html}/compare/{basehead}.patch",
        "base_commit": commit_json(fake, base),
        "merge_base_commit": commit_json(fake, mb),
        "status": status,
        "ahead_by": len(ahead),
        "behind_by": len(behind),
        "total_commits": len(ahead),
        "commits": [commit_json(fake, s) for s in chunk],
        "files": files_json(fake, mb, head) if page == 1 else [],
    }
    headers = {}
    if paginated:
        headers = link_headers(req, page, per_page, max((len(ahead) + per_page - 1) // per_page, 1))
    return Response(200, body, headers)


@route("GET", R + "/contents/{path}")
def get_contents(req: Request) -> Response:
    fake, path = req.fake, req.params["path"].strip("/")
    ref = req.q("ref") or fake.default_branch
    commit = fake.git.resolve_commit(ref)
    if commit is None:
        raise not_found()
    sha = fake.git.resolve(f"{commit}:{path}")
    typ = fake.git.object_type(sha) if sha else None
    if sha is None or typ not in ("blob", "tree"):
        raise not_found()
    api, html = fake.urls.repo_api, fake.urls.repo_html

    def entry(p: str, s: str, t: str, size: int) -> dict[str, Any]:
        kind = "file" if t == "blob" else "dir"
        item = {
            "type": kind,
            "size": size,
            "name": p.rsplit("/", 1)[-1],
            "path": p,
            "sha": s,
            "url": f"{api}/contents/{p}?ref={ref}",
            "git_url": f"{api}/git/{t}s/{s}",
            "html_url": f"{html}/{'blob' if kind == 'file' else 'tree'}/{ref}/{p}",
            "download_url": f"{html}/raw/{ref}/{p}" if kind == "file" else None,
        }
        item["_links"] = {"self": item["url"], "git": item["git_url"], "html": item["html_url"]}
        return item

    if typ == "tree":
        rows = fake.git.ls_tree(sha)
        return ok([entry(f"{path}/{e.path}", e.sha, e.type, e.size or 0) for e in rows])
    data = fake.git.read_blob(sha)
    out = entry(path, sha, "blob", len(data))
    out.update(content=blob_json(fake, sha, data)["content"], encoding="base64")
    return ok(out)


@route("GET", R + "/tags")
def list_tags(req: Request) -> Response:
    fake = req.fake
    rows = sorted(fake.git.refs("refs/tags/"), key=lambda r: r[0], reverse=True)
    resp = paginate(req, rows)
    api = fake.urls.repo_api
    out = []
    for refname, _, _ in resp.body:
        name = refname.removeprefix("refs/tags/")
        sha = fake.git.resolve_commit(refname) or ""
        out.append(
            {
                "name": name,
                "commit": {"sha": sha, "url": f"{api}/commits/{sha}"},
                "zipball_url": f"{api}/zipball/refs/tags/{name}",
                "tarball_url": f"{api}/tarball/refs/tags/{name}",
                "node_id": node_id("Ref", refname),
            }
        )
    resp.body = out
    return resp


@route("GET", R + "/branches/{branch}")
def get_branch(req: Request) -> Response:
    fake, name = req.fake, req.params["branch"]
    sha = fake.git.resolve(f"refs/heads/{name}")
    if sha is None:
        raise ApiError(404, "Branch not found")
    api, html = fake.urls.repo_api, fake.urls.repo_html
    return ok(
        {
            "name": name,
            "commit": commit_json(fake, sha),
            "_links": {"self": f"{api}/branches/{name}", "html": f"{html}/tree/{name}"},
            "protected": False,
            "protection": {
                "enabled": False,
                "required_status_checks": {
                    "enforcement_level": "off",
                    "contexts": [],
                    "checks": [],
                },
            },
            "protection_url": f"{api}/branches/{name}/protection",
        }
    )


@route("GET", R + "/immutable-releases")
def immutable_releases(req: Request) -> Response:
    # GitHub answers 404 when the setting is off.
    if not req.fake.state.immutable_releases:
        raise not_found()
    return ok({"enabled": True, "enforced_by_owner": False})


# GitHub reports maintain as write and triage as read in `permission`; `role_name` is exact.
_LEGACY_PERMISSION = {"admin": "admin", "maintain": "write", "write": "write", "triage": "read"}


@route("GET", R + "/collaborators/{username}/permission")
def collaborator_permission(req: Request) -> Response:
    login = req.params["username"]
    role = req.fake.state.collaborators.get(login, "none" if login != req.fake.owner else "admin")
    user = req.fake.urls.user(login, "Bot" if login.endswith("[bot]") else "User")
    return ok(
        {
            "permission": _LEGACY_PERMISSION.get(role, role),
            "role_name": role,
            "user": user | {"role_name": role},
        }
    )
