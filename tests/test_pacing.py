"""The read pacer keeps every 60 s window within its budget, and waits only when it must."""

from __future__ import annotations

import bisect
import random

import pytest

from releaser.pacing import WINDOW, ReadPacer


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds > 0
        self.now += seconds


def _max_in_window(stamps: list[float]) -> int:
    return max(bisect.bisect_left(stamps, t + WINDOW) - i for i, t in enumerate(stamps))


@pytest.mark.parametrize("per_minute", [1, 7, 100, 600])
def test_no_window_holds_more_than_the_budget(per_minute):
    clock = FakeClock()
    pacer = ReadPacer(per_minute, clock=clock, sleep=clock.sleep)
    rng = random.Random(per_minute)
    stamps = []
    for _ in range(per_minute * 3 + 5):
        # bursts and slow stretches, on average about twice the allowed rate
        clock.now += rng.choice([0.0, 0.0, 0.2, 2.0]) * WINDOW / per_minute
        pacer.take()
        stamps.append(clock.now)
    assert _max_in_window(stamps) <= per_minute
    assert pacer.waited > 0


def test_a_burst_under_the_budget_never_waits():
    clock = FakeClock()
    pacer = ReadPacer(50, clock=clock, sleep=clock.sleep)
    for _ in range(50):
        pacer.take()
    assert pacer.waited == 0 and clock.now == 1000.0
    pacer.take()
    assert pacer.waited == pytest.approx(WINDOW)


def test_a_slow_caller_is_never_held_back():
    clock = FakeClock()
    pacer = ReadPacer(10, clock=clock, sleep=clock.sleep)
    for _ in range(100):
        clock.now += WINDOW / 10
        pacer.take()
    assert pacer.waited == 0


def test_a_budget_below_one_is_refused():
    with pytest.raises(ValueError, match="at least 1"):
        ReadPacer(0)
