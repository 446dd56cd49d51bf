"""Deployments, their statuses, environments, run approvals, issues and asset downloads: what
promotion reads and writes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests.exceptions
from github import GithubException
from github.GithubException import UnknownObjectException

from releaser.domain.deploy_history import (
    DeploymentRecord,
    StatusEvent,
    counts,
    is_releaser_record,
)
from releaser.errors import GitHubError
from releaser.github.base import Base

MAX_ASSET_BYTES = 2 * 1024**3  # a download larger than this is refused, not written on


def _when(text: str | None) -> datetime:
    return datetime.fromisoformat((text or "1970-01-01T00:00:00Z").replace("Z", "+00:00"))


def _record(data: dict, statuses: list[dict]) -> DeploymentRecord:
    """A deployment and its statuses (listed newest first by GitHub) as the domain reads them."""
    events = tuple(
        event
        for event in (
            StatusEvent(
                s["state"],
                _when(s.get("created_at")),
                ((s.get("creator") or {}).get("login")) or "",
                s.get("description") or "",
            )
            for s in sorted(statuses, key=lambda s: (_when(s.get("created_at")), s["id"]))
        )
        if counts(event)  # not GitHub's own auto_inactive
    )
    payload = data.get("payload")
    return DeploymentRecord(
        id=data["id"],
        environment=data.get("environment") or "",
        ref=data.get("ref") or "",
        task=data.get("task") or "",
        payload=payload if isinstance(payload, dict) else {},
        creator=((data.get("creator") or {}).get("login")) or "",
        created_at=_when(data.get("created_at")),
        statuses=events,
    )


class Deployments(Base):
    def create_deployment(
        self, tag: str, environment: str, task: str, payload: dict[str, Any], description: str
    ) -> int:
        """A deployment of `tag` that asks GitHub to merge nothing and check nothing: releaser
        records, the user's steps deploy. `payload["nonce"]` finds it again after a lost
        answer, so a retry never makes a second one."""
        body = {
            "ref": tag,
            "environment": environment,
            "task": task,
            "payload": payload,
            "description": description,
            "auto_merge": False,
            "required_contexts": [],
            "production_environment": environment == "production",
        }

        def done() -> dict | None:
            for data in self._get("/deployments", {"ref": tag, "environment": environment}):
                if isinstance(data.get("payload"), dict):
                    if data["payload"].get("nonce") == payload["nonce"]:
                        return data
            return None

        return self._write("POST", "/deployments", body, done)["id"]

    def deployment_pages(
        self, environment: str | None = None, ref: str | None = None
    ) -> Iterator[dict]:
        """Deployments newest first, a page of 100 at a time, only as far as the caller reads."""
        params = {k: v for k, v in (("environment", environment), ("ref", ref)) if v}
        return self._pages("/deployments", params)

    def deployment(self, deployment_id: int) -> dict | None:
        return self._get_or_none(f"/deployments/{deployment_id}")

    def statuses(self, deployment_id: int) -> list[dict]:
        return list(self._pages(f"/deployments/{deployment_id}/statuses"))

    def record(self, data: dict) -> DeploymentRecord:
        return _record(data, self.statuses(data["id"]))

    def records(
        self,
        environment: str | None = None,
        ref: str | None = None,
        stop: Callable[[DeploymentRecord], bool] | None = None,
        component: str | None = None,
    ) -> list[DeploymentRecord]:
        """releaser's deployments (with statuses), newest first; reading ends after the first
        record `stop` accepts. Deployments of other tools or components cost no status read."""
        out = []
        for data in self.deployment_pages(environment, ref):
            payload = data.get("payload")
            if payload is None or not is_releaser_record(payload):
                continue
            if component is not None and payload["component"] != component:
                continue
            rec = self.record(data)
            out.append(rec)
            if stop is not None and stop(rec):
                break
        return out

    def create_status(
        self,
        deployment_id: int,
        state: str,
        description: str = "",
        log_url: str = "",
        environment_url: str = "",
    ) -> None:
        """A status; never GitHub's auto_inactive, which would also retire other components'
        deployments in the environment: releaser retires its own, one status each."""
        body: dict[str, Any] = {
            "state": state,
            "auto_inactive": False,
            "description": description[:140],
        }
        if log_url:
            body["log_url"] = log_url
        if environment_url:
            body["environment_url"] = environment_url
        self._write("POST", f"/deployments/{deployment_id}/statuses", body)

    def environment_reviewers(self, name: str) -> list[str] | None:
        """The environment's required reviewers (users and teams), or None when GitHub does
        not know the environment (or the token may not read it)."""
        try:
            data = self._get(f"/environments/{quote(name, safe='')}")
        except UnknownObjectException:
            return None
        except GithubException as exc:
            if exc.status == 403:
                return None
            raise
        out = []
        for rule in data.get("protection_rules") or ():
            for item in rule.get("reviewers") or ():
                who = item.get("reviewer") or {}
                out.append(who.get("login") or who.get("slug") or "")
        return [x for x in out if x]

    def run_approvals(self, run_id: str, environment: str) -> list[str]:
        """Who approved run `run_id`'s deployment to `environment`."""
        out = []
        for item in self._get(f"/actions/runs/{quote(run_id, safe='')}/approvals"):
            names = {e.get("name") for e in item.get("environments") or ()}
            if item.get("state") == "approved" and environment in names:
                login = (item.get("user") or {}).get("login")
                if login and login not in out:
                    out.append(login)
        return out

    def tag_names(self, prefix: str) -> list[str]:
        """Names of the tags starting with `prefix` (one matching-refs listing)."""
        refs = self._pages(f"/git/matching-refs/tags/{quote(prefix, safe='')}")
        return [item["ref"].removeprefix("refs/tags/") for item in refs]

    def create_stage_tag(self, name: str, message: str, commit: str) -> bool:
        """An annotated tag `name` on `commit`: the tag object, then its ref. False when the
        ref already exists (someone took the name first); the orphan tag object is harmless."""
        body = {"tag": name, "message": message, "object": commit, "type": "commit"}
        data = self._write("POST", "/git/tags", body)
        ref = f"refs/tags/{name}"

        def done() -> dict | None:
            found = self._get_or_none(f"/git/ref/{quote(ref.removeprefix('refs/'))}")
            return found if found and found.get("object", {}).get("sha") == data["sha"] else None

        try:
            self._write("POST", "/git/refs", {"ref": ref, "sha": data["sha"]}, done)
        except GithubException as exc:
            if exc.status == 422:
                return False
            raise
        return True

    def file_bytes(self, path: str, ref: str) -> bytes | None:
        """A file's bytes at `ref` through the contents API (files up to 1 MB), or None."""
        import base64

        data = self._get_or_none(f"/contents/{quote(path)}", {"ref": ref})
        if data is None or isinstance(data, list) or data.get("type") != "file":
            return None
        return base64.b64decode(data.get("content") or "")

    def create_issue(self, title: str, body: str) -> str:
        data = self._write("POST", "/issues", {"title": title, "body": body})
        return data.get("html_url") or str(data.get("number"))

    def download_asset(self, asset_id: int, dest: Path) -> None:
        """Stream one release asset into `dest` (a new file), bounded in size."""
        self.requests += 1
        url = f"{self._base}/releases/assets/{asset_id}"
        try:
            _, _, chunks = self._req.getStream(url, chunk_size=1 << 16)
            written = 0
            with dest.open("xb") as out:
                for chunk in chunks:
                    written += len(chunk)
                    if written > MAX_ASSET_BYTES:
                        raise GitHubError(f"release asset {dest.name} is larger than 2 GiB")
                    out.write(chunk)
        except (GithubException, requests.exceptions.RequestException) as exc:
            status = getattr(exc, "status", None) or getattr(
                getattr(exc, "response", None), "status_code", "?"
            )
            raise GitHubError(f"cannot download release asset {dest.name}: HTTP {status}") from None
