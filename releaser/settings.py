"""One frozen Settings per run, built once at the edge from env, inputs, event and `now`.

Nothing below the edge reads the environment or the clock: it is handed these values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from releaser import config as config_mod
from releaser import paths
from releaser.actions import COMMANDS, PROMOTION_COMMANDS, read_input
from releaser.config import Config
from releaser.domain.promotion import Strategy, parse_strategy
from releaser.errors import ConfigError
from releaser.evidence.collect import RunInfo, run_info, split_globs
from releaser.github import RetryTiming

# Test-only: a factor in [0, 1] that shrinks every retry wait (backoff, Retry-After, rate
# limit resets, write and upload retries), so the fault tests run at CPU speed. It is read
# here, at the edge, and nowhere below; what is retried and how often stay the same.
TEST_RETRY_SCALE = "RELEASER_TEST_RETRY_SCALE"


@dataclass(frozen=True, slots=True)
class PromotionInputs:
    """The inputs of `promote`, `deployment-status` and `rollback`, checked before any request."""

    tag: str = ""  # the `version` input: a tag such as v1.4.0 or churn@v1.3.0
    environment: str = ""
    strategy: Strategy = Strategy("full")
    reason: str = ""
    emergency: bool = False
    component: str = ""
    deployment_id: int = 0
    state: str = ""
    environment_url: str = ""
    description: str = ""


@dataclass(frozen=True, slots=True)
class Settings:
    command: str
    repository: str
    api_url: str
    server_url: str
    workspace: Path
    event_name: str
    event: Mapping[str, Any]
    sha: str
    ref: str
    config_file: str
    target_branch: str  # the input; "" lets the event or the repository name it
    token: str  # the `token` input (a minted App token replaces it: see action.credentials)
    app_id: str
    app_private_key: str
    test_results: tuple[str, ...]
    artifacts: tuple[str, ...]
    sboms: tuple[str, ...]
    # None: the input was not given, the config decides (see fail_on_missing_evidence()).
    fail_on_missing_input: bool | None
    run: RunInfo
    run_id: str
    runner_temp: str
    write_interval: float
    timing: RetryTiming
    now: datetime
    promotion: PromotionInputs | None = None  # set for the promotion commands only

    @property
    def explicit_config(self) -> bool:
        return self.config_file != config_mod.DEFAULT_PATH

    def fail_on_missing_evidence(self, config: Config) -> bool:
        """The input and the config key agree, or only one of them is set; else an error."""
        given, configured = self.fail_on_missing_input, config.fail_on_missing_evidence
        if given is not None and configured is not None and given != configured:
            raise ConfigError(
                f"input fail-on-missing-evidence={str(given).lower()} conflicts with "
                f"fail-on-missing-evidence: {str(configured).lower()} in {self.config_file}",
                hint="set it in one place",
            )
        return bool(given if given is not None else configured)


def _require_env(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise ConfigError(f"{name} is not set; is this running inside GitHub Actions?")
    return value


def _read_event(env: Mapping[str, str]) -> dict:
    from releaser.bounded import EVENT, load_json, read_capped

    path = env.get("GITHUB_EVENT_PATH", "").strip()
    if not path:
        return {}
    source = f"event file {path}"
    try:
        raw = read_capped(Path(path), EVENT.max_bytes, source, ConfigError)
    except FileNotFoundError:
        raise ConfigError(f"event file {path} does not exist") from None
    except OSError as exc:
        raise ConfigError(f"event file {path} cannot be read: {exc.strerror or exc}") from None
    data = load_json(raw, source, EVENT, ConfigError)
    if not isinstance(data, dict):
        raise ConfigError(f"event file {path} does not hold a JSON object")
    return data


def retry_timing(env: Mapping[str, str]) -> RetryTiming:
    raw = env.get(TEST_RETRY_SCALE, "").strip()
    if not raw:
        return RetryTiming()
    try:
        scale = float(raw)
    except ValueError:
        scale = -1.0
    if not 0.0 <= scale <= 1.0:
        raise ConfigError(f"{TEST_RETRY_SCALE} must be a number from 0 to 1, not {raw!r}")
    return RetryTiming(scale=scale)


def _flag(env: Mapping[str, str], name: str) -> bool | None:
    value = read_input(env, name).lower()
    if value == "":
        return None
    if value in ("true", "false"):
        return value == "true"
    raise ConfigError(f"input {name} must be true or false, not {value!r}")


def _name(env: Mapping[str, str], name: str, required: bool, spaces: bool = True) -> str:
    """A name GitHub is asked about (a tag, an environment, a component): one line, bounded."""
    value = read_input(env, name)
    if not value:
        if required:
            raise ConfigError(f"input {name} is required")
        return value
    bad = any(ord(c) < 32 or ord(c) == 127 or (not spaces and c.isspace()) for c in value)
    if bad or len(value) > 255:
        raise ConfigError(f"input {name} {value[:80]!r} is not a usable name")
    return value


def _promotion(env: Mapping[str, str], command: str) -> PromotionInputs:
    if command == "deployment-status":
        raw = _name(env, "deployment-id", required=True)
        if not raw.isdigit():
            raise ConfigError(f"input deployment-id {raw!r} is not a number")
        state = read_input(env, "state")
        if state not in ("success", "failure"):
            raise ConfigError(f"input state must be success or failure, not {state!r}")
        url = _name(env, "environment-url", required=False, spaces=False)
        if url and not url.startswith(("https://", "http://")):
            raise ConfigError(f"input environment-url {url[:80]!r} is not an http(s) URL")
        return PromotionInputs(
            deployment_id=int(raw),
            state=state,
            environment_url=url,
            description=" ".join(read_input(env, "description").split())[:140],
        )
    environment = _name(env, "environment", required=command in ("promote", "rollback"))
    if command == "rollback":
        return PromotionInputs(
            environment=environment, component=_name(env, "component", required=False)
        )
    tag = _name(env, "version", required=True, spaces=False)
    try:
        strategy = parse_strategy(read_input(env, "strategy", "full"))
    except ValueError as exc:
        raise ConfigError(f"input {exc}") from None
    reason = read_input(env, "reason")
    emergency = bool(_flag(env, "emergency"))
    if emergency and not reason:
        raise ConfigError("input emergency needs a reason (the review issue records it)")
    return PromotionInputs(tag, environment, strategy, reason, emergency)


def from_env(env: Mapping[str, str], now: datetime) -> Settings:
    command = read_input(env, "command", "auto")
    if command not in COMMANDS:
        raise ConfigError(f"unknown command '{command}'; expected one of {', '.join(COMMANDS)}")
    promotion = _promotion(env, command) if command in PROMOTION_COMMANDS else None
    config_file = read_input(env, "config-file", config_mod.DEFAULT_PATH)
    why = paths.problem(config_file)
    if why is not None:  # it is read from the workspace or, without a checkout, the API
        raise ConfigError(f"input config-file {config_file!r} {why}")
    repository = _require_env(env, "GITHUB_REPOSITORY")
    server_url = env.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    return Settings(
        command=command,
        repository=repository,
        api_url=env.get("GITHUB_API_URL", "https://api.github.com").rstrip("/"),
        server_url=server_url,
        workspace=Path(env.get("GITHUB_WORKSPACE") or "."),
        event_name=env.get("GITHUB_EVENT_NAME", ""),
        event=_read_event(env),
        sha=env.get("GITHUB_SHA", "").strip(),
        ref=env.get("GITHUB_REF", ""),
        config_file=config_file,
        target_branch=read_input(env, "target-branch"),
        token=read_input(env, "token"),
        app_id=read_input(env, "app-id"),
        app_private_key=read_input(env, "app-private-key"),
        test_results=split_globs(read_input(env, "test-results")),
        artifacts=split_globs(read_input(env, "artifacts")),
        sboms=split_globs(read_input(env, "sbom")),
        fail_on_missing_input=_flag(env, "fail-on-missing-evidence"),
        run=run_info(env, server_url, repository, stamp),
        run_id=env.get("GITHUB_RUN_ID", ""),
        runner_temp=env.get("RUNNER_TEMP", ""),
        write_interval=float(env.get("RELEASER_SECONDS_BETWEEN_WRITES", "1") or 0),
        timing=retry_timing(env),
        now=now,
        promotion=promotion,
    )
