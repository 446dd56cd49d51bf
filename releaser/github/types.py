"""What the GitHub adapter hands over: typed views of REST payloads (no PyGithub here)."""

from __future__ import annotations

from dataclasses import dataclass

from releaser.domain.commits import RawCommit
from releaser.domain.evidence import Check, Review


@dataclass(frozen=True, slots=True)
class PullInfo:
    number: int
    state: str
    merged: bool
    merge_commit_sha: str | None
    head_ref: str
    head_sha: str
    base_ref: str
    title: str
    body: str
    html_url: str
    labels: tuple[str, ...]
    author: str
    merged_by: str | None
    merged_at: str | None
    head_repo: str = ""  # owner/name of the head branch's repository ("" once a fork is deleted)
    author_type: str = ""  # "User" or "Bot"
    author_association: str = ""  # OWNER, MEMBER, COLLABORATOR, CONTRIBUTOR, NONE, ...


@dataclass(frozen=True, slots=True)
class AssetInfo:
    id: int
    name: str
    size: int
    digest: str | None  # "sha256:<hex>" where GitHub reports it


@dataclass(frozen=True, slots=True)
class ReleaseInfo:
    id: int
    tag_name: str
    draft: bool
    html_url: str
    upload_url: str
    assets: tuple[AssetInfo, ...]
    created_at: str = ""  # ISO 8601 UTC


def _pull(data: dict) -> PullInfo:
    return PullInfo(
        number=data["number"],
        state=data["state"],
        merged=bool(data.get("merged_at")),
        merge_commit_sha=data.get("merge_commit_sha"),
        head_ref=data["head"]["ref"],
        head_sha=data["head"]["sha"],
        base_ref=data["base"]["ref"],
        title=data.get("title") or "",
        body=data.get("body") or "",
        html_url=data.get("html_url") or "",
        labels=tuple(label["name"] for label in data.get("labels") or ()),
        author=(data.get("user") or {}).get("login", ""),
        merged_by=(data.get("merged_by") or {}).get("login"),
        merged_at=data.get("merged_at"),
        head_repo=(data["head"].get("repo") or {}).get("full_name") or "",
        author_type=(data.get("user") or {}).get("type") or "",
        author_association=data.get("author_association") or "",
    )


def _release(data: dict) -> ReleaseInfo:
    assets = tuple(
        AssetInfo(a["id"], a["name"], a["size"], a.get("digest")) for a in data.get("assets") or ()
    )
    return ReleaseInfo(
        data["id"],
        data["tag_name"],
        bool(data["draft"]),
        data["html_url"],
        data["upload_url"],
        assets,
        data.get("created_at") or "",
    )


def _raw_commit(data: dict) -> RawCommit:
    author = (data.get("commit") or {}).get("author") or {}
    return RawCommit(
        data["sha"],
        data["commit"]["message"],
        tuple(p["sha"] for p in data.get("parents") or ()),
        author.get("name", ""),
    )


def _login(user: dict | None) -> str:
    return (user or {}).get("login", "")


def _review(data: dict) -> Review:
    user = data.get("user") or {}
    login = _login(user)
    return Review(
        reviewer=login,
        state=data.get("state") or "",
        submitted_at=data.get("submitted_at") or "",
        commit_id=data.get("commit_id") or "",
        # A deleted account (user null) is no one: treated like a bot, it never counts.
        bot=user.get("type") == "Bot" or login.endswith("[bot]") or not login,
        association=data.get("author_association") or "",
    )


def _check_run(data: dict) -> Check:
    url = data.get("html_url") or data.get("details_url") or ""
    app = (data.get("app") or {}).get("slug") or ""
    return Check(data["name"], "check_run", data["status"], data.get("conclusion"), url, app)


def _status(data: dict) -> Check:
    state = data["state"]
    url = data.get("target_url") or ""
    creator = _login(data.get("creator"))
    if state == "pending":
        return Check(data["context"], "status", "pending", None, url, creator)
    return Check(data["context"], "status", "completed", state, url, creator)
