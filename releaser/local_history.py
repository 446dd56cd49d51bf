"""The engine's History over a local clone."""

from __future__ import annotations

from collections.abc import Iterator

from releaser.domain.commits import RawCommit
from releaser.git import GitRepo, LinearLog, RepoState


class LocalHistory:
    def __init__(self, repo: GitRepo) -> None:
        self.repo = repo
        self.state: RepoState = repo.state()

    def head(self) -> str | None:
        return self.state.head

    def all_tags(self) -> dict[str, str]:
        return self.repo.all_tags()

    def reachable_tags(self) -> dict[str, str]:
        return self.repo.reachable_tags()

    def log(self, since: str | None, paths: tuple[str, ...] = ()) -> Iterator[RawCommit]:
        return self.repo.log(since, paths)

    def linear_log(self, since: str) -> LinearLog:
        return self.repo.linear_log(since)

    def changed_log(self, since: tuple[str, ...]) -> Iterator:
        """One walk over the union of the ranges `s..HEAD` for s in `since` (all of HEAD when
        `since` is empty), yielding git_paths.ChangedCommit in `git log` order."""
        exclude = self.repo.common_ancestors(since) if since else ()
        return self.repo.changed_log(exclude)

    def shas_since(self, since: str) -> frozenset[str]:
        return self.repo.shas_since(since)

    def missing_history(self, commits: list[RawCommit], since: str | None) -> bool:
        if not self.state.shallow:
            return False
        boundary = self.repo.shallow_boundary(self.state)
        if since is None:
            return True  # without a tag we cannot tell whether an older one was cut off
        # The log may be filtered by path, so ask for the whole range, not just `commits`.
        return not boundary.isdisjoint(self.repo.shas_since(since))

    def origin_url(self) -> str | None:
        return self.repo.origin_url()
