"""Plumbing of the GitHub adapter: PyGithub's requester, retries, pacing, look-then-write."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import requests.exceptions
from github import Auth, Github, GithubException, GithubRetry
from github.GithubException import RateLimitExceededException, UnknownObjectException

from releaser.errors import GitHubError
from releaser.github.types import AssetInfo
from releaser.pacing import DEFAULT_READS_PER_MINUTE, ReadPacer

PER_PAGE = 100
_CONNECTION_ERRORS = (requests.exceptions.ConnectionError, ConnectionError)


def api_error_message(exc: BaseException) -> str | None:
    """One line for an API error nothing else handled; None when `exc` is not one."""
    if isinstance(exc, _CONNECTION_ERRORS):
        request: Any = getattr(exc, "request", None)
        where = f" at {request.url.split('?')[0]}" if getattr(request, "url", None) else ""
        return f"cannot reach GitHub{where}: {type(exc).__name__}; check GITHUB_API_URL"
    if not isinstance(exc, GithubException):
        return None
    data = exc.data
    message = data.get("message") if isinstance(data, dict) else data
    details = []
    for item in (data.get("errors") if isinstance(data, dict) else None) or []:
        # GitHub's detail: {"message": ...}, or a resource/field/code triple, or a bare string.
        if isinstance(item, dict):
            text = item.get("message") or " ".join(
                str(item[k]) for k in ("resource", "field", "code") if item.get(k)
            )
        else:
            text = str(item)
        if text:
            details.append(text)
    line = f"GitHub API error {exc.status}: {message}"
    if details:
        line += " (" + "; ".join(details) + ")"
    return " ".join(line.split())[:1000]  # one line, bounded


def same_content(present: AssetInfo, asset: Any) -> bool:
    """An uploaded asset is `asset`: same name, and GitHub's digest where it reports one (else
    the size)."""
    if present.name != asset.name:
        return False
    if present.digest:
        return present.digest == "sha256:" + asset.sha256
    return present.size == asset.size


@dataclass(frozen=True, slots=True)
class RetryTiming:
    """How long retries wait. What is retried, how often, and the look before a write is
    repeated do not depend on it; only the sleeps do.

    `scale` multiplies every sleep, including the waits GitHub asks for (Retry-After, the rate
    limit's reset). Production keeps 1; the tests shrink it so retries run at CPU speed.
    Decisions (give up when the wait would exceed `max_wait`) use the unscaled waits.
    """

    backoff_factor: float = 0.2  # GETs: urllib3's exponential backoff between attempts
    secondary_rate_wait: float = 60.0  # a secondary rate limit without Retry-After
    write_delays: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0)  # between write attempts
    asset_delay: float = 1.0  # between asset upload attempts
    scale: float = 1.0

    def sleep(self, seconds: float) -> None:
        if seconds > 0 and self.scale > 0:
            time.sleep(seconds * self.scale)


class _Retry(GithubRetry):
    """GithubRetry whose sleeps go through a RetryTiming."""

    def __init__(self, timing: RetryTiming = RetryTiming(), **kw: Any) -> None:
        super().__init__(**kw)
        self.timing = timing

    def new(self, **kw: Any) -> _Retry:
        retry = super().new(**kw)
        retry.timing = self.timing
        return retry

    def sleep(self, response: Any = None) -> None:
        # urllib3's Retry.sleep, with the same choice of wait, slept through `timing`.
        if self.respect_retry_after_header and response is not None:
            after = self.get_retry_after(response)
            if after:
                self.timing.sleep(after)
                return
        self.timing.sleep(self.get_backoff_time())


def _when(reset: str | None) -> str:
    if not reset:
        return "an unknown time"
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(int(reset)))


class Base:
    """Requests against one repository: GETs retried and paced, writes retried only after a
    look shows they did not happen."""

    def __init__(
        self,
        token: str,
        api_url: str,
        repository: str,
        write_interval: float = 1.0,
        max_wait: float = 120.0,
        reads_per_minute: int = DEFAULT_READS_PER_MINUTE,
        timing: RetryTiming = RetryTiming(),
    ) -> None:
        retry = _Retry(
            timing,
            total=6,
            backoff_factor=timing.backoff_factor,
            secondary_rate_wait=min(timing.secondary_rate_wait, max_wait),
            max_rate_limit_wait=max_wait,
            # Writes are never resent blindly: a lost answer may hide a write that happened.
            allowed_methods=frozenset({"GET", "HEAD", "OPTIONS"}),
        )
        self._gh = Github(
            base_url=api_url.rstrip("/"),
            auth=Auth.Token(token),
            retry=retry,
            per_page=PER_PAGE,
            seconds_between_requests=None,
            seconds_between_writes=write_interval or None,
            lazy=True,
        )
        self._req = self._gh.requester
        self.repository = repository
        self._base = f"/repos/{repository}"
        self.requests = 0
        self._max_wait = max_wait
        self._timing = timing
        self._pacer = ReadPacer(reads_per_minute)

    # -- plumbing ---------------------------------------------------------------------------
    def _call(self, verb: str, path: str, body: Any = None, params: dict | None = None):
        self.requests += 1
        if verb == "GET":
            self._pacer.take()
        url = path if path.startswith("http") else f"{self._base}{path}"
        try:
            return self._req.requestJsonAndCheck(verb, url, parameters=params, input=body)
        except RateLimitExceededException as exc:
            reset = exc.headers.get("x-ratelimit-reset") if exc.headers else None
            raise GitHubError(
                f"GitHub API rate limit exhausted; it resets at {_when(reset)}"
            ) from None
        except requests.exceptions.RetryError as exc:
            if "403" in str(exc) or "429" in str(exc):
                raise GitHubError(
                    f"GitHub API rate limit exhausted on {verb} {path}; "
                    f"it resets at {_when(self._reset_time())}"
                ) from None
            raise GitHubError(f"GitHub kept failing on {verb} {path}: {exc}") from None

    def _reset_time(self) -> str | None:
        """The core limit's reset, from /rate_limit (which does not count against the limit)."""
        try:
            data = self._req.requestJsonAndCheck("GET", "/rate_limit")[1]
            return str(data["resources"]["core"]["reset"])
        except Exception:  # noqa: BLE001 - only decorates an error message
            return None

    def _get(self, path: str, params: dict | None = None) -> Any:
        return self._call("GET", path, params=params)[1]

    def _get_or_none(self, path: str, params: dict | None = None) -> Any:
        try:
            return self._get(path, params)
        except UnknownObjectException:
            return None

    def _page_data(self, path: str, params: dict | None = None) -> Iterator:
        """Each page's whole answer, following rel="next" (the one paginator)."""
        page = 1
        while True:
            headers, data = self._call(
                "GET", path, params={**(params or {}), "per_page": PER_PAGE, "page": page}
            )
            yield data
            if 'rel="next"' not in (headers.get("link") or ""):
                return
            page += 1

    def _pages(self, path: str, params: dict | None = None, key: str | None = None) -> Iterator:
        """The items of every page (of `data[key]` where the list is wrapped)."""
        for data in self._page_data(path, params):
            yield from (data[key] if key else data)

    def _write(self, verb: str, path: str, body: Any, done: Callable[[], Any] | None = None):
        """A write, retried only when GitHub refused it or `done()` shows it did not happen."""
        delays = self._timing.write_delays
        waited = 0.0
        for attempt in range(5):
            delay = delays[min(attempt, len(delays) - 1)]
            try:
                return self._call(verb, path, body)[1]
            except GithubException as exc:
                retry_after = (exc.headers or {}).get("retry-after")
                limited = exc.status == 429 or (exc.status == 403 and retry_after)
                if not (limited or exc.status >= 500) or attempt == 4 or waited > self._max_wait:
                    raise
                wait = float(retry_after) if retry_after else delay
            except _CONNECTION_ERRORS:
                if attempt == 4:
                    raise GitHubError(
                        f"connection to GitHub kept failing on {verb} {path}"
                    ) from None
                wait = delay
            if done is not None:
                found = done()
                if found is not None:
                    return found
            self._timing.sleep(wait)
            waited += wait
        raise AssertionError("unreachable")
