"""Non-git server state (pulls, reviews, labels, comments, releases, checks, deployments)
behind one lock."""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .scopes import Scope


@dataclass(slots=True)
class Label:
    id: int
    name: str
    color: str = "ededed"
    description: str | None = None


@dataclass(slots=True)
class Comment:
    id: int
    issue: int
    body: str
    user: str
    created_at: float


@dataclass(slots=True)
class Review:
    id: int
    pull: int
    user: str
    state: str  # APPROVED | CHANGES_REQUESTED | COMMENTED
    body: str
    commit_id: str
    submitted_at: float
    association: str = "MEMBER"  # author_association as GitHub reports it


@dataclass(slots=True)
class Pull:
    number: int
    id: int
    title: str
    body: str | None
    head: str  # branch name
    base: str
    user: str
    created_at: float
    updated_at: float
    draft: bool = False
    state: str = "open"
    head_sha: str = ""  # pinned at merge/close; open PRs follow the branch
    base_sha: str = ""
    closed_at: float | None = None
    merged_at: float | None = None
    merged_by: str | None = None
    merge_commit_sha: str | None = None
    labels: list[str] = field(default_factory=list)
    commit_shas: list[str] = field(default_factory=list)  # recorded at merge time
    landed_shas: list[str] = field(default_factory=list)  # what the merge put on the base
    head_repo: str = ""  # "owner/name" of a fork holding the head branch; "" for this repo


@dataclass(slots=True)
class Asset:
    id: int
    release_id: int
    name: str
    label: str | None
    content_type: str
    data: bytes
    uploader: str
    created_at: float
    download_count: int = 0


@dataclass(slots=True)
class Release:
    id: int
    tag_name: str
    target_commitish: str
    name: str | None
    body: str | None
    draft: bool
    prerelease: bool
    author: str
    created_at: float
    published_at: float | None
    assets: list[Asset] = field(default_factory=list)


@dataclass(slots=True)
class CheckRun:
    id: int
    head_sha: str
    name: str
    status: str
    conclusion: str | None
    started_at: float
    completed_at: float | None
    details_url: str | None = None
    external_id: str | None = None
    title: str | None = None
    summary: str | None = None
    app: str = ""  # the slug of the GitHub App that created it; "" is the fake's own App


@dataclass(slots=True)
class Status:
    id: int
    sha: str
    state: str
    context: str
    description: str | None
    target_url: str | None
    creator: str
    created_at: float


@dataclass(slots=True)
class DeploymentStatus:
    id: int
    state: str
    description: str
    environment: str
    target_url: str
    log_url: str
    environment_url: str
    creator: str
    created_at: float


@dataclass(slots=True)
class Deployment:
    id: int
    sha: str
    ref: str
    task: str
    payload: object  # a JSON object or a string, as given
    environment: str
    description: str | None
    creator: str
    created_at: float
    transient: bool = False
    production: bool = False
    statuses: list[DeploymentStatus] = field(default_factory=list)  # oldest first


@dataclass(slots=True)
class Environment:
    id: int
    name: str
    reviewers: list[str] = field(default_factory=list)  # required reviewers (users)
    created_at: float = 0.0


@dataclass(slots=True)
class Approval:
    environment: str
    state: str  # approved | rejected | pending
    user: str
    comment: str


@dataclass(slots=True)
class Issue:
    number: int
    id: int
    title: str
    body: str | None
    user: str
    created_at: float
    labels: list[str] = field(default_factory=list)


@dataclass(slots=True)
class State:
    """Everything the fake keeps outside git. Guard access with `lock`."""

    lock: threading.RLock = field(default_factory=threading.RLock)
    ids: itertools.count = field(default_factory=lambda: itertools.count(1000))
    numbers: itertools.count = field(default_factory=lambda: itertools.count(1))
    labels: dict[str, Label] = field(default_factory=dict)
    comments: list[Comment] = field(default_factory=list)
    pulls: dict[int, Pull] = field(default_factory=dict)
    reviews: list[Review] = field(default_factory=list)
    releases: dict[int, Release] = field(default_factory=dict)
    check_runs: list[CheckRun] = field(default_factory=list)
    statuses: list[Status] = field(default_factory=list)
    tokens: dict[str, str] = field(default_factory=dict)  # token -> login
    # login -> permission (admin | maintain | write | triage | read); anyone else has none
    collaborators: dict[str, str] = field(default_factory=dict)
    immutable_releases: bool = False
    scopes: dict[str, Scope] = field(default_factory=dict)  # installation token -> its scope
    issues: dict[int, Issue] = field(default_factory=dict)  # plain issues (not pulls)
    deployments: dict[int, Deployment] = field(default_factory=dict)
    environments: dict[str, Environment] = field(default_factory=dict)
    run_approvals: dict[int, list[Approval]] = field(default_factory=dict)  # run id -> reviews

    def next_id(self) -> int:
        return next(self.ids)

    def next_number(self) -> int:
        return next(self.numbers)

    def asset(self, asset_id: int) -> Asset | None:
        for rel in self.releases.values():
            for a in rel.assets:
                if a.id == asset_id:
                    return a
        return None


def now() -> float:
    return float(int(time.time()))
