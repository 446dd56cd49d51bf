"""The workspace's model files hashed in a child process while the plan walks history.

A plan with a model component forks once, before its history walk, when the components'
model.yaml name files worth hashing (start). This module stays light (no model module;
hashlib loads in the child). releaser.models.planner's child, which hashes the files
itself, reads the manifests' file lists with it too, and shares a large model's files with
a helper it forks (start_shared).

The child hashes each file with hashing.hash_identified (the same opening as in-process
hashing: no symlink, no .git, nothing outside the workspace) and reports, per
workspace-relative path, the digest, the size and the identity of the file it read. The
plan then opens each file as before and takes the child's digest only for that exact path
and only when the file it opened has the same identity. No answer, an error in the child, a
file changed since: the file is hashed in-process, so every error reads as without the
child. A forked child, not a thread: hashlib gives the GIL back per chunk, but getting it
again behind the history parser made threaded hashing slower than hashing first.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from releaser import bounded, config_path, paths

if TYPE_CHECKING:  # hashlib loads in the child, which hashes: not before the fork
    from releaser.models.hashing import Identity

MANIFEST_NAME = "model.yaml"
MAX_YAML_BYTES = 1024 * 1024  # as releaser.models.sources reads a model.yaml
# Below this many bytes in all, hashing in-process costs less than a child (~1 ms a MiB).
MIN_BYTES = 8 * 1024 * 1024
# Files two processes may share (start_shared): what a pipe holds unread (64 KiB) in 4-byte
# indices, all written before either reads. Any past these are hashed by the child after.
MAX_QUEUED = 8192
# What a child found: workspace-relative path -> (sha256, size, identity of the file read).
Found = dict[str, tuple[str, int, "Identity"]]


class Child:
    """A child process of the plan and the pipe its answer arrives on, read to its end
    once; it never outlives the plan (close kills and reaps it on any path out)."""

    def __init__(self, pid: int, fd: int) -> None:
        self._pid: int | None = pid
        self._fd: int | None = fd

    def _read_all(self) -> bytes:
        """The whole answer (to EOF: the child has finished), then the child reaped."""
        data = b""
        if self._fd is not None:
            with os.fdopen(self._fd, "rb") as pipe:
                self._fd = None
                data = pipe.read()
        self._reap(kill=False)
        return data

    def close(self) -> None:
        """Stop the child if it still runs (an error path, or nothing asked)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        self._reap(kill=True)

    def _reap(self, kill: bool) -> None:
        pid, self._pid = self._pid, None
        if pid is None:
            return
        if kill:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        os.waitpid(pid, 0)


class Prehash(Child):
    """The hashing child and, once collected, its answers: path -> (sha256, size, identity)."""

    def __init__(self, pid: int, fd: int) -> None:
        super().__init__(pid, fd)
        self._results: Found | None = None

    def known(self, rel: str, ident: Identity) -> tuple[str, int] | None:
        """(sha256, size) the child found for the file at `rel` with identity `ident`."""
        if self._results is None:
            self._results = answers(self.entries())
        return lookup(self._results, rel, ident)

    def entries(self) -> list[Any]:
        """Every [path, sha256, size, *identity] the child wrote (answers reads them), once
        it has finished; then it is reaped."""
        found = []
        for line in self._read_all().split(b"\n"):
            try:
                found.append(json.loads(line))
            except ValueError:
                continue  # the empty tail, or a line the child could not finish
        return found


def lookup(found: Found, rel: str, ident: Identity) -> tuple[str, int] | None:
    """(sha256, size) in `found` (answers) for the file at `rel` with identity `ident`."""
    entry = found.get(rel)
    if entry is None or entry[2] != ident:
        return None
    return entry[0], entry[1]


def answers(entries: Iterable[Any]) -> Found:
    """path -> (sha256, size, identity) from the child's [path, sha256, size, *identity]."""
    out: Found = {}
    for entry in entries:
        if not isinstance(entry, list) or len(entry) != 8:
            continue
        rel, digest, size, *ident = entry
        if isinstance(rel, str) and isinstance(digest, str):
            out[rel] = (digest, int(size), cast("Identity", tuple(int(x) for x in ident)))
    return out


def _component(path: object) -> str | None:
    """The component directory as the plan names files under it, or None when unusable."""
    if not isinstance(path, str):
        return None
    if path in ("", "."):
        return ""
    path = path.strip("/")
    return path if paths.problem(path) is None else None


def _listed(workspace: Path, component: str) -> Iterable[tuple[str, int]]:
    """(workspace-relative path, size) of each artifact file the component's model.yaml
    lists that is a regular file here. Anything amiss is left to the plan to report."""
    directory = _component(component)
    if directory is None:
        return
    prefix = f"{directory}/" if directory else ""
    try:
        raw = paths.read_bytes(workspace, prefix + MANIFEST_NAME, MAX_YAML_BYTES)
        data: Any = bounded.load_yaml(
            raw, MANIFEST_NAME, max_bytes=MAX_YAML_BYTES, max_expanded=2 * MAX_YAML_BYTES
        )[0]
        names = [item["path"] for item in data["artifact"]["files"]]
    except Exception:  # noqa: BLE001 - the plan reads it again and says what is wrong
        return
    for rel in names:
        if not isinstance(rel, str) or paths.problem(rel) is not None:
            continue
        full = prefix + rel
        try:
            st = os.lstat(workspace / full)
        except (OSError, ValueError):
            continue
        if stat.S_ISREG(st.st_mode):
            yield full, st.st_size


def model_paths(raw: bytes) -> list[str]:
    """The `path` of every `type: model` component in a releaser config's bytes; [] for a
    config without one, or one the config's own load will refuse (it reports why)."""
    if not config_path.names_a_model(raw):  # a code-only config: not even parsed twice
        return []
    try:
        data: Any = bounded.load_yaml(raw, "config")[0]
        return [
            c["path"]
            for c in data["components"]
            if isinstance(c, dict) and c.get("type") == "model" and isinstance(c["path"], str)
        ]
    except Exception:  # noqa: BLE001 - the config's load says what is wrong with it
        return []


def start(workspace: Path, components: Iterable[str]) -> Prehash | None:
    """A child hashing the artifact files the model.yaml of `components` list, or None when
    there is too little to hash, or no fork here."""
    files = listed(workspace, components)
    if sum(size for _name, size in files) < MIN_BYTES:
        return None
    return _fork(workspace, [name for name, _size in files])


def listed(workspace: Path, components: Iterable[str]) -> list[tuple[str, int]]:
    """(path, size) of each file the components' manifests list, in their order, once."""
    found = (entry for path in components for entry in _listed(workspace, path))
    return list(dict((name, size) for name, size in found).items())


def start_shared(workspace: Path, files: list[tuple[str, int]]) -> tuple[Prehash, int] | None:
    """A child hashing `files` with this process: their indices wait in a pipe, largest
    first, and each process takes one at a time (share) until none is left. The child and
    the pipe this process takes from (the caller shares, then closes it), or None when
    there is no fork here."""
    if not files or not hasattr(os, "fork"):
        return None
    queue, queuing = os.pipe()
    order = sorted(range(len(files)), key=lambda i: -files[i][1])[:MAX_QUEUED]
    tokens = b"".join(i.to_bytes(4, "big") for i in order)
    while tokens:  # at most 32 KiB: the pipe takes it all without a reader
        tokens = tokens[os.write(queuing, tokens) :]
    os.close(queuing)
    queued = set(order)
    names = [name for name, _size in files]
    rest = [name for index, name in enumerate(names) if index not in queued]
    started = _fork(workspace, rest, (queue, names))
    if started is None:
        os.close(queue)
        return None
    return started, queue


def share(queue: int, names: list[str], workspace: Path, emit: Callable[[list], None]) -> None:
    """Hash the files whose indices in `names` this process takes from `queue`, until it is
    empty; `emit` each [path, sha256, size, *identity]. Each index is read whole (4 bytes,
    all written before the first read), so two processes never take the same file."""
    while True:
        token = os.read(queue, 4)
        if len(token) < 4:
            return
        index = int.from_bytes(token, "big")
        if index < len(names):
            hash_all([names[index]], workspace, emit)


def _fork(
    workspace: Path, names: list[str], shared: tuple[int, list[str]] | None = None
) -> Prehash | None:
    """A child hashing `names`, after its share of `shared` (a queue and the names its
    indices stand for) when given."""
    if not hasattr(os, "fork"):
        return None
    read, write = os.pipe()
    pid = fork()
    if pid < 0:
        os.close(read)
        os.close(write)
        return None
    if pid == 0:
        _child(write, workspace, names, shared)  # never returns
    os.close(write)
    return Prehash(pid, read)


def fork() -> int:
    """os.fork(), or -1 when it fails (the caller then does without the child). Python 3.12
    warns of a fork beside threads: each child here uses nothing another thread could have
    held a lock of (see the _child functions)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return os.fork()
    except OSError:
        return -1


def keep_only(*kept: int) -> None:
    """In a forked child, close every descriptor from 3 up but `kept`: the parent's pipes
    to git stay the parent's (a git process must see its EOFs), and its files its own."""
    low = 3
    for fd in sorted(kept):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, 1 << 16)


def _child(fd: int, workspace: Path, names: list[str], shared) -> None:
    """Hash `names` (after its share of `shared`), write one JSON line each to `fd`, exit.
    Only this thread exists here and it takes no lock another thread could have held:
    open, read, hash, write."""
    code = 0
    try:
        keep_only(fd, *((shared[0],) if shared is not None else ()))

        def emit(entry: list) -> None:
            line = json.dumps(entry).encode() + b"\n"
            while line:
                line = line[os.write(fd, line) :]

        if shared is not None:
            share(shared[0], shared[1], workspace, emit)
        hash_all(names, workspace, emit)
    except BaseException:  # noqa: BLE001 - whatever happens, never return into the plan
        code = 1
    finally:
        os._exit(code)


def hash_all(names: Iterable[str], workspace: Path, emit: Callable[[list], None]) -> None:
    """Hash each of `names`; `emit` each [path, sha256, size, *identity] (answers reads
    them). A file that cannot be read is left out: the plan hashes it and says why."""
    from releaser.models.hashing import hash_identified

    for name in names:
        try:
            digest, size, ident = hash_identified(workspace, name)
        except Exception:  # noqa: BLE001 - the plan hashes it itself and reports
            continue
        emit([name, digest, size, *ident])
