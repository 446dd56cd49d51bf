"""A bare git repository driven only through git plumbing; the fake's source of git truth."""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path


class GitFailure(Exception):
    """A git command failed; handlers turn this into a 404/422 like GitHub would."""


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    email: str
    date: str  # "<epoch> <tz>" as git stores it


@dataclass(frozen=True, slots=True)
class CommitInfo:
    sha: str
    tree: str
    parents: tuple[str, ...]
    author: Person
    committer: Person
    message: str


@dataclass(frozen=True, slots=True)
class TagInfo:
    sha: str
    object_sha: str
    object_type: str
    tag: str
    tagger: Person
    message: str


@dataclass(frozen=True, slots=True)
class TreeEntry:
    mode: str
    type: str
    sha: str
    size: int | None
    path: str


DEFAULT_PERSON = ("Fake Bot", "bot@fake.invalid")
ZERO = "0" * 40


class GitRepo:
    """Plumbing wrapper over one bare repository."""

    def __init__(self, path: Path, default_branch: str = "main") -> None:
        self.path = path
        subprocess.run(
            ["git", "init", "--bare", "-q", f"--initial-branch={default_branch}", str(path)],
            check=True,
        )

    def git(
        self, *args: str, input: bytes | None = None, env: dict[str, str] | None = None
    ) -> bytes:
        full_env = {**os.environ, "GIT_DIR": str(self.path), **(env or {})}
        proc = subprocess.run(
            ["git", *args], input=input, capture_output=True, env=full_env, check=False
        )
        if proc.returncode != 0:
            raise GitFailure(proc.stderr.decode("utf-8", "replace").strip())
        return proc.stdout

    def text(self, *args: str, **kw: object) -> str:
        return self.git(*args, **kw).decode("utf-8").strip()  # type: ignore[arg-type]

    # objects ----------------------------------------------------------------
    def hash_blob(self, data: bytes) -> str:
        return self.text("hash-object", "-w", "--stdin", input=data)

    def object_type(self, sha: str) -> str | None:
        try:
            return self.text("cat-file", "-t", sha)
        except GitFailure:
            return None

    def read_blob(self, sha: str) -> bytes:
        return self.git("cat-file", "blob", sha)

    def mktree(self, entries: list[tuple[str, str, str, str]]) -> str:
        """entries: (mode, type, sha, name) of one directory level."""
        lines = "".join(f"{m} {t} {s}\t{n}\n" for m, t, s, n in sorted(entries, key=lambda e: e[3]))
        return self.text("mktree", input=lines.encode("utf-8"))

    def ls_tree(self, tree: str, recursive: bool = False) -> list[TreeEntry]:
        args = ["ls-tree", "-l", "-z"] + (["-r", "-t"] if recursive else []) + [tree]
        out = self.git(*args).decode("utf-8")
        entries = []
        for record in filter(None, out.split("\0")):
            meta, path = record.split("\t", 1)
            mode, typ, sha, size = meta.split()
            entries.append(TreeEntry(mode, typ, sha, None if size == "-" else int(size), path))
        return entries

    def tree_with_changes(self, base_tree: str | None, changes: dict[str, tuple | None]) -> str:
        """Apply {path: (mode, type, sha) | None} on top of base_tree, returning a new tree."""
        flat: dict[str, tuple[str, str, str]] = {}
        if base_tree:
            for e in self.ls_tree(base_tree, recursive=True):
                if e.type != "tree":
                    flat[e.path] = (e.mode, e.type, e.sha)
        for path, value in changes.items():
            if value is None:
                prefix = path.rstrip("/") + "/"
                for p in [p for p in flat if p == path or p.startswith(prefix)]:
                    del flat[p]
            else:
                flat[path] = value
        return self._build(flat)

    def _build(self, flat: dict[str, tuple[str, str, str]]) -> str:
        here: list[tuple[str, str, str, str]] = []
        subdirs: dict[str, dict[str, tuple[str, str, str]]] = {}
        for path, (mode, typ, sha) in flat.items():
            head, sep, rest = path.partition("/")
            if sep:
                subdirs.setdefault(head, {})[rest] = (mode, typ, sha)
            else:
                here.append((mode, typ, sha, head))
        for name, sub in subdirs.items():
            here.append(("040000", "tree", self._build(sub), name))
        return self.mktree(here)

    def commit_tree(
        self,
        tree: str,
        parents: list[str],
        message: str,
        author: Person | None = None,
        committer: Person | None = None,
    ) -> str:
        now = f"{int(time.time())} +0000"
        author = author or Person(*DEFAULT_PERSON, now)
        committer = committer or author
        env = {
            "GIT_AUTHOR_NAME": author.name,
            "GIT_AUTHOR_EMAIL": author.email,
            "GIT_AUTHOR_DATE": author.date,
            "GIT_COMMITTER_NAME": committer.name,
            "GIT_COMMITTER_EMAIL": committer.email,
            "GIT_COMMITTER_DATE": committer.date,
        }
        args = ["commit-tree", tree]
        for p in parents:
            args += ["-p", p]
        return self.text(*args, input=message.encode("utf-8"), env=env)

    def read_commit(self, sha: str) -> CommitInfo:
        raw = self.git("cat-file", "commit", sha).decode("utf-8")
        header, _, message = raw.partition("\n\n")
        tree, parents, people = "", [], {}
        for line in header.splitlines():
            key, _, value = line.partition(" ")
            if key == "tree":
                tree = value
            elif key == "parent":
                parents.append(value)
            elif key in ("author", "committer"):
                ident, _, when = value.rpartition("> ")
                name, _, email = ident.partition(" <")
                people[key] = Person(name, email, when)
        return CommitInfo(sha, tree, tuple(parents), people["author"], people["committer"], message)

    def mktag(self, tag: str, obj: str, obj_type: str, message: str, tagger: Person) -> str:
        body = (
            f"object {obj}\ntype {obj_type}\ntag {tag}\n"
            f"tagger {tagger.name} <{tagger.email}> {tagger.date}\n\n{message}"
        )
        return self.text("mktag", input=body.encode("utf-8"))

    def read_tag(self, sha: str) -> TagInfo:
        raw = self.git("cat-file", "tag", sha).decode("utf-8")
        header, _, message = raw.partition("\n\n")
        fields: dict[str, str] = {}
        for line in header.splitlines():
            key, _, value = line.partition(" ")
            fields[key] = value
        ident, _, when = fields["tagger"].rpartition("> ")
        name, _, email = ident.partition(" <")
        return TagInfo(
            sha, fields["object"], fields["type"], fields["tag"], Person(name, email, when), message
        )

    # refs -------------------------------------------------------------------
    def resolve(self, rev: str) -> str | None:
        try:
            return self.text("rev-parse", "--verify", "--quiet", rev)
        except GitFailure:
            return None

    def resolve_commit(self, rev: str) -> str | None:
        for candidate in (rev, f"refs/heads/{rev}", f"refs/tags/{rev}"):
            sha = self.resolve(f"{candidate}^{{commit}}")
            if sha:
                return sha
        return None

    def refs(self, prefix: str = "refs/") -> list[tuple[str, str, str]]:
        """(refname, sha, objecttype) for refs under prefix, sorted by name."""
        out = self.text("for-each-ref", "--format=%(refname) %(objectname) %(objecttype)", prefix)
        rows = [tuple(line.split(" ")) for line in out.splitlines() if line]
        return [r for r in rows if r[0].startswith(prefix)]  # type: ignore[misc]

    def update_ref(self, ref: str, new: str, old: str | None = None) -> None:
        args = ["update-ref", ref, new] + ([old] if old is not None else [])
        self.git(*args)

    def delete_ref(self, ref: str) -> None:
        self.git("update-ref", "-d", ref)

    # history ----------------------------------------------------------------
    def rev_list(self, *revs: str) -> list[str]:
        return self.text("rev-list", "--topo-order", *revs).split()

    def merge_base(self, a: str, b: str) -> str | None:
        try:
            return self.text("merge-base", a, b) or None
        except GitFailure:
            return None

    def is_ancestor(self, a: str, b: str) -> bool:
        try:
            self.git("merge-base", "--is-ancestor", a, b)
            return True
        except GitFailure:
            return False

    def diff_files(self, a: str | None, b: str) -> list[dict[str, object]]:
        """Changed files between commits a and b (a=None: against the empty tree)."""
        base = a or self.text("hash-object", "-t", "tree", "--stdin", input=b"")
        numstat = self.text("diff-tree", "-r", "--numstat", "-z", "--no-renames", base, b)
        status = self.text("diff-tree", "-r", "--raw", "-z", "--no-renames", base, b)
        counts: dict[str, tuple[int, int]] = {}
        parts = [p for p in numstat.split("\0") if p]
        for part in parts:
            add, dele, path = part.split("\t", 2)
            counts[path] = (int(add) if add != "-" else 0, int(dele) if dele != "-" else 0)
        fields = [p for p in status.split("\0") if p]
        files = []
        for meta, path in zip(fields[::2], fields[1::2], strict=False):
            _, _, _, new_sha, letter = meta.lstrip(":").split()
            add, dele = counts.get(path, (0, 0))
            kind = {"A": "added", "D": "removed", "M": "modified"}.get(letter[0], "changed")
            files.append(
                {
                    "filename": path,
                    "sha": new_sha,
                    "status": kind,
                    "additions": add,
                    "deletions": dele,
                    "changes": add + dele,
                }
            )
        return files
