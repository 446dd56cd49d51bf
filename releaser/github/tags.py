"""Annotated tags (GTO's model registrations) and reading back what a tag or release records."""

from __future__ import annotations

from urllib.parse import quote

import requests
from github import GithubException

from releaser.errors import GitHubError, StateConflict
from releaser.github.base import Base


class Tags(Base):
    def _tag_ref(self, tag: str) -> dict | None:
        data = self._get_or_none(f"/git/ref/{quote(f'tags/{tag}')}")
        if data is None or data.get("ref") != f"refs/tags/{tag}":
            return None
        return data["object"]

    def _peeled(self, tag: str) -> str | None:
        obj = self._tag_ref(tag)
        if obj is None:
            return None
        if obj["type"] == "tag":
            return self._get(f"/git/tags/{obj['sha']}")["object"]["sha"]
        return obj["sha"]

    def tag_message(self, tag: str) -> str | None:
        """The message of annotated tag `tag`; None for a lightweight tag or no tag."""
        obj = self._tag_ref(tag)
        if obj is None or obj["type"] != "tag":
            return None
        return self._get(f"/git/tags/{obj['sha']}").get("message") or ""

    def create_annotated_tag(self, tag: str, sha: str, message: str) -> bool:
        """A tag object carrying `message`, then refs/tags/`tag` pointing at it, as `git tag -a`
        makes (GTO reads only annotated tags); False when the tag was there already at `sha`. A
        tag object left over by a failed attempt is unreferenced and harmless; the ref is what
        a re-run looks at."""
        obj = self._write(
            "POST", "/git/tags", {"tag": tag, "message": message, "object": sha, "type": "commit"}
        )

        def done():
            return {} if self._peeled(tag) == sha else None

        try:
            self._write("POST", "/git/refs", {"ref": f"refs/tags/{tag}", "sha": obj["sha"]}, done)
        except GithubException as exc:
            if exc.status != 422:
                raise
            existing = self._peeled(tag)
            if existing != sha:
                raise StateConflict(f"tags/{tag} already exists at {existing}, not {sha}") from None
            return False  # a racer made it, at the same commit
        return True

    def asset_bytes(self, asset_id: int, max_bytes: int) -> bytes:
        """One release asset's content, refused past `max_bytes` (it is read to be parsed)."""
        self.requests += 1
        url = f"{self._base}/releases/assets/{asset_id}"
        out = bytearray()
        try:
            _, _, chunks = self._req.getStream(url, chunk_size=1 << 16)
            for chunk in chunks:
                out += chunk
                if len(out) > max_bytes:
                    raise GitHubError(f"release asset {asset_id} is over {max_bytes} bytes")
        except (GithubException, requests.exceptions.RequestException) as exc:
            status = getattr(exc, "status", None) or getattr(
                getattr(exc, "response", None), "status_code", "?"
            )
            raise GitHubError(f"cannot download release asset {asset_id}: HTTP {status}") from None
        return bytes(out)
