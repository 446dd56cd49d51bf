"""Pace API reads so a long evidence run stays inside GitHub's secondary rate limits.

GitHub documents (REST "Rate limits", secondary limits) at most 900 points per minute for
REST endpoints, a GET costing one point. The pacer allows a burst, then holds the rate to
`per_minute` over any sliding 60-second window. Writes have their own, stricter spacing.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

DEFAULT_READS_PER_MINUTE = 600  # two thirds of GitHub's 900-point budget: room for other jobs
WINDOW = 60.0


class ReadPacer:
    def __init__(
        self,
        per_minute: int = DEFAULT_READS_PER_MINUTE,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.per_minute = per_minute
        self._clock = clock
        self._sleep = sleep
        self._sent: deque[float] = deque()
        self.waited = 0.0

    def take(self) -> None:
        """Block until one more request fits in the window, then record it."""
        now = self._clock()
        while self._sent and now - self._sent[0] >= WINDOW:
            self._sent.popleft()
        if len(self._sent) >= self.per_minute:
            wait = WINDOW - (now - self._sent[0])
            if wait > 0:
                self._sleep(wait)
                self.waited += wait
            now = self._clock()
            while self._sent and now - self._sent[0] >= WINDOW:
                self._sent.popleft()
        self._sent.append(now)
