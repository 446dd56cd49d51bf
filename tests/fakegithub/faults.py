"""Injected failures: canned error answers and dropped connections, each for N matching requests."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from typing import Any

KINDS = (
    "502",
    "secondary_rate_limit",
    "429",
    "primary_rate_limit",
    "forbidden",
    "drop_before",
    "drop_after",
)
DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"


@dataclass(slots=True)
class Fault:
    method: str
    path: re.Pattern[str]
    kind: str
    remaining: int


@dataclass(slots=True)
class Gate:
    """Holds matching requests until `parties` of them wait together: a forced race."""

    method: str
    path: re.Pattern[str]
    barrier: threading.Barrier
    remaining: int


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._gates: list[Gate] = []

    def add_gate(self, method: str, path_regex: str, parties: int, timeout: float) -> None:
        barrier = threading.Barrier(parties, timeout=timeout)
        with self._lock:
            self._gates.append(Gate(method.upper(), re.compile(path_regex), barrier, parties))

    def gate(self, method: str, path: str) -> None:
        """Wait at the first matching gate with room left; a timeout lets the request through."""
        with self._lock:
            gate = next(
                (
                    g
                    for g in self._gates
                    if g.remaining > 0 and g.method == method and g.path.search(path)
                ),
                None,
            )
            if gate is not None:
                gate.remaining -= 1
        if gate is not None:
            try:
                gate.barrier.wait()
            except threading.BrokenBarrierError:
                pass

    def add(self, method: str, path_regex: str, kind: str, times: int = 1) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown fault {kind!r}; choose from {KINDS}")
        with self._lock:
            self._faults.append(Fault(method.upper(), re.compile(path_regex), kind, times))

    def take(self, method: str, path: str) -> str | None:
        """Consume and return the first fault matching this request, if any."""
        with self._lock:
            for f in self._faults:
                if f.remaining > 0 and f.method in (method, "*") and f.path.search(path):
                    f.remaining -= 1
                    return f.kind
        return None

    def pending(self) -> int:
        with self._lock:
            return sum(f.remaining for f in self._faults)

    def clear(self) -> int:
        """Drop every fault not yet served (an outage ends); returns how many were left."""
        with self._lock:
            left = sum(f.remaining for f in self._faults)
            self._faults.clear()
            return left


def canned(kind: str) -> tuple[int, dict[str, str], dict[str, Any]]:
    """(status, headers, body) for the faults that answer instead of the handler."""
    if kind == "502":
        return 502, {}, {"message": "Server Error"}
    if kind == "429":
        return (
            429,
            {"Retry-After": "1"},
            {"message": "Too Many Requests", "documentation_url": DOCS},
        )
    if kind == "secondary_rate_limit":
        message = (
            "You have exceeded a secondary rate limit. Please wait a few minutes before you try "
            "again. If you reach out to GitHub Support for help, please include the request ID."
        )
        return 403, {"Retry-After": "1"}, {"message": message, "documentation_url": DOCS}
    if kind == "primary_rate_limit":
        headers = {
            "x-ratelimit-limit": "5000",
            "x-ratelimit-remaining": "0",
            "x-ratelimit-used": "5000",
            "x-ratelimit-reset": str(int(time.time())),  # now: PyGithub waits reset-now+1 s
            "x-ratelimit-resource": "core",
        }
        return (
            403,
            headers,
            {"message": "API rate limit exceeded for user.", "documentation_url": DOCS},
        )
    if kind == "forbidden":
        # What a job token without the needed permission (e.g. checks: read) gets.
        docs = "https://docs.github.com/rest/checks/runs#list-check-runs-for-a-git-reference"
        return (
            403,
            {},
            {"message": "Resource not accessible by integration", "documentation_url": docs},
        )
    raise ValueError(kind)
