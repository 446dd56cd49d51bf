"""Files at a revision through one long-lived `git cat-file --batch`, not one process each.

A monorepo plan reads a CHANGELOG (and version files) per component: with one `git show` per
file, 100 components cost 100 process starts, most of the plan's time. The batch process
answers each `rev:path` line with `<sha> <type> <size>` and the bytes, or `<name> missing`.
"""

from __future__ import annotations

import subprocess
import threading
import weakref
from typing import IO


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
