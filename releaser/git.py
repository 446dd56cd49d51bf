"""The local repository: tags, commits since a tag, the origin URL (few, cheap git calls)."""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from releaser.domain.commits import RawCommit
from releaser.errors import GitError

_LOG_FORMAT = "--format=%H%x00%P%x00%aN%x00%B%x00"


_CHUNK = 1 << 20
_PIPE_SIZE = 1 << 20  # Linux's default cap for an unprivileged pipe


def _failure(command: str, stderr: bytes, returncode: int) -> str:
    detail = stderr.decode("utf-8", "replace").strip().splitlines()
    return f"git {command} failed: {detail[-1] if detail else returncode}"


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


@dataclass(frozen=True, slots=True)
class RepoState:
    git_dir: Path
    shallow: bool
    head: str | None


class GitRepo:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        if not self.path.is_dir():
            raise GitError(f"not a git repository: {self.path} does not exist")
        self._env = {**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"}
        self._env.pop("GIT_DIR", None)
        self._env.pop("GIT_WORK_TREE", None)

    def _argv(self, args) -> list[str]:
        return ["git", "-C", str(self.path), "-c", "core.quotepath=off", *args]

    def _run(self, *args: str, ok_codes: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess:
        try:
            proc = subprocess.run(self._argv(args), capture_output=True, env=self._env, check=False)
        except FileNotFoundError:
            raise GitError("git is not installed or not on PATH") from None
        if proc.returncode not in ok_codes:
            raise GitError(_failure(args[0], proc.stderr, proc.returncode))
        return proc

    def state(self) -> RepoState:
        proc = self._run(
            "rev-parse", "--absolute-git-dir", "--is-shallow-repository", ok_codes=(0, 128)
        )
        if proc.returncode != 0:
            raise GitError(f"not a git repository: {self.path}")
        git_dir, shallow = proc.stdout.decode().split("\n")[:2]
        head = self._run("rev-parse", "--verify", "-q", "HEAD^{commit}", ok_codes=(0, 1))
        sha = head.stdout.decode().strip() or None
        return RepoState(Path(git_dir), shallow == "true", sha)

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

    def _tags(self, *flags: str) -> dict[str, str]:
        proc = self._run(
            "for-each-ref",
            *flags,
            "--format=%(refname:strip=2)%00%(objectname)%00%(*objectname)",
            "refs/tags",
        )
        tags: dict[str, str] = {}
        for line in proc.stdout.decode("utf-8", "replace").splitlines():
            name, obj, peeled = (line.split("\0") + ["", ""])[:3]
            tags[name] = peeled or obj
        return tags

    def log(self, since: str | None, paths: tuple[str, ...] = ()) -> Iterator[RawCommit]:
        """Commits reachable from HEAD but not from `since`, newest first, in one git call.

        They stream while git still writes, so parsing overlaps git's own work and the whole
        output never sits in memory at once.
        """
        revs = [f"{since}..HEAD"] if since else ["HEAD"]
        args = ["log", _LOG_FORMAT, *revs]
        if paths:
            args += ["--full-history", "--", *paths]
        try:
            proc = subprocess.Popen(
                self._argv(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self._env
            )
        except FileNotFoundError:
            raise GitError("git is not installed or not on PATH") from None
        errors: list[bytes] = []
        # A thread drains stderr, so git can never block on it while we read stdout.
        drain = threading.Thread(target=lambda: errors.append(proc.stderr.read()), daemon=True)
        drain.start()
        finished = False
        try:
            _grow_pipe(proc.stdout.fileno())
            yield from _records(iter(partial(os.read, proc.stdout.fileno(), _CHUNK), b""))
            finished = True
        finally:
            proc.stdout.close()
            if not finished:
                proc.kill()  # the caller stopped early: do not wait for all of history
            returncode = proc.wait()
            drain.join()
        if returncode != 0:
            raise GitError(_failure("log", errors[0] if errors else b"", returncode))

    def shas_since(self, since: str) -> frozenset[str]:
        out = self._run("rev-list", f"{since}..HEAD").stdout.decode()
        return frozenset(out.split())

    def origin_url(self) -> str | None:
        proc = self._run("config", "--get", "remote.origin.url", ok_codes=(0, 1))
        return proc.stdout.decode().strip() or None

    def read_text(self, relpath: str) -> str | None:
        path = self.path / relpath
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        proc = self._run("merge-base", "--is-ancestor", ancestor, descendant, ok_codes=(0, 1, 128))
        return proc.returncode == 0

    def show(self, rev: str, relpath: str) -> str | None:
        proc = self._run("show", f"{rev}:{relpath}", ok_codes=(0, 128))
        if proc.returncode != 0:
            return None
        return proc.stdout.decode("utf-8", "replace")

    def tree_of(self, rev: str) -> str:
        return self._run("rev-parse", f"{rev}^{{tree}}").stdout.decode().strip()
