"""Files at a revision through one long-lived `git cat-file --batch`, not one process each.

A monorepo plan reads a CHANGELOG (and version files) per component: with one `git show` per
file, 100 components cost 100 process starts, most of the plan's time. The batch process
answers each `rev:path` line with `<sha> <type> <size>` and the bytes, or `<name> missing`.
"""

from __future__ import annotations

import errno
import subprocess
import threading
import weakref
from typing import IO

from releaser.errors import GitError


class BlobReader:
    """Started on the first read, stopped when its owner is collected or the interpreter exits."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self._argv = argv  # git -C <path> ... cat-file --batch
        self._env = env
        self._proc: subprocess.Popen | None = None
        self._lock = threading.Lock()

    def read(self, rev: str, relpath: str) -> tuple[str, bytes] | None:
        """(object type, bytes) of `rev:relpath`, None when git finds no such object.

        A name holding a newline cannot travel on the batch's line protocol: ValueError, and
        the caller asks git the slow way.
        """
        return self.read_object(f"{rev}:{relpath}")

    def read_object(self, name: str) -> tuple[str, bytes] | None:
        """(object type, bytes) of the object `name` (an object id, or `rev:path`), None when
        git finds none; ValueError for a name with a newline."""
        if "\n" in name or "\r" in name:
            raise ValueError("a newline in an object name")
        with self._lock:
            stdin, stdout = self._pipes()
            stdin.write(name.encode() + b"\n")
            stdin.flush()
            header = stdout.readline()
            if not header:
                self._stop()
                raise OSError("git cat-file --batch stopped answering")
            fields = header.split()
            if len(fields) != 3 or not fields[2].isdigit():
                return None  # "<name> missing" or "<name> ambiguous"
            size = int(fields[2])
            data = stdout.read(size)
            stdout.read(1)  # the newline after the contents
            if len(data) != size:
                self._stop()
                raise OSError("git cat-file --batch ended in the middle of an object")
            return fields[1].decode(), data

    def _pipes(self) -> tuple[IO[bytes], IO[bytes]]:
        if self._proc is None:
            proc = subprocess.Popen(
                self._argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=self._env,
            )
            self._proc = proc
            weakref.finalize(self, _close, proc)
        assert self._proc.stdin is not None and self._proc.stdout is not None
        return self._proc.stdin, self._proc.stdout

    def _stop(self) -> None:
        if self._proc is not None:
            _close(self._proc)
            self._proc = None


def _close(proc: subprocess.Popen) -> None:
    for pipe in (proc.stdin, proc.stdout):
        if pipe is not None:
            try:
                pipe.close()
            except OSError:
                pass
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class RevisionFiles:
    """GitRepo's reads of files and blobs at a revision (one long-lived batch process where it
    can, see BlobReader); GitRepo provides the process plumbing declared here."""

    _blobs: BlobReader
    _env: dict[str, str]

    def _argv(self, args) -> list[str]:
        raise NotImplementedError

    def _run(self, *args: str, ok_codes: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess:
        raise NotImplementedError

    def show(self, rev: str, relpath: str) -> str | None:
        try:
            found = self._blobs.read(rev, relpath)
        except (ValueError, OSError):
            found = ("", b"")  # not expressible on the batch's lines, or it died: ask git show
        if found is None:
            return None
        kind, data = found
        if kind == "blob":
            return data.decode("utf-8", "replace")
        proc = self._run("show", f"{rev}:{relpath}", ok_codes=(0, 128))
        if proc.returncode != 0:
            return None
        return proc.stdout.decode("utf-8", "replace")

    def show_blob(self, rev: str, relpath: str, max_bytes: int) -> bytes | None:
        """The bytes of the regular file `relpath` at `rev`, None when it is absent there;
        OSError(EFBIG) past `max_bytes`, PathRefused for a symlink or anything not a file."""
        from releaser.paths import SYMLINK, PathRefused

        listing = self._run("ls-tree", "-z", "--long", rev, "--", relpath, ok_codes=(0, 128))
        entry = listing.stdout.split(b"\0", 1)[0]
        if listing.returncode != 0 or not entry:
            return None
        mode, kind, sha, size = entry.split(b"\t", 1)[0].split()
        if mode == b"120000":
            raise PathRefused(f"{relpath} at {rev}", SYMLINK)
        if kind != b"blob":
            raise PathRefused(f"{relpath} at {rev}", "not a regular file")
        if int(size) > max_bytes:
            raise OSError(errno.EFBIG, f"over the {max_bytes}-byte limit")
        return self._run("cat-file", "blob", sha.decode()).stdout

    def tree_files(self, rev: str, path: str) -> dict[str, tuple[str, str, int | None]]:
        """Every file under `path` at `rev`, in one call: its path -> (mode, object id, size)."""
        out = self._run("ls-tree", "-r", "-z", "--long", rev, "--", path, ok_codes=(0, 128))
        found: dict[str, tuple[str, str, int | None]] = {}
        for entry in out.stdout.split(b"\0") if out.returncode == 0 else ():
            if b"\t" in entry:
                head, name = entry.split(b"\t", 1)
                mode, _kind, oid, size = head.decode().split()
                found[name.decode("utf-8", "surrogateescape")] = (
                    mode,
                    oid,
                    int(size) if size.isdigit() else None,
                )
        return found

    def blob_bytes(self, oid: str) -> bytes:
        """The bytes of the blob `oid` (a small one: read whole), through the long-lived
        `git cat-file --batch`, with no process of its own; GitError when it is no blob."""
        try:
            found = self._blobs.read_object(oid)
        except (ValueError, OSError):
            found = None
            if "\n" not in oid:  # the batch died: ask git the slow way
                return self._run("cat-file", "blob", oid).stdout
        if found is None or found[0] != "blob":
            raise GitError(f"git cat-file: {oid[:40]} is not a blob")
        return found[1]

    def blob_sha256(self, oid: str, size: int | None = None) -> tuple[str, int]:
        """(sha256 hex, size) of the blob `oid`, streamed from git in constant memory (one
        that `size` says is small is read whole through the batch, with no process)."""
        from releaser.models.hashing import CHUNK, sha256_of

        if size is not None and size <= CHUNK:
            import hashlib

            data = self.blob_bytes(oid)
            return hashlib.sha256(data).hexdigest(), len(data)

        argv = self._argv(["cat-file", "blob", oid])
        proc = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=self._env
        )
        assert proc.stdout is not None  # PIPE
        try:
            return sha256_of(proc.stdout)
        finally:
            proc.stdout.close()
            proc.wait()
