"""Builders for GitHub-shaped JSON objects: users, repositories, git people, url sets."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from typing import Any

from .gitbackend import Person


def iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def git_date(p: Person) -> str:
    # git stores "<epoch> <tz>"; GitHub reports the same instant in UTC.
    return iso(int(p.date.split(" ", 1)[0])) or ""


def node_id(kind: str, ident: object) -> str:
    return base64.b64encode(f"0:{kind}{ident}".encode()).decode().rstrip("=")


def user_id(login: str) -> int:
    return int(hashlib.sha256(login.encode()).hexdigest()[:7], 16)


class Urls:
    """All URLs of one fake host (GHES layout: API under /api/v3, uploads under /api/uploads)."""

    def __init__(self, port: int, owner: str, repo: str) -> None:
        self.web = f"http://127.0.0.1:{port}"
        self.api = f"{self.web}/api/v3"
        self.uploads = f"{self.web}/api/uploads"
        self.owner, self.name = owner, repo
        self.repo_api = f"{self.api}/repos/{owner}/{repo}"
        self.repo_html = f"{self.web}/{owner}/{repo}"

    def user(self, login: str, kind: str | None = None) -> dict[str, Any]:
        # GitHub Apps and the workflow token act as "<slug>[bot]" accounts of type Bot.
        kind = kind or ("Bot" if login.endswith("[bot]") else "User")
        u = f"{self.api}/users/{login}"
        return {
            "login": login,
            "id": user_id(login),
            "node_id": node_id("User", login),
            "avatar_url": f"{self.web}/avatars/u/{user_id(login)}",
            "gravatar_id": "",
            "url": u,
            "html_url": f"{self.web}/{login}",
            "followers_url": f"{u}/followers",
            "following_url": f"{u}/following{{/other_user}}",
            "gists_url": f"{u}/gists{{/gist_id}}",
            "starred_url": f"{u}/starred{{/owner}}{{/repo}}",
            "subscriptions_url": f"{u}/subscriptions",
            "organizations_url": f"{u}/orgs",
            "repos_url": f"{u}/repos",
            "events_url": f"{u}/events{{/privacy}}",
            "received_events_url": f"{u}/received_events",
            "type": kind,
            "user_view_type": "public",
            "site_admin": False,
        }

    def git_person(self, p: Person) -> dict[str, str]:
        return {"name": p.name, "email": p.email, "date": git_date(p)}

    def login_for(self, p: Person) -> dict[str, Any] | None:
        # GitHub links commits to accounts by email; the fake maps "<login>@users.noreply..." style
        # and anything else to a login derived from the local part.
        local = p.email.split("@", 1)[0].split("+")[-1]
        return self.user(local) if local else None

    def minimal_repo(self, repo_id: int) -> dict[str, Any]:
        a, h = self.repo_api, self.repo_html
        keys = {
            "archive_url": "/{archive_format}{/ref}",
            "assignees_url": "/assignees{/user}",
            "blobs_url": "/git/blobs{/sha}",
            "branches_url": "/branches{/branch}",
            "collaborators_url": "/collaborators{/collaborator}",
            "comments_url": "/comments{/number}",
            "commits_url": "/commits{/sha}",
            "compare_url": "/compare/{base}...{head}",
            "contents_url": "/contents/{+path}",
            "contributors_url": "/contributors",
            "deployments_url": "/deployments",
            "downloads_url": "/downloads",
            "events_url": "/events",
            "forks_url": "/forks",
            "git_commits_url": "/git/commits{/sha}",
            "git_refs_url": "/git/refs{/sha}",
            "git_tags_url": "/git/tags{/sha}",
            "hooks_url": "/hooks",
            "issue_comment_url": "/issues/comments{/number}",
            "issue_events_url": "/issues/events{/number}",
            "issues_url": "/issues{/number}",
            "keys_url": "/keys{/key_id}",
            "labels_url": "/labels{/name}",
            "languages_url": "/languages",
            "merges_url": "/merges",
            "milestones_url": "/milestones{/number}",
            "notifications_url": "/notifications{?since,all,participating}",
            "pulls_url": "/pulls{/number}",
            "releases_url": "/releases{/id}",
            "stargazers_url": "/stargazers",
            "statuses_url": "/statuses/{sha}",
            "subscribers_url": "/subscribers",
            "subscription_url": "/subscription",
            "tags_url": "/tags",
            "teams_url": "/teams",
            "trees_url": "/git/trees{/sha}",
        }
        out: dict[str, Any] = {k: a + v for k, v in keys.items()}
        out.update(
            id=repo_id,
            node_id=node_id("Repository", repo_id),
            name=self.name,
            full_name=f"{self.owner}/{self.name}",
            owner=self.user(self.owner, "Organization"),
            private=False,
            html_url=h,
            description="Fake repository served by tests/fakegithub",
            fork=False,
            url=a,
        )
        return out

    def full_repo(self, repo_id: int, default_branch: str, bare_path: str) -> dict[str, Any]:
        out = self.minimal_repo(repo_id)
        stamp = "2024-01-01T00:00:00Z"
        out.update(
            clone_url=f"{self.repo_html}.git",
            git_url=f"git://127.0.0.1/{self.owner}/{self.name}.git",
            ssh_url=f"git@127.0.0.1:{self.owner}/{self.name}.git",
            svn_url=self.repo_html,
            mirror_url=None,
            homepage=None,
            language="Python",
            default_branch=default_branch,
            forks=0,
            forks_count=0,
            stargazers_count=0,
            watchers=0,
            watchers_count=0,
            subscribers_count=0,
            network_count=0,
            size=1,
            open_issues=0,
            open_issues_count=0,
            has_issues=True,
            has_projects=False,
            has_wiki=False,
            has_pages=False,
            has_downloads=True,
            has_discussions=False,
            archived=False,
            disabled=False,
            license=None,
            visibility="public",
            pushed_at=stamp,
            created_at=stamp,
            updated_at=stamp,
            allow_squash_merge=True,
            allow_merge_commit=True,
            allow_rebase_merge=True,
            permissions={
                "admin": True,
                "maintain": True,
                "push": True,
                "triage": True,
                "pull": True,
            },
        )
        return out
