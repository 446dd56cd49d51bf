"""Timing and peak-memory measurement of one command per fresh child process, plus machine facts.

Used by bench/run.py; kept apart so run.py stays about the benchmark itself.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

SPAWN = Path(__file__).resolve().parent / "spawn.py"


class BenchError(Exception):
    """A tool failed or is missing; the message says which and how to fix it."""


@dataclass(frozen=True, slots=True)
class Sample:
    seconds: float
    peak_mb: float


@dataclass(frozen=True, slots=True)
class Stats:
    median_ms: float
    min_ms: float
    max_ms: float
    peak_mb: float
    runs: int


def run_once(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> Sample:
    """Run cmd once through spawn.py (stdout to /dev/null); its wall time and own peak RSS.

    spawn.py times the command itself, so the wrapper's interpreter start-up is not counted;
    its ~8 MB start-up RSS is the lowest peak this can report.
    """
    wrapper = [sys.executable, "-I", "-S", str(SPAWN), *cmd]
    with tempfile.TemporaryFile() as err:
        proc = subprocess.run(wrapper, cwd=cwd, stdout=subprocess.PIPE, stderr=err, env=env)
        fields = proc.stdout.split()
        if proc.returncode != 0 or len(fields) != 3 or fields[2] != b"0":
            err.seek(0)
            tail = err.read().decode(errors="replace")[-2000:]
            raise BenchError(f"{' '.join(cmd)} failed in {cwd} ({proc.stdout!r}):\n{tail}")
    # Linux reports ru_maxrss in KiB.
    return Sample(seconds=float(fields[0]), peak_mb=int(fields[1]) / 1024)


def summarize(samples: list[Sample]) -> Stats:
    times = [s.seconds * 1000 for s in samples]
    return Stats(
        median_ms=statistics.median(times),
        min_ms=min(times),
        max_ms=max(times),
        peak_mb=max(s.peak_mb for s in samples),
        runs=len(samples),
    )


def measure(cmd: list[str], cwd: Path, runs: int, env: dict[str, str] | None = None) -> Stats:
    """One warm-up run (page cache, bytecode caches), then `runs` timed runs."""
    run_once(cmd, cwd, env)
    return summarize([run_once(cmd, cwd, env) for _ in range(runs)])


def measure_interleaved(cmds: dict[str, list[str]], cwd: Path, runs: int) -> dict[str, Stats]:
    """Warm each command up, then run them round-robin, so a burst of load on a shared machine
    hits every tool alike instead of whichever happened to be running."""
    for cmd in cmds.values():
        run_once(cmd, cwd)
    samples: dict[str, list[Sample]] = {name: [] for name in cmds}
    for _ in range(runs):
        for name, cmd in cmds.items():
            samples[name].append(run_once(cmd, cwd))
    return {name: summarize(found) for name, found in samples.items()}


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def capture(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run cmd and return its stdout; raise BenchError with stderr if it fails."""
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise BenchError(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    return proc.stdout


def repo_state(repo: Path) -> tuple[str, str, str]:
    """HEAD, all refs and work-tree status: a peer that changes any of them broke the rules."""
    head = capture(["git", "rev-parse", "HEAD"], repo)
    refs = capture(["git", "for-each-ref", "--format=%(refname) %(objectname)"], repo)
    status = capture(["git", "status", "--porcelain", "--untracked-files=all"], repo)
    return head, refs, status


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def ram_gib() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def first_line(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unavailable ({exc})"
    text = (out.stdout or out.stderr).strip()
    return text.splitlines()[0] if text else "unknown"
