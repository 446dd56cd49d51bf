"""Releases and their assets, looked up before every write."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from github import GithubException

from releaser.errors import GitHubError, StateConflict
from releaser.github.base import _CONNECTION_ERRORS, PER_PAGE, Base, same_content
from releaser.github.types import ReleaseInfo, _release


class Releases(Base):
    def releases(self) -> list[ReleaseInfo]:
        """The newest releases (drafts included: GitHub finds drafts by tag only in this list)."""
        return [_release(r) for r in self._get("/releases", {"per_page": PER_PAGE})]

    def release_for(self, tag: str) -> ReleaseInfo | None:
        """The release of `tag` among the newest (drafts included), else a published one found
        by tag (GitHub lists 100 at most per page; older releases are only found that way)."""
        found = next((r for r in self.releases() if r.tag_name == tag), None)
        return found or self.published_release(tag)

    def published_release(self, tag: str) -> ReleaseInfo | None:
        data = self._get_or_none(f"/releases/tags/{quote(tag, safe='')}")
        return None if data is None else _release(data)

    def create_draft_release(self, tag: str, sha: str, name: str, body: str, prerelease: bool):
        payload = {
            "tag_name": tag,
            "target_commitish": sha,
            "name": name,
            "body": body,
            "draft": True,
            "prerelease": prerelease,
        }
        try:
            data = self._write("POST", "/releases", payload, lambda: self.release_for(tag))
        except GithubException as exc:
            found = self.release_for(tag) if exc.status == 422 else None
            if found is None:
                raise
            return found  # another run published it meanwhile
        return data if isinstance(data, ReleaseInfo) else _release(data)

    def releases_for(self, tag: str) -> list[ReleaseInfo]:
        """Every release (drafts too) carrying `tag`, oldest first."""
        return sorted((r for r in self.releases() if r.tag_name == tag), key=lambda r: r.id)

    def delete_release(self, release_id: int) -> None:
        try:
            self._call("DELETE", f"/releases/{release_id}")
        except GithubException as exc:
            if exc.status != 404:
                raise

    def publish_release(self, release_id: int, body: str | None = None) -> ReleaseInfo:
        payload: dict[str, Any] = {"draft": False}
        if body is not None:
            payload["body"] = body
        return _release(self._write("PATCH", f"/releases/{release_id}", payload))

    def upload_asset(self, release: ReleaseInfo, asset: Any):
        """Upload `asset` (.name, .size, .sha256, .content_type, .open() -> binary file),
        streamed from its file rather than read into memory."""
        url = release.upload_url.split("{")[0]
        name = asset.name
        headers = {"Content-Type": asset.content_type, "Content-Length": str(asset.size)}

        def attempt():
            self.requests += 1
            with asset.open() as body:
                return self._req.requestMemoryBlobAndCheck(
                    "POST", url, {"name": name}, headers, body
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
                    and status not in (403, 422, 429)
                ):
                    raise
                current = self.release_for(release.tag_name)
                if current and any(same_content(a, asset) for a in current.assets):
                    return None  # it landed (a lost answer), or a racing run uploaded it
                if status == 422:
                    raise StateConflict(
                        f"release {release.tag_name} already has an asset {name} with other content"
                    ) from None
                if tries == 3:
                    raise GitHubError(f"uploading {name} kept failing") from None
                self._timing.sleep(self._timing.asset_delay)

    def delete_asset(self, asset_id: int) -> None:
        self._call("DELETE", f"/releases/assets/{asset_id}")
