"""The Action: read the runner's environment, publish merged release PRs, keep the release PR."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from releaser import config as config_mod
from releaser import paths
from releaser.actions import COMMANDS, Runner, read_input
from releaser.engine import EnginePlan
from releaser.errors import ConfigError, GitError, ReleaserError
from releaser.release_pr_flow import PrResult


@dataclass
class Context:
    env: Mapping[str, str]
    runner: Runner
    command: str
    repository: str
    api_url: str
    server_url: str
    workspace: Path
    event_name: str
    event: dict
    sha: str
    config_file: str
    token: str = ""
    # Every credential this run holds (the token input, which actions/checkout may have
    # stored in .git/config, and a minted App token): no release asset may carry one.
    secrets: tuple[str, ...] = ()


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


def context(env: Mapping[str, str], runner: Runner) -> Context:
    command = read_input(env, "command", "auto")
    if command not in COMMANDS:
        raise ConfigError(f"unknown command '{command}'; expected one of {', '.join(COMMANDS)}")
    config_file = read_input(env, "config-file", config_mod.DEFAULT_PATH)
    why = paths.problem(config_file)
    if why is not None:  # it is read from the workspace or, without a checkout, the API
        raise ConfigError(f"input config-file {config_file!r} {why}")
    return Context(
        env=env,
        runner=runner,
        command=command,
        repository=_require_env(env, "GITHUB_REPOSITORY"),
        api_url=env.get("GITHUB_API_URL", "https://api.github.com").rstrip("/"),
        server_url=env.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/"),
        workspace=Path(env.get("GITHUB_WORKSPACE") or "."),
        event_name=env.get("GITHUB_EVENT_NAME", ""),
        event=_read_event(env),
        sha=env.get("GITHUB_SHA", "").strip(),
        config_file=config_file,
    )


def _token(ctx: Context):
    from releaser.github import mint_app_token
    from releaser.github.permissions import permissions_for

    app_id = read_input(ctx.env, "app-id")
    key = read_input(ctx.env, "app-private-key")
    token = read_input(ctx.env, "token")
    if token:
        ctx.runner.mask(token)
    if key:
        ctx.runner.mask(key)
    if key and "\n" not in key and "\\n" in key:
        key = key.replace("\\n", "\n")  # a PEM stored on one line with literal \n
        ctx.runner.mask(key)
    if bool(app_id) != bool(key):
        raise ConfigError("app-id and app-private-key must be given together")
    if app_id:
        ctx.secrets = tuple(s for s in (token,) if s)
        token = mint_app_token(
            ctx.api_url, app_id, key, ctx.repository, permissions_for(ctx.command)
        )
        ctx.runner.mask(token)
    if not token:
        raise ConfigError("no token: set the `token` input (default ${{ github.token }})")
    ctx.secrets = (*ctx.secrets, token)
    return token


def _local_clone(ctx: Context):
    """The workspace as a History when it is a full clone at the event's commit, else None."""
    from releaser.git import GitRepo
    from releaser.local_history import LocalHistory

    if not (ctx.workspace / ".git").exists():
        return None
    try:
        history = LocalHistory(GitRepo(ctx.workspace))
    except GitError:
        return None
    if history.state.shallow or history.head() is None:
        return None
    return history


def _load_config(ctx: Context):
    explicit = ctx.config_file != config_mod.DEFAULT_PATH
    path = ctx.workspace / ctx.config_file
    if not os.path.lexists(path) and not explicit:  # a dangling link is refused, not absent
        # Without one, release-please's files if the repository has them, else defaults.
        return config_mod.load(None, ctx.workspace)
    try:
        return config_mod.load(path, ctx.workspace, explicit=True)
    except ConfigError as exc:
        exc.file = ctx.config_file
        raise


class _WithTags:
    """A History that also knows tags published moments ago (the clone predates them)."""

    def __init__(self, inner, extra: dict[str, str], is_ancestor) -> None:
        self.inner = inner
        self.extra = extra
        self.is_ancestor = is_ancestor

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def all_tags(self) -> dict[str, str]:
        return {**self.extra, **self.inner.all_tags()}

    def reachable_tags(self) -> dict[str, str]:
        tags = dict(self.inner.reachable_tags())
        head = self.inner.head()
        for name, sha in self.extra.items():
            if name not in tags and self.is_ancestor(sha, head):
                tags[name] = sha
        return tags


_RELEASE_FIELDS = (
    "tag_name",
    "version",
    "major",
    "minor",
    "patch",
    "sha",
    "html_url",
    "upload_url",
    "evidence_url",
)


def _release_fields(p) -> dict[str, str]:
    import semver

    v = semver.Version.parse(p.version)
    return {
        "release_created": "true",
        "tag_name": p.tag,
        "version": p.version,
        "major": str(v.major),
        "minor": str(v.minor),
        "patch": str(v.patch),
        "sha": p.sha,
        "html_url": p.html_url,
        "upload_url": p.upload_url,
        "evidence_url": p.evidence_url,
    }


def _live(pr: PrResult) -> bool:
    """Opened or updated by this run (not closed, not a dry run)."""
    return bool(pr.number) and (pr.created or pr.changed) and not pr.closed


def _outputs(published, prs: list[PrResult], planned: EnginePlan | None) -> dict:
    """release-please v4's shape: unprefixed outputs describe the root component (path "."),
    every other released path gets `<path>--<name>` outputs."""
    root = next((p for p in published if p.path in (".", "")), None)
    out: dict[str, object] = {
        "releases_created": "true" if published else "false",
        "prs_created": "true" if any(_live(p) for p in prs) else "false",
        "pr": next((json.dumps(p.as_json()) for p in prs if _live(p)), ""),
        "paths_released": json.dumps([p.path for p in published]),
    }
    out.update(dict.fromkeys(_RELEASE_FIELDS, ""))
    out["release_created"] = "false"
    if root is not None:
        out.update(_release_fields(root))
    for p in published:
        if p is not root:
            out.update({f"{p.path}--{k}": v for k, v in _release_fields(p).items()})
    return out


def run(ctx: Context) -> int:
    from releaser.flow import execute

    published, prs, planned, summary = execute(ctx)
    ctx.runner.set_outputs(_outputs(published, prs, planned))
    ctx.runner.summary(summary)
    return 0


def _failed(runner: Runner, message: str, code: int, **where) -> int:
    runner.error(message, **where)
    # The job summary says it too: that is where people look first.
    runner.summary(f"## releaser\n\nFailed: {runner.redact(message)}\n")
    return code


def main(env: Mapping[str, str]) -> int:
    runner = Runner(env)
    try:
        ctx = context(env, runner)
        ctx.token = _token(ctx)
        return run(ctx)
    except ReleaserError as exc:
        return _failed(runner, exc.one_line(), exc.exit_code, file=exc.file, line=exc.line)
    except subprocess.SubprocessError as exc:  # pragma: no cover - git vanished mid-run
        return _failed(runner, f"git failed: {exc}", 2)
    except Exception as exc:
        from releaser.github import api_error_message

        message = api_error_message(exc)
        if message is None:
            return _bug(runner, exc)
        return _failed(runner, message, 1)


def _bug(runner: Runner, exc: BaseException) -> int:
    """An unexpected exception is a bug in releaser: one error line and the summary say so;
    the traceback goes to stderr (redacted) for the bug report, never as the only output."""
    import sys
    import traceback

    trace = "".join(traceback.format_exception(exc))
    sys.stderr.write(runner.redact(trace))
    sys.stderr.flush()
    detail = " ".join(str(exc).split())[:200]
    what = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    message = f"releaser failed unexpectedly ({what}); this is a bug, the log has the traceback"
    return _failed(runner, message, 1)
