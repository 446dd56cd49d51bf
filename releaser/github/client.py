"""The GitHub adapter: the only code that imports PyGithub (here and in its siblings)."""

from __future__ import annotations

import base64
from urllib.parse import quote

import jwt  # PyJWT, PyGithub's dependency for App auth
from github import Auth, GithubException, GithubIntegration
from github.GithubException import UnknownObjectException

from releaser.domain.commits import RawCommit
from releaser.domain.evidence import Check, Review
from releaser.errors import GitHubError, StateConflict
from releaser.github.base import PER_PAGE
from releaser.github.checks import Checks
from releaser.github.deployments import Deployments
from releaser.github.permissions import within
from releaser.github.releases import Releases
from releaser.github.tags import Tags
from releaser.github.types import (
    PullInfo,
    _check_run,
    _login,
    _pull,
    _raw_commit,
    _review,
    _status,
)


def mint_app_token(
    api_url: str, app_id: str, private_key: str, repository: str, permissions: dict[str, str]
) -> str:
    """An installation token for `repository` only, holding only `permissions` (GitHub App
    permission names to "read"/"write"), from a GitHub App's id and private key."""
    owner, name = repository.split("/", 1)
    try:
        integration = GithubIntegration(
            # The numeric App ID, or the App's client ID (GitHub accepts either as JWT issuer).
            auth=Auth.AppAuth(int(app_id) if app_id.isdigit() else app_id, private_key),
            base_url=api_url,
        )
        installation = integration.get_repo_installation(owner, name)
        held = installation.permissions or {}
        # PyGithub's get_access_token cannot name repositories; the endpoint takes both.
        body = {"repositories": [name], "permissions": within(permissions, held)}
        data = integration.requester.requestJsonAndCheck(
            "POST", f"/app/installations/{installation.id}/access_tokens", input=body
        )[1]
        return data["token"]
    except (ValueError, TypeError, jwt.PyJWTError) as exc:
        raise GitHubError(f"app-id / app-private-key are not usable: {exc}") from None
    except GithubException as exc:
        raise GitHubError(f"could not mint a GitHub App token: HTTP {exc.status}") from None


def _unreadable(exc: GithubException, what: str, permission: str) -> str:
    """The gap a token without `permission` leaves; any other failure is raised."""
    if exc.status not in (403, 404):
        raise exc
    return f"{what} (HTTP {exc.status}; grant `{permission}`)"


class GitHub(Releases, Deployments, Tags, Checks):
    """A repository on GitHub (or GHES), with writes that look before they repeat."""

    # -- repository ----------------------------------------------------------------------------
    def default_branch(self) -> str:
        return self._get("")["default_branch"]

    def ref_sha(self, ref: str) -> str | None:
        """`tags/v1.0.0` or `heads/main` -> the commit it points at (peeling annotated tags)."""
        data = self._get_or_none(f"/git/ref/{quote(ref)}")
        if data is None or data.get("ref") != f"refs/{ref}":
            return None
        obj = data["object"]
        if obj["type"] == "tag":
            return self._get(f"/git/tags/{obj['sha']}")["object"]["sha"]
        return obj["sha"]

    def create_ref(self, ref: str, sha: str) -> bool:
        """True when this call made the ref; False when it was there at `sha` already (GitHub
        said "Reference already exists", or a retried write had landed: maybe another run's)."""

        def done():
            return {} if self.ref_sha(ref) == sha else None

        try:
            made = self._write("POST", "/git/refs", {"ref": f"refs/{ref}", "sha": sha}, done)
        except GithubException as exc:
            if exc.status != 422:
                raise
            existing = self.ref_sha(ref)
            if existing != sha:
                raise StateConflict(f"{ref} already exists at {existing}, not {sha}") from None
            return False
        return bool(made)

    def force_ref(self, ref: str, sha: str, known_to_exist: bool = False) -> None:
        """Point a branch at `sha` whatever it held (the release branch is releaser's own)."""

        def done():
            return {} if self.ref_sha(ref) == sha else None

        if not known_to_exist and self.ref_sha(ref) is None:
            self.create_ref(ref, sha)
            return
        self._write("PATCH", f"/git/refs/{quote(ref)}", {"sha": sha, "force": True}, done)

    def matching_tags(self, prefix: str) -> dict[str, tuple[str, str]]:
        """Tag name -> (object sha, object type): a commit, or an annotated tag to peel."""
        out = {}
        for item in self._pages(f"/git/matching-refs/tags/{quote(prefix)}"):
            obj = item["object"]
            out[item["ref"].removeprefix("refs/tags/")] = (obj["sha"], obj["type"])
        return out

    def commit_tree(self, sha: str) -> str:
        return self._get(f"/git/commits/{sha}")["tree"]["sha"]

    def create_commit(
        self, message: str, parent: str, base_tree: str, files: dict[str, str]
    ) -> str:
        """A tree on `base_tree` carrying the files inline (no request per file), then a commit:
        GitHub signs it, so it shows verified."""
        entries = [
            {"path": path, "mode": "100644", "type": "blob", "content": content}
            for path, content in sorted(files.items())
        ]
        tree = self._write("POST", "/git/trees", {"base_tree": base_tree, "tree": entries})
        commit = self._write(
            "POST", "/git/commits", {"message": message, "tree": tree["sha"], "parents": [parent]}
        )
        return commit["sha"]

    def file_text(self, path: str, ref: str) -> str | None:
        data = self._get_or_none(f"/contents/{quote(path)}", {"ref": ref})
        if data is None or isinstance(data, list) or data.get("type") != "file":
            return None
        return base64.b64decode(data.get("content") or "").decode("utf-8", "replace")

    def compare_raw(self, base: str, head: str) -> list[RawCommit] | None:
        """base..head newest first, or None when base is not an ancestor of head."""
        found = self._compare(base, head)
        return None if found is None else [_raw_commit(c) for c in found]

    def compare_since(self, base: str, head: str) -> tuple[list[RawCommit], str | None] | None:
        """compare_raw's commits and the oldest committer date among them (ISO 8601)."""
        found = self._compare(base, head)
        if found is None:
            return None
        dates = [((c.get("commit") or {}).get("committer") or {}).get("date") for c in found]
        known = [d for d in dates if d]
        return [_raw_commit(c) for c in found], (min(known) if len(known) == len(dates) else None)

    def path_commits(self, head: str, path: str, since: str | None) -> frozenset[str]:
        """Commits of head's history touching `path` (GitHub's history simplification), those
        committed at or after `since` when given: one page per 100 of them."""
        params = {"sha": head, "path": path}
        if since:
            params["since"] = since
        return frozenset(item["sha"] for item in self._pages("/commits", params))

    def _compare(self, base: str, head: str) -> list[dict] | None:
        commits: list[dict] = []
        try:
            for index, data in enumerate(self._page_data(f"/compare/{base}...{head}")):
                if index == 0 and data.get("status") not in ("ahead", "identical"):
                    return None
                commits.extend(data.get("commits") or ())
        except UnknownObjectException:
            return None
        return commits[::-1]

    def history(self, base: str | None, head: str) -> list[tuple[RawCommit, str]]:
        """Commits in base..head (all of head's history without a base), newest first, each
        with its author's GitHub login ("" when GitHub matched no account)."""
        if base is None:
            found = list(self._pages("/commits", {"sha": head}))
        else:
            compared = self._compare(base, head)
            if compared is None:
                raise StateConflict(f"{base[:12]} is not an ancestor of {head[:12]}")
            found = compared
        return [(_raw_commit(c), _login(c.get("author"))) for c in found]

    def peel_tag(self, sha: str, kind: str) -> str:
        """The commit a tag ref names, peeling an annotated tag object."""
        if kind != "tag":
            return sha
        return self._get(f"/git/tags/{sha}")["object"]["sha"]

    def commit_files(self, sha: str) -> tuple[str, ...]:
        data = self._get(f"/commits/{sha}")
        return tuple(f["filename"] for f in data.get("files") or ())

    def list_commits(self, sha: str) -> list[RawCommit]:
        return [_raw_commit(c) for c in self._pages("/commits", {"sha": sha})]

    # -- pulls, labels, comments -----------------------------------------------------------------
    def pulls(self, head_branch: str, state: str, base: str | None = None) -> list[PullInfo]:
        owner = self.repository.split("/")[0]
        params = {"state": state, "head": f"{owner}:{head_branch}", "per_page": 10}
        if base:
            params["base"] = base
        if state == "closed":
            params.update(sort="updated", direction="desc")
        return [_pull(p) for p in self._get("/pulls", params)]

    def create_pull(self, head: str, base: str, title: str, body: str) -> PullInfo:
        def done():
            found = self.pulls(head, "open", base)
            return found[0] if found else None

        try:
            data = self._write(
                "POST", "/pulls", {"head": head, "base": base, "title": title, "body": body}, done
            )
        except GithubException as exc:
            found = done() if exc.status == 422 else None
            if found is None:
                raise
            return self.update_pull(found.number, title, body)
        return data if isinstance(data, PullInfo) else _pull(data)

    def update_pull(self, number: int, title: str, body: str) -> PullInfo:
        return _pull(self._write("PATCH", f"/pulls/{number}", {"title": title, "body": body}))

    def close_pull(self, number: int, comment: str) -> None:
        self.comment(number, comment)
        self._write("PATCH", f"/pulls/{number}", {"state": "closed"})

    def add_labels(self, number: int, labels: list[str]) -> None:
        # GitHub creates a missing label when it is added to an issue.
        self._write("POST", f"/issues/{number}/labels", {"labels": labels})

    def remove_label(self, number: int, label: str) -> None:
        try:
            self._call("DELETE", f"/issues/{number}/labels/{quote(label)}")
        except GithubException as exc:
            # GitHub answers "Label does not exist" (not "Not Found") when another run
            # removed it first; PyGithub maps only the latter to UnknownObjectException.
            if exc.status != 404:
                raise

    def comments(self, number: int) -> list[str]:
        return [c.get("body") or "" for c in self._pages(f"/issues/{number}/comments")]

    def comment(self, number: int, body: str) -> None:
        def done():
            return {} if body in self.comments(number) else None

        self._write("POST", f"/issues/{number}/comments", {"body": body}, done)

    # -- evidence reads ---------------------------------------------------------------------
    def pull(self, number: int) -> PullInfo | None:
        data = self._get_or_none(f"/pulls/{number}")
        return None if data is None else _pull(data)

    def pulls_for_commit(self, sha: str) -> list[PullInfo]:
        """The PRs GitHub associates with a commit (list form: no `merged_by`)."""
        return [_pull(p) for p in self._get(f"/commits/{sha}/pulls", {"per_page": PER_PAGE})]

    def reviews(self, number: int) -> list[Review]:
        return [_review(r) for r in self._pages(f"/pulls/{number}/reviews")]

    def checks(self, sha: str, own_run: str = "") -> tuple[list[Check], list[str], list[str]]:
        """Check runs (latest per name, as GitHub lists them) and commit statuses on `sha`; the
        names of check runs left out because they belong to Actions run `own_run`; and what
        the token may not read (a job without `checks: read` / `statuses: read`)."""
        runs, own, unreadable = [], [], []
        mine = f"/actions/runs/{own_run}/" if own_run else None
        try:
            for data in self._pages(f"/commits/{sha}/check-runs", key="check_runs"):
                if mine and mine in (data.get("details_url") or ""):
                    own.append(data["name"])
                else:
                    runs.append(_check_run(data))
        except GithubException as exc:
            runs, own = [], []
            unreadable.append(_unreadable(exc, "check runs", "checks: read"))
        statuses: dict[str, Check] = {}
        try:
            # The list (not the combined status) names each status's creator. Newest first:
            # the latest per context stands, as in the combined status.
            listed = self._get(f"/commits/{sha}/statuses", {"per_page": PER_PAGE})
            for data in listed:
                statuses.setdefault(data["context"], _status(data))
        except GithubException as exc:
            unreadable.append(_unreadable(exc, "commit statuses", "statuses: read"))
        return runs + sorted(statuses.values(), key=lambda c: c.name), own, unreadable

    def permission(self, login: str) -> str | None:
        """The user's permission on the repository (admin | write | read | none), or None when
        the token may not read it."""
        try:
            data = self._get(f"/collaborators/{quote(login, safe='')}/permission")
        except UnknownObjectException:
            return "none"  # no such user
        except GithubException as exc:
            if exc.status == 403:
                return None
            raise
        return data.get("permission") or None

    def immutable_releases(self) -> bool | None:
        """Whether the repository has immutable releases on (GitHub answers 404 when off);
        None when the token may not read the setting."""
        try:
            data = self._get("/immutable-releases")
        except UnknownObjectException:
            return False
        except GithubException as exc:
            if exc.status in (401, 403):
                return None
            raise
        return bool(data.get("enabled"))
