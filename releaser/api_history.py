"""The engine's History over the GitHub API, for shallow or missing clones."""

from __future__ import annotations

from releaser import paths
from releaser.domain.commits import RawCommit
from releaser.domain.version import parse_version
from releaser.github import GitHub


class ApiHistory:
    """Answers like LocalHistory, from compare / commits calls (paginated)."""

    def __init__(
        self,
        gh: GitHub,
        head: str,
        prefixes: tuple[str, ...],
        extra_tags: dict[str, str] | None = None,
    ) -> None:
        self.gh = gh
        # Tags about to exist (a dry run's pending publish), as name -> commit sha.
        self._extra = dict(extra_tags or {})
        self._head = head
        self._prefixes = prefixes
        self._compare: dict[str, list[RawCommit]] = {}
        self._oldest: dict[str, str | None] = {}

    def head(self) -> str | None:
        return self._head

    def _range(self, since: str) -> list[RawCommit] | None:
        """Commits in since..head, or None when `since` is not an ancestor of head."""
        if since not in self._compare:
            data = self.gh.compare_since(since, self._head)
            if data is None:
                return None
            self._compare[since], self._oldest[since] = data
        return self._compare[since]

    def reachable_tags(self) -> dict[str, str]:
        """For each tag prefix, the newest reachable stable tag and newest reachable tag."""
        objects = self.gh.matching_tags("")
        objects.update({name: (sha, "commit") for name, sha in self._extra.items()})
        found: dict[str, str] = {}
        for prefix in self._prefixes:
            candidates = []
            for name, obj in objects.items():
                if name.startswith(prefix):
                    version = parse_version(name[len(prefix) :])
                    if version is not None:
                        candidates.append((version, name, obj))
            candidates.sort(reverse=True)
            have_any = have_stable = False
            for version, name, obj in candidates:
                if have_stable:
                    break
                if have_any and version.prerelease:
                    continue
                sha = self.gh.peel_tag(*obj)
                if self._range(sha) is None:
                    continue
                found[name] = sha
                have_any = True
                have_stable = have_stable or not version.prerelease
        return found

    def log(self, since: str | None, paths: tuple[str, ...] = ()) -> list[RawCommit]:
        """Commits since `since`; with paths, those touching one of them, by one listing of
        the path's history per path (from the range's oldest commit date on), not one request
        per commit. Like `git log -- path` with merges, no merge is kept: they carry no
        entries. The listing follows GitHub's default history simplification, so a side
        branch's change that a merge dropped again is not listed."""
        commits = self._range(since) if since else self.gh.list_commits(self._head)
        commits = list(commits or [])
        if not paths or not commits:
            return commits
        oldest = self._oldest.get(since) if since else None
        touching: set[str] = set()
        for path in paths:
            touching |= self.gh.path_commits(self._head, path.strip("/"), oldest)
        return [c for c in commits if c.sha in touching and len(c.parents) <= 1]

    def shas_since(self, since: str) -> frozenset[str]:
        return frozenset(c.sha for c in self._range(since) or ())

    def missing_history(self, since: str | None) -> bool:
        return False

    def walk(self) -> None:
        return None  # no one-walk fast paths over the API

    def read(self, path: str) -> str | None:
        """The file at head (the config checked its path at load; nothing else reaches the
        API)."""
        paths.check(path)
        return self.gh.file_text(path, self._head)

    def model_source(self) -> None:
        return None  # a model's files are hashed in a clone, never fetched through the API

    def tree(self) -> str:
        return self.gh.commit_tree(self._head)
