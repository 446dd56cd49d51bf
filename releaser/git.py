"""The local repository: tags, commits since a tag, the origin URL (few, cheap git calls)."""

from __future__ import annotations

import os
import re
import subprocess
import threading
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO, Any

from releaser.domain.commits import RawCommit
from releaser.errors import GitError
from releaser.git_blobs import BlobReader, RevisionFiles

_LOG_FORMAT = "--format=%H%x00%P%x00%aN%x00%B%x00"
_HEAD_LOG = ["log", _LOG_FORMAT, "HEAD"]
# The quick questions a plan asks first (see state, all_tags, origin_url).
_STATE = (
    "rev-parse",
    "--absolute-git-dir",
    "--is-shallow-repository",
    # Not --show-toplevel: that fails outright in a bare repository, taking the other answers
    # with it. The prefix (the path from the top level down to here) is printed everywhere.
    "--show-prefix",
    "--verify",
    "-q",
    "HEAD^{commit}",
)
_TAGS = (
    "for-each-ref",
    "--format=%(refname:strip=2)%00%(objectname)%00%(*objectname)",
    "refs/tags",
)
_ORIGIN = ("config", "--get", "remote.origin.url")
_CHUNK = 1 << 20
# What turns git log output, as it streams in, into commits (RawCommit, ChangedCommit).
_Parser = Callable[[Iterable[bytes]], Iterator[Any]]
_PIPE_SIZE = 1 << 20  # Linux's default cap for an unprivileged pipe


def _failure(command: str, stderr: bytes, returncode: int) -> str:
    detail = stderr.decode("utf-8", "replace").strip().splitlines()
    return f"git {command} failed: {detail[-1] if detail else returncode}"


class NotARepository(GitError):
    """The path is missing, not a directory, or a directory git finds no repository in."""


_DUBIOUS = re.compile(r"dubious ownership in repository at '(?P<path>[^'\n]*)'")


def _not_a_repository(path: Path, stderr: bytes) -> GitError:
    """Why git would not open `path`, in one line: git's own reason where it gave one."""
    text = stderr.decode("utf-8", "replace")
    dubious = _DUBIOUS.search(text)
    if dubious:
        where = dubious.group("path")
        return GitError(
            f"git refuses the repository at {where}: detected dubious ownership (it belongs to "
            "another user than the one running releaser)",
            hint=f"if you trust it: git config --global --add safe.directory {where}",
        )
    reasons = [line[7:] for line in text.splitlines() if line.startswith("fatal: ")]
    if reasons and not reasons[0].startswith("not a git repository"):
        return GitError(f"git cannot open the repository at {path}: {reasons[0]}")
    return NotARepository(f"not a git repository: {path}")


def _grow_pipe(fd: int) -> None:
    """Let git run up to a megabyte ahead of the parser instead of 64 KiB (Linux only)."""
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, _PIPE_SIZE)
    except (ImportError, AttributeError, OSError):
        pass


def _records(chunks: Iterable[bytes]) -> Iterator[RawCommit]:
    """RawCommits from `_LOG_FORMAT` output, as its chunks arrive.

    Each commit is four NUL-terminated fields (the newline git puts between commits starts the
    next sha). A chunk is cut after its last complete commit and decoded as a whole: NUL is
    never part of a UTF-8 sequence, so that decodes each field exactly as decoding it alone.
    """
    pending = b""
    for chunk in chunks:
        buf = pending + chunk if pending else chunk
        nuls = buf.count(b"\0")
        if nuls < 4:
            pending = buf
            continue
        end = len(buf)
        for _ in range(nuls % 4 + 1):  # back over the incomplete commit to the last complete one
            end = buf.rfind(b"\0", 0, end)
        fields = buf[:end].decode("utf-8", "replace").split("\0")
        pending = buf[end + 1 :]
        for i in range(0, len(fields), 4):
            yield RawCommit(
                fields[i].strip(), fields[i + 3], tuple(fields[i + 1].split()), fields[i + 2]
            )


class _LogProcess:
    """A running `git log` read while it writes; a thread drains stderr so git never blocks."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self.errors: list[bytes] = []
        stdout, stderr = self.proc.stdout, self.proc.stderr
        assert stdout is not None and stderr is not None  # both are PIPE
        self.stdout: IO[bytes] = stdout
        self.drain = threading.Thread(target=lambda: self.errors.append(stderr.read()), daemon=True)
        self.drain.start()
        _grow_pipe(self.stdout.fileno())

    def commits(self, parse: _Parser | None = None) -> Generator[Any, None, None]:
        """What `parse` (default: RawCommits from `_LOG_FORMAT`) makes of git's output."""
        finished = False
        try:
            chunks = iter(partial(os.read, self.stdout.fileno(), _CHUNK), b"")
            yield from (parse or _records)(chunks)
            finished = True
        finally:
            # A reader that stops early does not want the rest of history: stop git.
            returncode = self.stop(kill=not finished)
        if returncode != 0:
            stderr = self.errors[0] if self.errors else b""
            raise GitError(_failure("log", stderr, returncode))

    def stop(self, kill: bool) -> int:
        self.stdout.close()
        if kill:
            self.proc.kill()
        returncode = self.proc.wait()
        self.drain.join()
        return returncode


class LinearLog:
    """HEAD's commits back to `since`, streamed from an unlimited `git log HEAD`.

    `git log since..HEAD` must walk the whole range before it prints its first commit, so
    nothing can be parsed while it walks. Without the `since` bound git prints at once. While
    each commit has exactly one parent and the next one printed is that parent, the commits
    before `since` are exactly `since..HEAD`, in the same order. Iteration stops at `since`
    (then `reached` is True and `since` is proven an ancestor of HEAD) or at the first commit
    that breaks the line, a merge, a root or a shallow boundary (then the caller must use
    `log(since)` instead and discard what it saw).
    """

    def __init__(self, commits: Generator[RawCommit, None, None], since: str) -> None:
        self._commits = commits
        self._since = since
        self.reached = False

    def __iter__(self) -> Iterator[RawCommit]:
        expected = None
        try:
            for commit in self._commits:
                if expected is not None and commit.sha != expected:
                    return
                if commit.sha == self._since:
                    self.reached = True
                    return
                if len(commit.parents) != 1:
                    return
                expected = commit.parents[0]
                yield commit
        finally:
            self._commits.close()  # stops git: the rest of history is not needed


@dataclass(frozen=True, slots=True)
class RepoState:
    git_dir: Path
    shallow: bool
    head: str | None
    toplevel: Path  # the working tree's top level (where .github/ lives), or the bare repo


class GitRepo(RevisionFiles):
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        if not self.path.is_dir():
            what = "is not a directory" if self.path.exists() else "does not exist"
            raise NotARepository(f"not a git repository: {self.path} {what}")
        # GIT_FLUSH=0: into a pipe, git log would otherwise flush after every commit.
        self._env = {**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0", "GIT_FLUSH": "0"}
        self._env.pop("GIT_DIR", None)
        self._env.pop("GIT_WORK_TREE", None)
        self._prefetched: _LogProcess | None = None
        self._started: dict[tuple[str, ...], subprocess.Popen] = {}
        self._blobs = BlobReader(self._argv(["cat-file", "--batch"]), self._env)

    def _argv(self, args) -> list[str]:
        return ["git", "-C", str(self.path), "-c", "core.quotepath=off", *args]

    def _run(self, *args: str, ok_codes: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess:
        started = self._started.pop(args, None)
        try:
            if started is None:
                proc = subprocess.run(self._argv(args), capture_output=True, env=self._env)
            else:
                out, err = started.communicate()
                proc = subprocess.CompletedProcess(started.args, started.returncode, out, err)
        except FileNotFoundError:
            raise GitError("git is not installed or not on PATH") from None
        if proc.returncode not in ok_codes:
            raise GitError(_failure(args[0], proc.stderr, proc.returncode))
        return proc

    def state(self) -> RepoState:
        """Ask git where the repository is; from then on every git call and every path this
        object reads is relative to the top level, even when `path` is a subdirectory."""
        # One call: rev-parse answers in order and only the HEAD lookup can fail with 1
        # (no commits yet), after printing the other three answers.
        proc = self._run(*_STATE, ok_codes=(0, 1, 128))
        lines = proc.stdout.decode().split("\n")
        if proc.returncode == 128 or len(lines) < 4:
            raise _not_a_repository(self.path, proc.stderr)
        git_dir, shallow, prefix, head = lines[:4]
        depth = len(Path(prefix).parts)
        toplevel = self.path.resolve()
        if depth:
            toplevel = toplevel.parents[depth - 1]
        self.path = toplevel
        return RepoState(Path(git_dir), shallow == "true", head.strip() or None, toplevel)

    def shallow_boundary(self, state: RepoState) -> frozenset[str]:
        path = state.git_dir / "shallow"
        if not path.exists():
            return frozenset()
        return frozenset(path.read_text().split())

    def all_tags(self) -> dict[str, str]:
        """Tag name -> commit sha for every tag, reachable or not (cheap: no history walk)."""
        return self._tags()

    def reachable_tags(self) -> dict[str, str]:
        """Tag name -> commit sha, for tags whose commit is reachable from HEAD."""
        return self._tags("--merged=HEAD")

    def tag_dates(self) -> dict[str, str]:
        """Tag name -> when it was made (an annotated tag's date, else its commit's), ISO 8601."""
        out = self._run(
            "for-each-ref", "--format=%(refname:strip=2)%00%(creatordate:iso-strict)", "refs/tags"
        )
        pairs = (line.split("\0", 1) for line in out.stdout.decode("utf-8", "replace").splitlines())
        return {p[0]: p[1] for p in pairs if len(p) == 2}

    def _tags(self, *flags: str) -> dict[str, str]:
        proc = self._run(_TAGS[0], *flags, *_TAGS[1:])
        tags: dict[str, str] = {}
        for line in proc.stdout.decode("utf-8", "replace").splitlines():
            name, obj, peeled = (line.split("\0") + ["", ""])[:3]
            tags[name] = peeled or obj
        return tags

    def log(self, since: str | None, paths: tuple[str, ...] = ()) -> Iterator[RawCommit]:
        """Commits reachable from HEAD but not from `since`, newest first, in one git call."""
        if not since and not paths:
            return self._head_log()
        args = ["log", _LOG_FORMAT, f"{since}..HEAD" if since else "HEAD"]
        if paths:
            # A merge commit whose title is conventional counts, but which component it belongs
            # to is not what `--full-history` decides (it keeps a merge that differs from all its
            # parents), and the API history cannot tell either: per component, both skip merges.
            args += ["--full-history", "--no-merges", "--", *paths]
        return self._stream(args)

    def linear_log(self, since: str) -> LinearLog:
        """`log(since)` by a shortcut that works while history down to `since` is one line."""
        return LinearLog(self._head_log(), since)

    def prefetch(self) -> None:
        """Start what a plan asks git first, all at once, to run while the caller loads:
        `git log HEAD` (the next log(None) or linear_log reads it) and the quick questions of
        state, all_tags and origin_url. close() stops whatever nobody asked for."""
        try:
            for args in (_STATE, _TAGS, _ORIGIN):
                self._started[args] = subprocess.Popen(
                    self._argv(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self._env
                )
            self._prefetched = _LogProcess(self._argv(_HEAD_LOG), self._env)
        except FileNotFoundError:
            pass  # the first git call reports it

    def close(self) -> None:
        for started in self._started.values():
            started.kill()
            started.communicate()
        self._started.clear()
        if self._prefetched is not None:
            self._prefetched.stop(kill=True)
            self._prefetched = None

    def _head_log(self) -> Generator[RawCommit, None, None]:
        running, self._prefetched = self._prefetched, None
        if running is None:
            return self._stream(_HEAD_LOG)
        return running.commits()

    def _stream(self, args: list[str], parse: _Parser | None = None) -> Generator[Any, None, None]:
        try:
            running = _LogProcess(self._argv(args), self._env)
        except FileNotFoundError:
            raise GitError("git is not installed or not on PATH") from None
        yield from running.commits(parse)

    def changed_log(self, exclude: tuple[str, ...]) -> Iterator:
        """HEAD's commits not reachable from any of `exclude`, each with its changed paths."""
        from releaser import git_paths

        return self._stream(git_paths.log_args("HEAD", exclude), git_paths.changed_commits)

    def common_ancestors(self, shas: tuple[str, ...]) -> tuple[str, ...]:
        """The best common ancestors of all `shas`: what every one of them reaches is exactly
        what these reach. Empty when they share no history."""
        if len(shas) == 1:
            return shas
        proc = self._run("merge-base", "--octopus", "--all", *shas, ok_codes=(0, 1))
        return tuple(proc.stdout.decode().split())

    def shas_since(self, since: str) -> frozenset[str]:
        out = self._run("rev-list", f"{since}..HEAD").stdout.decode()
        return frozenset(out.split())

    def shas_touching(self, base: str | None, head: str, path: str) -> frozenset[str] | None:
        """Commits of base..head (all of head without a base) that touch `path`; None when
        this clone lacks them."""
        rng = f"{base}..{head}" if base else head
        proc = self._run("rev-list", rng, "--", path, ok_codes=(0, 128))
        return frozenset(proc.stdout.decode().split()) if proc.returncode == 0 else None

    def origin_url(self) -> str | None:
        proc = self._run(*_ORIGIN, ok_codes=(0, 1))
        return proc.stdout.decode().strip() or None

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        proc = self._run("merge-base", "--is-ancestor", ancestor, descendant, ok_codes=(0, 1, 128))
        return proc.returncode == 0

    def changed_paths(self, since: str, path: str) -> frozenset[str]:
        """Every path under `path` that a commit of since..HEAD changed."""
        out = self._run(
            "log",
            "--format=",
            "--name-only",
            "--no-renames",
            "-z",
            "--full-history",
            f"{since}..HEAD",
            "--",
            path,
        ).stdout
        return frozenset(
            p.decode("utf-8", "surrogateescape") for p in out.split(b"\0") if p.strip()
        )

    def add_tag(self, name: str, sha: str) -> bool:
        """Create the lightweight tag `name` at `sha` unless a tag of that name exists (or the
        clone lacks the commit); True when it did."""
        zero = "0" * len(sha)
        proc = self._run("update-ref", f"refs/tags/{name}", sha, zero, ok_codes=(0, 1, 128))
        return proc.returncode == 0

    def tree_of(self, rev: str) -> str:
        return self._run("rev-parse", f"{rev}^{{tree}}").stdout.decode().strip()
