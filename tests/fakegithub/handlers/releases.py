"""Releases and release assets (uploads via the uploads host, downloads via a 302 like GitHub)."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ..payloads import iso, node_id
from ..state import Asset, Release, now
from .common import (
    RELEASE_BODY_LIMIT,
    ApiError,
    R,
    Request,
    Response,
    check_body,
    no_content,
    not_found,
    ok,
    paginate,
    route,
)

if TYPE_CHECKING:
    from ..fake import FakeGitHub


def asset_json(fake: FakeGitHub, a: Asset) -> dict[str, Any]:
    rel = fake.state.releases[a.release_id]
    return {
        "url": f"{fake.urls.repo_api}/releases/assets/{a.id}",
        "browser_download_url": f"{fake.urls.repo_html}/releases/download/"
        f"{quote(rel.tag_name)}/{quote(a.name)}",
        "id": a.id,
        "node_id": node_id("ReleaseAsset", a.id),
        "name": a.name,
        "label": a.label,
        "state": "uploaded",
        "content_type": a.content_type,
        "size": len(a.data),
        "digest": "sha256:" + hashlib.sha256(a.data).hexdigest(),
        "download_count": a.download_count,
        "created_at": iso(a.created_at),
        "updated_at": iso(a.created_at),
        "uploader": fake.urls.user(a.uploader),
    }


def release_json(fake: FakeGitHub, r: Release) -> dict[str, Any]:
    api, html = fake.urls.repo_api, fake.urls.repo_html
    url = f"{api}/releases/{r.id}"
    tag_path = r.tag_name if not r.draft else f"untagged-{r.id}"
    return {
        "url": url,
        "html_url": f"{html}/releases/tag/{tag_path}",
        "assets_url": f"{url}/assets",
        "upload_url": f"{fake.urls.uploads}/repos/{fake.owner}/{fake.repo}/releases/{r.id}"
        "/assets{?name,label}",
        "tarball_url": f"{api}/tarball/{r.tag_name}",
        "zipball_url": f"{api}/zipball/{r.tag_name}",
        "id": r.id,
        "node_id": node_id("Release", r.id),
        "tag_name": r.tag_name,
        "target_commitish": r.target_commitish,
        "name": r.name,
        "body": r.body,
        "draft": r.draft,
        "prerelease": r.prerelease,
        "immutable": False,
        "created_at": iso(r.created_at),
        "published_at": iso(r.published_at),
        "author": fake.urls.user(r.author),
        "assets": [asset_json(fake, a) for a in r.assets],
    }


def _ensure_tag(fake: FakeGitHub, r: Release) -> None:
    # Publishing a release for a missing tag creates it at target_commitish, as GitHub does.
    if fake.git.resolve(f"refs/tags/{r.tag_name}") is not None:
        return
    sha = fake.git.resolve_commit(r.target_commitish)
    if sha is None:
        raise ApiError(
            422,
            "Validation Failed",
            [{"resource": "Release", "code": "invalid", "field": "target_commitish"}],
        )
    fake.git.update_ref(f"refs/tags/{r.tag_name}", sha, "0" * 40)


def _release(req: Request) -> Release:
    r = req.fake.state.releases.get(int(req.params["release_id"]))
    if r is None:
        raise not_found()
    return r


def _duplicate(field: str, resource: str) -> ApiError:
    return ApiError(
        422, "Validation Failed", [{"resource": resource, "code": "already_exists", "field": field}]
    )


@route("GET", R + "/releases")
def list_releases(req: Request) -> Response:
    rows = sorted(req.fake.state.releases.values(), key=lambda r: r.id, reverse=True)
    resp = paginate(req, rows)
    resp.body = [release_json(req.fake, r) for r in resp.body]
    return resp


@route("POST", R + "/releases")
def create_release(req: Request) -> Response:
    fake = req.fake
    check_body(req.json("body"), RELEASE_BODY_LIMIT, "Release")
    tag = req.json("tag_name")
    # Like GitHub: drafts may share a tag (racing clients make such twins); a published
    # release owns its tag.
    if any(r.tag_name == tag and not r.draft for r in fake.state.releases.values()):
        raise _duplicate("tag_name", "Release")
    draft = bool(req.json("draft", False))
    t = now()
    r = Release(
        fake.state.next_id(),
        tag,
        req.json("target_commitish") or fake.default_branch,
        req.json("name"),
        req.json("body"),
        draft,
        bool(req.json("prerelease", False)),
        req.login,
        t,
        None if draft else t,
    )
    if not draft:
        _ensure_tag(fake, r)
    fake.state.releases[r.id] = r
    return ok(release_json(fake, r), 201)


@route("GET", R + "/releases/latest")
def latest_release(req: Request) -> Response:
    rows = [r for r in req.fake.state.releases.values() if not r.draft and not r.prerelease]
    if not rows:
        raise not_found()
    return ok(release_json(req.fake, max(rows, key=lambda r: (r.published_at or 0, r.id))))


@route("GET", R + "/releases/tags/{tag}")
def release_by_tag(req: Request) -> Response:
    for r in req.fake.state.releases.values():
        if r.tag_name == req.params["tag"] and not r.draft:  # drafts are invisible by tag
            return ok(release_json(req.fake, r))
    raise not_found()


@route("GET", R + "/releases/{release_id}")
def get_release(req: Request) -> Response:
    return ok(release_json(req.fake, _release(req)))


@route("PATCH", R + "/releases/{release_id}")
def update_release(req: Request) -> Response:
    r = _release(req)
    check_body(req.json("body"), RELEASE_BODY_LIMIT, "Release")
    tag = req.json("tag_name")
    if tag and tag != r.tag_name:
        if any(o.tag_name == tag for o in req.fake.state.releases.values()):
            raise _duplicate("tag_name", "Release")
        r.tag_name = tag
    for field in ("target_commitish", "name", "body", "prerelease"):
        if req.json(field) is not None:
            setattr(r, field, req.json(field))
    if req.json("draft") is False and r.draft:
        others = (o for o in req.fake.state.releases.values() if o.id != r.id and not o.draft)
        if any(o.tag_name == r.tag_name for o in others):
            raise _duplicate("tag_name", "Release")
        _ensure_tag(req.fake, r)
        r.draft, r.published_at = False, now()
    elif req.json("draft") is True:
        r.draft = True
    return ok(release_json(req.fake, r))


@route("DELETE", R + "/releases/{release_id}")
def delete_release(req: Request) -> Response:
    del req.fake.state.releases[_release(req).id]
    return no_content()


@route("GET", R + "/releases/{release_id}/assets")
def list_assets(req: Request) -> Response:
    resp = paginate(req, list(_release(req).assets))
    resp.body = [asset_json(req.fake, a) for a in resp.body]
    return resp


@route("POST", R + "/releases/{release_id}/assets")
def upload_asset(req: Request) -> Response:
    r = _release(req)
    name = req.q("name") or ""
    if any(a.name == name for a in r.assets):
        raise _duplicate("name", "ReleaseAsset")
    ctype = req.headers.get("content-type", "application/octet-stream")
    a = Asset(
        req.fake.state.next_id(), r.id, name, req.q("label"), ctype, req.raw, req.login, now()
    )
    r.assets.append(a)
    return ok(asset_json(req.fake, a), 201)


def _asset(req: Request) -> Asset:
    a = req.fake.state.asset(int(req.params["asset_id"]))
    if a is None:
        raise not_found()
    return a


@route("GET", R + "/releases/assets/{asset_id}")
def get_asset(req: Request) -> Response:
    a = _asset(req)
    if "application/octet-stream" in req.headers.get("accept", ""):
        # GitHub redirects to a storage host; PyGithub only follows redirects under /api/.
        location = f"{req.fake.urls.web}/api/_downloads/{a.id}/{quote(a.name)}"
        return Response(302, None, {"Location": location})
    return ok(asset_json(req.fake, a))


@route("DELETE", R + "/releases/assets/{asset_id}")
def delete_asset(req: Request) -> Response:
    a = _asset(req)
    req.fake.state.releases[a.release_id].assets.remove(a)
    return no_content()
