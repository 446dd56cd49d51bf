"""Compute the next release of every component from a history source (local git or the API)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from releaser.config import Config
from releaser.domain.commits import ParsedCommit, RawCommit, parse_commit
from releaser.domain.notes import Links
from releaser.domain.release import Release, plan_release, select_tags
from releaser.errors import GitError


class History(Protocol):
    """What the engine needs to know about a repository's history."""

    def head(self) -> str | None: ...
    def reachable_tags(self) -> dict[str, str]: ...
    def log(self, since: str | None, paths: tuple[str, ...] = ()) -> list[RawCommit]: ...
    def shas_since(self, since: str) -> frozenset[str]: ...
    def missing_history(self, commits: list[RawCommit], since: str | None) -> bool: ...


@dataclass(frozen=True, slots=True)
class EnginePlan:
    head: str | None
    releases: tuple[Release, ...]
    warnings: tuple[str, ...] = ()


_GITHUB_URL = re.compile(
    r"^(?:(?:https?|ssh|git)://(?:[^@/]+@)?(?P<h1>[^/:]+)(?::\d+)?/"
    r"|(?:[^@/]+@)?(?P<h2>[^/:]+):)(?P<path>[^/]+/[^/]+?)(?:\.git)?/?$"
)


def repo_url_from_remote(remote: str | None) -> str | None:
    """https://host/owner/name from an https or ssh remote, with any credentials dropped."""
    if not remote:
        return None
    match = _GITHUB_URL.match(remote.strip())
    if not match:
        return None
    host = match.group("h1") or match.group("h2")
    return f"https://{host}/{match.group('path')}"


def _reachable(tag, raw: list[RawCommit], head: str) -> bool:
    """A tag's commit is an ancestor of HEAD iff it is HEAD or a parent of a commit in tag..HEAD."""
    if tag is None or tag.sha == head:
        return True
    return any(tag.sha in commit.parents for commit in raw)


def _in_component(path: str) -> tuple[str, ...]:
    return () if path in ("", ".") else (path,)


def plan(history: History, config: Config, today: date, repo_url: str | None) -> EnginePlan:
    head = history.head()
    links = Links(config.repository_url or repo_url)
    if head is None:
        empty = tuple(
            Release(c.policy.name, c.policy.path, None, None, None, "none", None, "", (), ())
            for c in config.components
        )
        return EnginePlan(None, empty, ("the repository has no commits yet",))
    # Fast path: take the newest tag on trust and prove it reachable from the log's own parent
    # links; `--merged` walks the whole history and trusts commit dates (clock skew breaks it).
    fast = hasattr(history, "all_tags") and not config.monorepo
    tags = history.all_tags() if fast else history.reachable_tags()
    releases = []
    for component in config.components:
        policy = component.policy
        stable, latest = select_tags(tags, policy)
        since = stable if (latest is not None and latest.version.prerelease) else latest
        raw = history.log(since.sha if since else None, _in_component(policy.path))
        if fast and (since is not latest or not _reachable(since, raw, head)):
            tags = history.reachable_tags()
            fast = False
            stable, latest = select_tags(tags, policy)
            since = stable if (latest is not None and latest.version.prerelease) else latest
            raw = history.log(since.sha if since else None, _in_component(policy.path))
        if history.missing_history(raw, since.sha if since else None):
            raise GitError(
                "history is incomplete: this is a shallow clone and the commits since "
                f"{since.name if since else 'the first commit'} are not all present",
                hint="fetch full history, e.g. actions/checkout with fetch-depth: 0",
            )
        parsed: tuple[ParsedCommit, ...] = tuple(
            parse_commit(c, config.squash_bullets, config.types) for c in raw
        )
        new_since_latest = None
        if latest is not None and since is not latest:
            new_since_latest = history.shas_since(latest.sha)
        releases.append(
            plan_release(
                policy, stable, latest, parsed, new_since_latest, links, today, config.sections
            )
        )
    return EnginePlan(head, tuple(releases))


def release_json(release: Release) -> dict:
    commits = []
    for commit in release.commits:
        for entry in commit.entries:
            commits.append(
                {
                    "sha": entry.sha,
                    "type": entry.type,
                    "scope": entry.scope,
                    "breaking": entry.breaking,
                    "subject": entry.subject,
                }
            )
    return {
        "component": release.component,
        "path": release.path,
        "previous_version": release.previous_version,
        "previous_tag": release.previous_tag,
        "version": release.version,
        "bump": release.bump,
        "tag": release.tag,
        "notes": release.notes,
        "commits": commits,
        "warnings": list(release.warnings),
    }
