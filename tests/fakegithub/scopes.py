"""What an installation token may do: the repositories and permissions it was minted with.

GitHub narrows an installation access token to the `repositories` and `permissions` named in
the mint request (each must be within the installation's grant) and answers 403 "Resource not
accessible by integration" to anything outside them. The fake does the same for the
operations releaser calls; a token minted without a body keeps the installation's full grant.
"""

from __future__ import annotations

from dataclasses import dataclass

# What the fake App's installation was granted; a mint request may ask for a subset.
INSTALLATION_PERMISSIONS = {
    "metadata": "read",
    "contents": "write",
    "pull_requests": "write",
    "issues": "write",
    "checks": "write",
    "statuses": "read",
    "deployments": "write",
    "actions": "read",
}
LEVELS = {"read": 1, "write": 2}

# The first matching path prefix (below /repos/{owner}/{repo}) names the permission.
_RULES = (
    ("/commits/{ref}/check-runs", "checks"),
    ("/check-runs", "checks"),
    ("/commits/{ref}/status", "statuses"),
    ("/statuses", "statuses"),
    ("/commits/{commit_sha}/pulls", "pull_requests"),
    ("/pulls", "pull_requests"),
    ("/issues", "issues"),
    ("/labels", "issues"),
    ("/deployments", "deployments"),
    ("/environments", "deployments"),
    ("/actions", "actions"),
    ("/git", "contents"),
    ("/contents", "contents"),
    ("/commits", "contents"),
    ("/compare", "contents"),
    ("/tags", "contents"),
    ("/branches", "contents"),
    ("/releases", "contents"),
    ("/immutable-releases", "administration"),  # "admin read access" (GitHub's description)
)


@dataclass(frozen=True, slots=True)
class Scope:
    repositories: tuple[str, ...] | None  # None: every repository of the installation
    permissions: dict[str, str]


def required(method: str, template: str) -> tuple[str, str]:
    """(permission, level) an operation needs, from its OpenAPI path template."""
    level = "read" if method in ("GET", "HEAD") else "write"
    rest = template.removeprefix("/repos/{owner}/{repo}")
    if rest == template or rest == "":
        return "metadata", "read"
    for prefix, permission in _RULES:
        if rest.startswith(prefix):
            return permission, level
    return "metadata", "read"


def problem_with_request(body: object) -> str | None:
    """Why GitHub would refuse this mint request body (422), or None."""
    if not isinstance(body, dict):
        return None
    for name, level in (body.get("permissions") or {}).items():
        granted = INSTALLATION_PERMISSIONS.get(name)
        if granted is None or LEVELS.get(level, 9) > LEVELS[granted]:
            return "The permissions requested are not granted to this installation."
    return None


def allows(scope: Scope, repo: str | None, method: str, template: str) -> bool:
    if repo is not None and scope.repositories is not None:
        if repo.lower() not in (r.lower() for r in scope.repositories):
            return False
    permission, level = required(method, template)
    if permission == "metadata":
        return True
    granted = scope.permissions.get(permission)
    return granted is not None and LEVELS[granted] >= LEVELS[level]
