"""Run entrypoint.py in a fresh child forked from a Python that has already imported releaser.

Starting Python and importing releaser.action (PyGithub, jsonschema, cyclonedx) costs about a
second of CPU; the Action tests run entrypoint.py a few hundred times. This "zygote" pays the
imports once per pytest process and forks one child per run. The child is what a spawned
`python entrypoint.py` would be, as far as the Action can tell: its own process (and process
group), the run's environment and nothing else, cwd the workspace, stdin /dev/null, stdout and
stderr its own, entrypoint.py executed as __main__, and the exit status Python would give.

What it cannot reproduce falls back to a real spawn (see `can_serve`): an environment that sets
PYTHON* variables (they act at interpreter start) or a locale. Every child of one zygote shares
its hash seed. RELEASER_TEST_SPAWN=1 turns the zygote off for a whole run.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENTRYPOINT = ROOT / "entrypoint.py"
SPAWN = "RELEASER_TEST_SPAWN"
_LOCALE = ("LC_ALL", "LC_CTYPE", "LANG")


def can_serve(env: dict[str, str]) -> bool:
    if os.environ.get(SPAWN) == "1" or not hasattr(os, "fork"):
        return False
    if any(k in _LOCALE for k in env):
        return False
    # PYTHONPATH naming this checkout alone is reproduced (the child puts it on sys.path);
    # any other PYTHON* variable acts at interpreter start-up.
    python = {k: v for k, v in env.items() if k.startswith("PYTHON")}
    return python == {} or python == {"PYTHONPATH": str(ROOT)}


class Zygote:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc: subprocess.Popen | None = None
        self._sock = ""
        self._started_env: dict[str, str] = {}

    def _ensure(self) -> None:
        with self._lock:
            if self._proc is not None and self._proc.poll() is None:
                return
            self._sock = os.path.join(tempfile.mkdtemp(prefix="releaser-zygote-"), "sock")
            # Started as the runs are: an environment of PATH alone, no locale, so Python's
            # start-up (locale coercion, stdio encodings) is the one a run's would be.
            env = {"PATH": os.environ["PATH"]}
            self._proc = subprocess.Popen(
                [sys.executable, str(Path(__file__).resolve()), self._sock],
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
            assert self._proc.stdout is not None
            line = self._proc.stdout.readline()
            if not line.startswith(b"ready "):
                raise RuntimeError(f"zygote did not start: {line!r}")
            # What Python itself added to its environment at start-up (LC_CTYPE=C.UTF-8 under
            # PEP 538 locale coercion): a spawned run gets the same, from its own start-up.
            self._started_env = json.loads(line[6:])

    def stop(self) -> None:
        with self._lock:
            if self._proc is not None and self._proc.poll() is None:
                assert self._proc.stdin is not None
                self._proc.stdin.close()  # the zygote reaps its helpers and exits
                try:
                    self._proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    self._proc.kill()
                    self._proc.wait()
                shutil.rmtree(os.path.dirname(self._sock), ignore_errors=True)
            self._proc = None

    def run(self, argv: list[str], env: dict[str, str], cwd: Path, timeout: float):
        """(returncode, stdout, stderr) as subprocess.run(..., text=True) would give them."""
        self._ensure()
        full_env = {**self._started_env, **env}
        fields = {"env": full_env, "cwd": str(cwd), "argv": argv}
        request = json.dumps(fields).encode("utf-8") + b"\n"
        with (
            tempfile.TemporaryFile() as out,
            tempfile.TemporaryFile() as err,
            socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn,
        ):
            conn.settimeout(timeout)
            conn.connect(self._sock)
            socket.send_fds(conn, [request], [out.fileno(), err.fileno()])
            reader = conn.makefile("rb")
            pid = int(reader.readline())
            try:
                status = reader.readline()
            except TimeoutError:
                os.killpg(pid, signal.SIGKILL)
                raise subprocess.TimeoutExpired([sys.executable, *argv], timeout) from None
            if not status:
                raise RuntimeError("the zygote lost the run without a status")
            code = int(status)
            out.seek(0)
            err.seek(0)
            return code, _text(out.read()), _text(err.read())


def _text(data: bytes) -> str:
    # subprocess's text=True: the locale's encoding, universal newlines.
    import locale

    text = data.decode(locale.getpreferredencoding(False))
    return text.replace("\r\n", "\n").replace("\r", "\n")


_ZYGOTE = Zygote()
atexit.register(_ZYGOTE.stop)


def stop() -> None:
    """End the zygote (a later run starts a new one)."""
    _ZYGOTE.stop()


def run_python(
    argv: list[str], env: dict[str, str], cwd: Path, timeout: float
) -> tuple[int, str, str]:
    """`python SCRIPT ARGS...` or `python -m MODULE ARGS...` (argv without the interpreter)
    with exactly `env` in `cwd`, stdin /dev/null: forked from the zygote where that cannot be
    told apart, else spawned. Returns (returncode, stdout, stderr)."""
    if can_serve(env) and (argv[0] != "-m" or len(argv) > 1):
        return _ZYGOTE.run(argv, env, cwd, timeout)
    return spawn(argv, env, cwd, timeout)


def run_entrypoint(env: dict[str, str], cwd: Path, timeout: float) -> tuple[int, str, str]:
    """`python entrypoint.py` as the runner starts the Action."""
    return run_python([str(ENTRYPOINT)], env, cwd, timeout)


def spawn(argv: list[str], env: dict[str, str], cwd: Path, timeout: float):
    proc = subprocess.run(
        [sys.executable, *argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=timeout,
    )
    return proc.returncode, proc.stdout, proc.stderr


# -- the zygote process ---------------------------------------------------------------------
def _child(request: dict, out_fd: int, err_fd: int) -> None:
    """In the forked child: become the run's process, execute entrypoint.py, exit."""
    import runpy
    import traceback

    os.setpgid(0, 0)  # a group of its own, so a timeout kills its git children too
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(out_fd, 1)
    os.dup2(err_fd, 2)
    os.close(devnull)
    os.close(out_fd)
    os.close(err_fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    argv = request["argv"]
    # sys.path as the interpreter would set it up: the script's folder (with -m, the cwd)
    # first, then PYTHONPATH (can_serve admits only this checkout), then the rest.
    extra = [p for p in request["env"].get("PYTHONPATH", "").split(os.pathsep) if p]
    code = 0
    try:
        if argv[0] == "-m":
            sys.path[0:1] = [os.getcwd(), *extra]
            sys.argv = ["-m", *argv[2:]]  # run_module puts the module's file first
            runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
        else:
            sys.path[0:1] = [os.path.dirname(os.path.abspath(argv[0])), *extra]
            sys.argv = list(argv)
            runpy.run_path(argv[0], run_name="__main__")
    except SystemExit as exc:
        # The interpreter's own handling of SystemExit at the top level.
        if exc.code is None:
            code = 0
        elif isinstance(exc.code, int):
            code = exc.code & 0xFF
        else:
            print(exc.code, file=sys.stderr)
            code = 1
    except BaseException:  # noqa: BLE001 - an uncaught exception ends Python this way
        traceback.print_exc()
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001, S110 - as at interpreter exit
            pass
    os._exit(code)


def _serve_one(conn: socket.socket) -> None:
    """In a forked helper: read one request, fork the run, report its pid and status."""
    data, fds, _flags, _addr = socket.recv_fds(conn, 1 << 16, 2)
    while not data.endswith(b"\n"):
        more = conn.recv(1 << 16)
        if not more:
            return
        data += more
    request = json.loads(data)
    out_fd, err_fd = fds
    pid = os.fork()
    if pid == 0:
        conn.close()
        _child(request, out_fd, err_fd)
    os.close(out_fd)
    os.close(err_fd)
    conn.sendall(f"{pid}\n".encode())
    _, status = os.waitpid(pid, 0)
    conn.sendall(f"{os.waitstatus_to_exitcode(status)}\n".encode())


def _serve(sock_path: str) -> None:
    # Started with PATH alone: anything else in the environment, Python's start-up put there.
    added = {k: v for k, v in os.environ.items() if k != "PATH"}
    # As `python entrypoint.py` has it: the entry point's folder first on sys.path.
    sys.path[0] = str(ROOT)
    import releaser.action  # noqa: F401 - the expensive imports, paid once
    import releaser.cli  # noqa: F401

    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(sock_path)
    server.listen(16)
    sys.stdout.write("ready " + json.dumps(added) + "\n")
    sys.stdout.flush()
    helpers: set[int] = set()
    while True:
        # Stdin is a pipe from the pytest process: its end (even a kill) ends the zygote.
        ready, _, _ = select.select([server, sys.stdin], [], [], 1.0)
        _reap(helpers, block=False)
        if sys.stdin in ready:
            _reap(helpers, block=True)  # their CPU time counts in the pytest process's
            os._exit(0)
        if server not in ready:
            continue
        conn, _ = server.accept()
        pid = os.fork()
        if pid == 0:
            server.close()
            try:
                _serve_one(conn)
            finally:
                os._exit(0)
        helpers.add(pid)
        conn.close()


def _reap(helpers: set[int], block: bool) -> None:
    for pid in list(helpers):
        done, _ = os.waitpid(pid, 0 if block else os.WNOHANG)
        if done:
            helpers.discard(pid)


if __name__ == "__main__":
    _serve(sys.argv[1])
