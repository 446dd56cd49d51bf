"""Git Data API: refs, blobs, trees, commits and annotated tags, straight from git plumbing."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..gitbackend import Person
from ..payloads import node_id
from ..state import now
from .common import ApiError, R, Request, Response, not_found, ok, route, unprocessable

if TYPE_CHECKING:
    from ..fake import FakeGitHub

UNSIGNED = {
    "verified": False,
    "reason": "unsigned",
    "signature": None,
    "payload": None,
    "verified_at": None,
}


def person_from(data: dict[str, Any] | None, fallback: Person | None) -> Person | None:
    if not data:
        return fallback
    when = data.get("date")
    epoch = int(datetime.fromisoformat(when).timestamp()) if when else int(now())
    return Person(data["name"], data["email"], f"{epoch} +0000")


def ref_json(fake: FakeGitHub, refname: str, sha: str, typ: str) -> dict[str, Any]:
    api = fake.urls.repo_api
    plural = {"commit": "commits", "tag": "tags", "tree": "trees", "blob": "blobs"}[typ]
    return {
        "ref": refname,
        "node_id": node_id("Ref", refname),
        "url": f"{api}/git/{refname}",
        "object": {"type": typ, "sha": sha, "url": f"{api}/git/{plural}/{sha}"},
    }


def git_commit_json(fake: FakeGitHub, sha: str) -> dict[str, Any]:
    c = fake.git.read_commit(sha)
    api, html = fake.urls.repo_api, fake.urls.repo_html
    return {
        "sha": sha,
        "node_id": node_id("Commit", sha),
        "url": f"{api}/git/commits/{sha}",
        "html_url": f"{html}/commit/{sha}",
        "author": fake.urls.git_person(c.author),
        "committer": fake.urls.git_person(c.committer),
        "tree": {"sha": c.tree, "url": f"{api}/git/trees/{c.tree}"},
        "message": c.message.rstrip("\n"),
        "parents": [
            {"sha": p, "url": f"{api}/git/commits/{p}", "html_url": f"{html}/commit/{p}"}
            for p in c.parents
        ],
        "verification": dict(UNSIGNED),
    }


def tree_json(fake: FakeGitHub, tree: str, recursive: bool) -> dict[str, Any]:
    api = fake.urls.repo_api
    entries = []
    for e in fake.git.ls_tree(tree, recursive):
        item: dict[str, Any] = {"path": e.path, "mode": e.mode, "type": e.type, "sha": e.sha}
        if e.type == "blob":
            item["size"] = e.size
        item["url"] = f"{api}/git/{e.type}s/{e.sha}"
        entries.append(item)
    return {"sha": tree, "url": f"{api}/git/trees/{tree}", "tree": entries, "truncated": False}


def _exact_ref(fake: FakeGitHub, ref: str) -> tuple[str, str, str] | None:
    full = "refs/" + ref
    return next((r for r in fake.git.refs(full) if r[0] == full), None)


@route("GET", R + "/git/ref/{ref}")
def get_ref(req: Request) -> Response:
    found = _exact_ref(req.fake, req.params["ref"])
    if found is None:
        raise not_found()
    return ok(ref_json(req.fake, *found))


@route("GET", R + "/git/matching-refs/{ref}")
def matching_refs(req: Request) -> Response:
    prefix = "refs/" + req.params["ref"]
    refs = [r for r in req.fake.git.refs("refs/") if r[0].startswith(prefix)]
    return ok([ref_json(req.fake, *r) for r in refs])


@route("POST", R + "/git/refs")
def create_ref(req: Request) -> Response:
    ref, sha = req.json("ref"), req.json("sha")
    if not ref.startswith("refs/") or ref.count("/") < 2:
        raise unprocessable("Reference name must start with 'refs/' and have at least two slashes.")
    typ = req.fake.git.object_type(sha)
    if typ is None:
        raise unprocessable("Object does not exist")
    if req.fake.git.resolve(ref) is not None:
        raise unprocessable("Reference already exists")
    req.fake.git.update_ref(ref, sha, "0" * 40)
    return ok(ref_json(req.fake, ref, sha, typ), 201)


@route("PATCH", R + "/git/refs/{ref}")
def update_ref(req: Request) -> Response:
    found = _exact_ref(req.fake, req.params["ref"])
    if found is None:
        raise unprocessable("Reference does not exist")
    refname, old, _ = found
    new = req.json("sha")
    typ = req.fake.git.object_type(new)
    if typ is None:
        raise unprocessable("Object does not exist")
    if not req.json("force", False) and not req.fake.git.is_ancestor(old, new):
        raise unprocessable("Update is not a fast forward")
    req.fake.git.update_ref(refname, new, old)
    return ok(ref_json(req.fake, refname, new, typ))


@route("DELETE", R + "/git/refs/{ref}")
def delete_ref(req: Request) -> Response:
    found = _exact_ref(req.fake, req.params["ref"])
    if found is None:
        raise unprocessable("Reference does not exist")
    req.fake.git.delete_ref(found[0])
    return Response(204, None)


@route("POST", R + "/git/blobs")
def create_blob(req: Request) -> Response:
    content, encoding = req.json("content"), req.json("encoding", "utf-8")
    if encoding == "base64":
        data = base64.b64decode(content)
    elif encoding in ("utf-8", "utf8"):
        data = content.encode("utf-8")
    else:
        raise unprocessable(f"encoding must be utf-8 or base64, not {encoding}")
    sha = req.fake.git.hash_blob(data)
    return ok({"url": f"{req.fake.urls.repo_api}/git/blobs/{sha}", "sha": sha}, 201)


@route("GET", R + "/git/blobs/{file_sha}")
def get_blob(req: Request) -> Response:
    sha = req.params["file_sha"]
    if req.fake.git.object_type(sha) != "blob":
        raise not_found()
    data = req.fake.git.read_blob(sha)
    return ok(blob_json(req.fake, sha, data))


def blob_json(fake: FakeGitHub, sha: str, data: bytes) -> dict[str, Any]:
    encoded = base64.b64encode(data).decode("ascii")
    # GitHub wraps base64 content at 60 characters per line.
    wrapped = "\n".join(encoded[i : i + 60] for i in range(0, len(encoded), 60))
    return {
        "sha": sha,
        "node_id": node_id("Blob", sha),
        "size": len(data),
        "url": f"{fake.urls.repo_api}/git/blobs/{sha}",
        "content": wrapped + ("\n" if wrapped else ""),
        "encoding": "base64",
    }


@route("POST", R + "/git/trees")
def create_tree(req: Request) -> Response:
    git = req.fake.git
    base = req.json("base_tree")
    if base is not None:
        base = git.resolve(f"{base}^{{tree}}")
        if base is None:
            raise unprocessable("base_tree is not a valid tree oid")
    changes: dict[str, tuple | None] = {}
    for entry in req.json("tree", []):
        path = entry["path"]
        if "content" in entry:
            sha = git.hash_blob(entry["content"].encode("utf-8"))
        elif entry.get("sha") is None:
            changes[path] = None
            continue
        else:
            sha = entry["sha"]
            if git.object_type(sha) is None:
                raise unprocessable(f"tree.sha {sha} is not a valid blob")
        changes[path] = (entry.get("mode", "100644"), entry.get("type", "blob"), sha)
    tree = git.tree_with_changes(base, changes)
    return ok(tree_json(req.fake, tree, recursive=False), 201)


@route("GET", R + "/git/trees/{tree_sha}")
def get_tree(req: Request) -> Response:
    tree = req.fake.git.resolve(f"{req.params['tree_sha']}^{{tree}}")
    if tree is None:
        raise not_found()
    recursive = req.q("recursive") not in (None, "", "0", "false")
    return ok(tree_json(req.fake, tree, recursive))


@route("POST", R + "/git/commits")
def create_commit(req: Request) -> Response:
    git = req.fake.git
    tree, parents = req.json("tree"), req.json("parents", [])
    if git.object_type(tree) != "tree":
        raise unprocessable("Tree SHA does not exist")
    for p in parents:
        if git.object_type(p) != "commit":
            raise unprocessable("Parent SHA does not exist or is not a commit object")
    bot = req.fake.urls.user(req.login)
    default = Person(
        req.login, f"{bot['id']}+{req.login}@users.noreply.github.com", f"{int(now())} +0000"
    )
    author = person_from(req.json("author"), default)
    committer = person_from(req.json("committer"), author)
    sha = git.commit_tree(tree, parents, req.json("message"), author, committer)
    return ok(git_commit_json(req.fake, sha), 201)


@route("GET", R + "/git/commits/{commit_sha}")
def get_commit(req: Request) -> Response:
    sha = req.params["commit_sha"]
    if req.fake.git.object_type(sha) != "commit":
        raise not_found()
    return ok(git_commit_json(req.fake, req.fake.git.resolve(sha) or sha))


def tag_json(fake: FakeGitHub, sha: str) -> dict[str, Any]:
    t = fake.git.read_tag(sha)
    api = fake.urls.repo_api
    return {
        "node_id": node_id("Tag", sha),
        "tag": t.tag,
        "sha": sha,
        "url": f"{api}/git/tags/{sha}",
        "message": t.message,
        "tagger": fake.urls.git_person(t.tagger),
        "object": {
            "type": t.object_type,
            "sha": t.object_sha,
            "url": f"{api}/git/{t.object_type}s/{t.object_sha}",
        },
        "verification": dict(UNSIGNED),
    }


@route("POST", R + "/git/tags")
def create_tag(req: Request) -> Response:
    git = req.fake.git
    obj, typ = req.json("object"), req.json("type")
    if git.object_type(obj) != typ:
        raise unprocessable("Object does not exist")
    tagger = person_from(
        req.json("tagger"), Person(req.login, "bot@fake.invalid", f"{int(now())} +0000")
    )
    assert tagger is not None
    message = req.json("message")
    sha = git.mktag(
        req.json("tag"), obj, typ, message if message.endswith("\n") else message + "\n", tagger
    )
    return ok(tag_json(req.fake, sha), 201)


@route("GET", R + "/git/tags/{tag_sha}")
def get_tag(req: Request) -> Response:
    sha = req.params["tag_sha"]
    if req.fake.git.object_type(sha) != "tag":
        raise not_found()
    return ok(tag_json(req.fake, sha))


__all__ = ["ApiError"]
