"""The engine's History over a local clone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from releaser import paths
from releaser.domain.commits import RawCommit
from releaser.errors import GitError
from releaser.git import GitRepo, LinearLog, RepoState


class LocalHistory:
    def __init__(self, repo: GitRepo, extra_tags: dict[str, str] | None = None) -> None:
        self.repo = repo
        self.state: RepoState = repo.state()
        # Tags published moments ago (or about to be, in a dry run): the clone predates them.
        self.extra_tags = dict(extra_tags or {})

    def with_tags(self, extra: dict[str, str]) -> LocalHistory:
        """This clone, also knowing `extra` (tag name -> commit sha)."""
        other = LocalHistory.__new__(LocalHistory)
        other.repo, other.state, other.extra_tags = self.repo, self.state, dict(extra)
        return other

    def head(self) -> str | None:
        return self.state.head

    def walk(self) -> LocalHistory:
        return self  # a clone answers the one-walk fast paths (engine.LocalWalk)

    def all_tags(self) -> dict[str, str]:
        return {**self.extra_tags, **self.repo.all_tags()}

    def reachable_tags(self) -> dict[str, str]:
        tags = dict(self.repo.reachable_tags())
        head = self.head()
        for name, sha in self.extra_tags.items():
            if name not in tags and head is not None and self.repo.is_ancestor(sha, head):
                tags[name] = sha
        return tags

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

    def missing_history(self, since: str | None) -> bool:
        if not self.state.shallow:
            return False
        boundary = self.repo.shallow_boundary(self.state)
        if since is None:
            return True  # without a tag we cannot tell whether an older one was cut off
        # The log may be filtered by path, so ask for the whole range.
        return not boundary.isdisjoint(self.repo.shas_since(since))

    def origin_url(self) -> str | None:
        return self.repo.origin_url()

    def read(self, path: str) -> str | None:
        """The file at HEAD (the config checked its path at load; this is the last gate)."""
        paths.check(path)
        head = self.head()
        return None if head is None else self.repo.show(head, path)

    def model_source(self) -> tuple[GitRepo, Path]:
        """The clone and its working tree, where a model component's files are hashed."""
        return self.repo, self.state.toplevel

    def tree(self) -> str:
        head = self.head()
        if head is None:
            raise GitError("the repository has no commits yet")
        return self.repo.tree_of(head)
