"""The only module that imports PyGithub: typed calls, retries, and look-before-write helpers."""

from __future__ import annotations

import base64
import io
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import jwt  # PyJWT, PyGithub's dependency for App auth
import requests.exceptions
from github import Auth, Github, GithubException, GithubIntegration, GithubRetry
from github.GithubException import RateLimitExceededException, UnknownObjectException

from releaser.domain.commits import RawCommit
from releaser.domain.evidence import Check, Review
from releaser.errors import GitHubError, StateConflict
from releaser.github_types import (  # noqa: F401 - re-exported for the flows
    AssetInfo,
    PullInfo,
    ReleaseInfo,
    _check_run,
    _login,
    _pull,
    _raw_commit,
    _release,
    _review,
    _status,
)
from releaser.pacing import DEFAULT_READS_PER_MINUTE, ReadPacer

PER_PAGE = 100
_CONNECTION_ERRORS = (requests.exceptions.ConnectionError, ConnectionError)


def _when(reset: str | None) -> str:
    if not reset:
        return "an unknown time"
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(int(reset)))


def mint_app_token(api_url: str, app_id: str, private_key: str, repository: str) -> str:
    """An installation token for the repository, from a GitHub App's id and private key."""
    owner, name = repository.split("/", 1)
    try:
        integration = GithubIntegration(
            # The numeric App ID, or the App's client ID (GitHub accepts either as JWT issuer).
            auth=Auth.AppAuth(int(app_id) if app_id.isdigit() else app_id, private_key),
            base_url=api_url,
        )
        installation = integration.get_repo_installation(owner, name)
        return integration.get_access_token(installation.id).token
    except (ValueError, TypeError, jwt.PyJWTError) as exc:
        raise GitHubError(f"app-id / app-private-key are not usable: {exc}") from None
    except GithubException as exc:
        raise GitHubError(f"could not mint a GitHub App token: HTTP {exc.status}") from None


class GitHub:
    """A repository on GitHub (or GHES), with writes that look before they repeat."""

    def __init__(
        self,
        token: str,
        api_url: str,
        repository: str,
        write_interval: float = 1.0,
        max_wait: float = 120.0,
        reads_per_minute: int = DEFAULT_READS_PER_MINUTE,
    ) -> None:
        retry = GithubRetry(
            total=6,
            backoff_factor=0.2,
            secondary_rate_wait=min(60.0, max_wait),
            max_rate_limit_wait=max_wait,
            # Writes are never resent blindly: a lost answer may hide a write that happened.
            allowed_methods=frozenset({"GET", "HEAD", "OPTIONS"}),
        )
        self._gh = Github(
            base_url=api_url.rstrip("/"),
            auth=Auth.Token(token),
            retry=retry,
            per_page=PER_PAGE,
            seconds_between_requests=None,
            seconds_between_writes=write_interval or None,
            lazy=True,
        )
        self._req = self._gh.requester
        self.repository = repository
        self._base = f"/repos/{repository}"
        self.requests = 0
        self._max_wait = max_wait
        self._pacer = ReadPacer(reads_per_minute)

    # -- plumbing ---------------------------------------------------------------------------
    def _call(self, verb: str, path: str, body: Any = None, params: dict | None = None):
        self.requests += 1
        if verb == "GET":
            self._pacer.take()
        url = path if path.startswith("http") else f"{self._base}{path}"
        try:
            return self._req.requestJsonAndCheck(verb, url, parameters=params, input=body)
        except RateLimitExceededException as exc:
            reset = exc.headers.get("x-ratelimit-reset") if exc.headers else None
            raise GitHubError(
                f"GitHub API rate limit exhausted; it resets at {_when(reset)}"
            ) from None
        except requests.exceptions.RetryError as exc:
            if "403" in str(exc) or "429" in str(exc):
                raise GitHubError(
                    f"GitHub API rate limit exhausted on {verb} {path}; "
                    f"it resets at {_when(self._reset_time())}"
                ) from None
            raise GitHubError(f"GitHub kept failing on {verb} {path}: {exc}") from None

    def _reset_time(self) -> str | None:
        """The core limit's reset, from /rate_limit (which does not count against the limit)."""
        try:
            data = self._req.requestJsonAndCheck("GET", "/rate_limit")[1]
            return str(data["resources"]["core"]["reset"])
        except Exception:  # noqa: BLE001 - only decorates an error message
            return None

    def _get(self, path: str, params: dict | None = None) -> Any:
        return self._call("GET", path, params=params)[1]

    def _get_or_none(self, path: str, params: dict | None = None) -> Any:
        try:
            return self._get(path, params)
        except UnknownObjectException:
            return None

    def _pages(self, path: str, params: dict | None = None, key: str | None = None) -> Iterator:
        page = 1
        while True:
            headers, data = self._call(
                "GET", path, params={**(params or {}), "per_page": PER_PAGE, "page": page}
            )
            items = data[key] if key else data
            yield from items
            if 'rel="next"' not in (headers.get("link") or ""):
                return
            page += 1

    def _write(self, verb: str, path: str, body: Any, done: Callable[[], Any] | None = None):
        """A write, retried only when GitHub refused it or `done()` shows it did not happen."""
        delay = 1.0
        waited = 0.0
        for attempt in range(5):
            try:
                return self._call(verb, path, body)[1]
            except GithubException as exc:
                retry_after = (exc.headers or {}).get("retry-after")
                limited = exc.status == 429 or (exc.status == 403 and retry_after)
                if not (limited or exc.status >= 500) or attempt == 4 or waited > self._max_wait:
                    raise
                wait = float(retry_after) if retry_after else delay
            except _CONNECTION_ERRORS:
                if attempt == 4:
                    raise GitHubError(
                        f"connection to GitHub kept failing on {verb} {path}"
                    ) from None
                wait = delay
            if done is not None:
                found = done()
                if found is not None:
                    return found
            time.sleep(wait)
            waited += wait
            delay = min(delay * 2, 8.0)
        raise AssertionError("unreachable")

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

    def create_ref(self, ref: str, sha: str) -> None:
        def done():
            return {} if self.ref_sha(ref) == sha else None

        try:
            self._write("POST", "/git/refs", {"ref": f"refs/{ref}", "sha": sha}, done)
        except GithubException as exc:
            if exc.status != 422:
                raise
            existing = self.ref_sha(ref)
            if existing != sha:
                raise StateConflict(f"{ref} already exists at {existing}, not {sha}") from None

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
        """Blobs, a tree on `base_tree`, then a commit: GitHub signs it, so it shows verified."""
        entries = []
        for path, content in sorted(files.items()):
            blob = self._write("POST", "/git/blobs", {"content": content, "encoding": "utf-8"})
            entries.append({"path": path, "mode": "100644", "type": "blob", "sha": blob["sha"]})
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

    def _compare(self, base: str, head: str) -> list[dict] | None:
        commits: list[dict] = []
        try:
            for index, data in enumerate(self._pages_raw(f"/compare/{base}...{head}")):
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

    def _pages_raw(self, path: str, params: dict | None = None):
        page = 1
        while True:
            query = {**(params or {}), "per_page": PER_PAGE, "page": page}
            headers, data = self._call("GET", path, params=query)
            yield data
            if 'rel="next"' not in (headers.get("link") or ""):
                return
            page += 1

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
        except UnknownObjectException:
            pass

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

    def checks(self, sha: str, own_run: str = "") -> tuple[list[Check], list[str]]:
        """Check runs (latest per name, as GitHub lists them) and commit statuses on `sha`, and
        the names of check runs left out because they belong to Actions run `own_run`."""
        runs, own = [], []
        mine = f"/actions/runs/{own_run}/" if own_run else None
        for data in self._pages(f"/commits/{sha}/check-runs", key="check_runs"):
            if mine and mine in (data.get("details_url") or ""):
                own.append(data["name"])
            else:
                runs.append(_check_run(data))
        combined = self._get(f"/commits/{sha}/status", {"per_page": PER_PAGE})
        return runs + [_status(s) for s in combined.get("statuses") or ()], own

    # -- releases --------------------------------------------------------------------------------
    def releases(self) -> list[ReleaseInfo]:
        """The newest releases (drafts included: GitHub finds drafts by tag only in this list)."""
        return [_release(r) for r in self._get("/releases", {"per_page": PER_PAGE})]

    def release_for(self, tag: str) -> ReleaseInfo | None:
        return next((r for r in self.releases() if r.tag_name == tag), None)

    def create_draft_release(self, tag: str, sha: str, name: str, body: str, prerelease: bool):
        payload = {
            "tag_name": tag,
            "target_commitish": sha,
            "name": name,
            "body": body,
            "draft": True,
            "prerelease": prerelease,
        }
        return _release(self._write("POST", "/releases", payload, lambda: self.release_for(tag)))

    def publish_release(self, release_id: int, body: str | None = None) -> ReleaseInfo:
        payload: dict[str, Any] = {"draft": False}
        if body is not None:
            payload["body"] = body
        return _release(self._write("PATCH", f"/releases/{release_id}", payload))

    def upload_asset(self, release: ReleaseInfo, name: str, data: bytes, content_type: str):
        url = release.upload_url.split("{")[0]

        def attempt():
            self.requests += 1
            return self._req.requestMemoryBlobAndCheck(
                "POST", url, {"name": name}, {"Content-Type": content_type}, io.BytesIO(data)
            )[1]

        for tries in range(4):
            try:
                return attempt()
            except (GithubException, *_CONNECTION_ERRORS) as exc:
                status = getattr(exc, "status", None)
                if (
                    isinstance(exc, GithubException)
                    and status is not None
                    and status < 500
                    and status not in (403, 429)
                ):
                    raise
                current = self.release_for(release.tag_name)
                if current and any(a.name == name and a.size == len(data) for a in current.assets):
                    return None
                if tries == 3:
                    raise GitHubError(f"uploading {name} kept failing") from None
                time.sleep(1.0)

    def delete_asset(self, asset_id: int) -> None:
        self._call("DELETE", f"/releases/assets/{asset_id}")
