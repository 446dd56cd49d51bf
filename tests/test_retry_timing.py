"""Retry waits are injectable: shrinking them changes how long a run sleeps, never what it does."""

from __future__ import annotations

import time

import pytest

from releaser.errors import ConfigError
from releaser.github import GitHub, RetryTiming
from releaser.settings import TEST_RETRY_SCALE, retry_timing
from tests.test_action_e2e import seed


def _client(fake, scale: float) -> GitHub:
    return GitHub(
        fake.token, fake.api_url, fake.full_name, write_interval=0, timing=RetryTiming(scale=scale)
    )


def _attempts(fake, method: str, suffix: str) -> list[int]:
    return [s for m, p, s in fake.requests if m == method and p.endswith(suffix)]


@pytest.mark.parametrize(
    ("fault", "times", "seconds"),
    [
        ("502", 3, 0.2 * 2 + 0.2 * 4),  # urllib3 backoff: none, then 0.4 s, 0.8 s
        ("429", 2, 2.0),  # Retry-After: 1 twice
        ("secondary_rate_limit", 2, 2.0),
    ],
)
def test_a_get_is_retried_as_often_at_any_scale_and_sleeps_scaled(
    fakegithub, fault, times, seconds
):
    fake = fakegithub
    counts = []
    for scale in (1.0, 0.0):
        fake.reset_requests()
        fake.inject("GET", r"/releases$", fault, times=times)
        started = time.monotonic()
        _client(fake, scale).releases()
        took = time.monotonic() - started
        counts.append(_attempts(fake, "GET", "/releases"))
        if scale == 1.0:
            assert took >= seconds * 0.9
        else:
            assert took < seconds / 2
    slow, fast = counts
    assert slow == fast and len(fast) == times + 1 and fast[-1] == 200


def test_a_write_looks_before_it_retries_and_sleeps_scaled(fakegithub):
    fake = fakegithub
    seed(fake)
    gh = _client(fake, 0.0)
    sha = fake.ref_sha("refs/heads/main")
    # The answer is lost after the write happened: the look finds it, nothing is sent twice.
    fake.inject("POST", r"/git/refs$", "drop_after")
    started = time.monotonic()
    gh.create_ref("heads/after-drop", sha)
    assert time.monotonic() - started < 1.0
    assert len(_attempts(fake, "POST", "/git/refs")) == 1
    # Refused four times (502): five attempts, the waits 1+2+4+8 s shrunk to nothing.
    fake.inject("POST", r"/git/refs$", "502", times=4)
    started = time.monotonic()
    gh.create_ref("heads/after-502", sha)
    assert time.monotonic() - started < 1.0
    assert _attempts(fake, "POST", "/git/refs")[1:] == [502, 502, 502, 502, 201]
    assert fake.ref_sha("refs/heads/after-502") == sha


def test_the_default_timing_is_production_timing():
    timing = retry_timing({})
    assert timing == RetryTiming()
    assert (timing.scale, timing.backoff_factor, timing.write_delays) == (1.0, 0.2, (1, 2, 4, 8))


@pytest.mark.parametrize("raw", ["fast", "-1", "2", "nan", "inf"])
def test_a_bad_scale_is_refused(raw):
    with pytest.raises(ConfigError, match=TEST_RETRY_SCALE):
        retry_timing({TEST_RETRY_SCALE: raw})


def test_the_scale_is_read_from_the_environment():
    assert retry_timing({TEST_RETRY_SCALE: "0.001"}).scale == 0.001
