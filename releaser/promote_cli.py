"""The command line of promotion: arguments, the environment read once into Settings, output."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from releaser.errors import ConfigError, GitHubError

COMMANDS = ("promote", "deployment-status", "rollback", "history", "retention")


def add_parsers(sub) -> None:
    p = sub.add_parser("promote", help="promote a released tag to an environment")
    p.add_argument("tag")
    p.add_argument("--to", required=True, dest="environment", help="the environment")
    p.add_argument("--strategy", default="full", help="full | canary:PCT | shadow")
    p.add_argument("--reason", default="")
    p.add_argument("--emergency", action="store_true", help="break glass: skip after and soak")
    s = sub.add_parser("deployment-status", help="report the deploy's result")
    s.add_argument("id")
    s.add_argument("state", choices=("success", "failure"))
    s.add_argument("--url", default="", help="the deploy's log (e.g. the CI run)")
    s.add_argument("--environment-url", default="", help="the deployed environment")
    s.add_argument("--description", default="")
    r = sub.add_parser("rollback", help="promote the version that ran before the current one")
    r.add_argument("--environment", required=True)
    r.add_argument("--component", default="")
    h = sub.add_parser("history", help="the promotion timeline")
    h.add_argument("--environment")
    h.add_argument("--component")
    h.add_argument("--at", help="only what was active at this moment (ISO 8601)")
    h.add_argument("--json", action="store_true")
    t = sub.add_parser("retention", help="versions whose external artifacts may go")
    t.add_argument("--json", action="store_true")


def _origin_repository(workspace: Path) -> str:
    from releaser.engine import repo_url_from_remote

    found = subprocess.run(
        ["git", "-C", str(workspace), "remote", "get-url", "origin"],
        capture_output=True,
        text=True,
    )
    url = repo_url_from_remote(found.stdout.strip() if found.returncode == 0 else None)
    if not url:
        raise ConfigError("set GITHUB_REPOSITORY (owner/name): no GitHub origin remote")
    return "/".join(url.rstrip("/").split("/")[-2:]).removesuffix(".git")


def settings_from_env(env: dict[str, str], workspace: Path):
    from releaser.promote import Settings

    token = env.get("GITHUB_TOKEN") or env.get("GH_TOKEN")
    if not token:
        raise ConfigError("set GITHUB_TOKEN (or GH_TOKEN) to reach GitHub")
    repository = env.get("GITHUB_REPOSITORY") or _origin_repository(workspace)
    if repository.count("/") != 1:
        raise ConfigError(f"GITHUB_REPOSITORY {repository!r} is not owner/name")
    return Settings(
        token=token,
        api_url=env.get("GITHUB_API_URL") or "https://api.github.com",
        repository=repository,
        workspace=workspace,
        actor=env.get("GITHUB_ACTOR", ""),
        run_id=env.get("GITHUB_RUN_ID", ""),
        write_interval=float(env.get("RELEASER_SECONDS_BETWEEN_WRITES", "1") or 0),
        retry_scale=float(env.get("RELEASER_TEST_RETRY_SCALE", "1") or 1),
    )


def parse_at(text: str, now: datetime) -> datetime:
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(f"--at {text!r}: not an ISO 8601 date and time") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if when > now:
        raise ConfigError(f"--at {text!r} is in the future")
    return when


def _text_line(*fields: object) -> str:
    """One line of text output from fields GitHub holds (deployment payloads, tag names, which
    anyone with deployments: write can post): each field on one line, and the line never a
    workflow command."""
    from releaser.domain.markdown import no_workflow_commands

    return no_workflow_commands(" ".join(" ".join(str(f).split()) for f in fields)) + "\n"


def _output(values: dict) -> None:
    """Print name=value lines; inside Actions also write them to GITHUB_OUTPUT (a value is
    one line: a newline in it would start another output)."""
    values = {key: " ".join(str(value).split()) for key, value in values.items()}
    for key, value in values.items():
        sys.stdout.write(f"{key}={value}\n")
    path = os.environ.get("GITHUB_OUTPUT")
    if path:
        with open(path, "a", encoding="utf-8") as out:
            for key, value in values.items():
                out.write(f"{key}={value}\n")


def run(args: argparse.Namespace) -> int:
    from releaser.github import api_error_message

    try:
        return _run(args)
    except Exception as exc:
        line = api_error_message(exc)
        if line is None:
            raise
        raise GitHubError(line) from None


def _run(args: argparse.Namespace) -> int:
    from releaser import config as config_mod
    from releaser import promote as p
    from releaser.domain.deploy_history import retention, timeline
    from releaser.domain.promotion import parse_strategy

    now = datetime.now(UTC)
    workspace = Path.cwd()
    at = parse_at(args.at, now) if getattr(args, "at", None) else None  # before any request
    strategy = None
    if args.command == "promote":
        try:
            strategy = parse_strategy(args.strategy)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
    settings = settings_from_env(dict(os.environ), workspace)
    cfg = config_mod.load(None, workspace)
    policies = cfg.environments
    paths = {c.policy.name: c.policy.path for c in cfg.components if c.policy.name}
    models = frozenset(c.policy.name for c in cfg.components if c.model is not None)
    gh = p.client(settings)
    if args.command == "promote":
        assert strategy is not None  # parsed above for promote
        request = p.Promotion(args.tag, args.environment, strategy, args.reason, args.emergency)
        _output(p.promote(gh, settings, policies, request, now, paths, models))
    elif args.command == "deployment-status":
        if not args.id.isdigit():
            raise ConfigError(f"deployment id {args.id!r} is not a number")
        retired = p.complete(
            gh, int(args.id), args.state, args.url, args.description, args.environment_url
        )
        _output({"deployment_id": args.id, "retired": ",".join(map(str, retired))})
    elif args.command == "rollback":
        p.policy_for(policies, args.environment)
        request = p.rollback_request(gh, args.environment, args.component)
        _output(p.promote(gh, settings, policies, request, now, paths, models))
    elif args.command == "history":
        records = timeline(p.history(gh, args.environment, args.component), at=at)
        rows = p.entries(records)
        if args.json:
            sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        else:
            stages = p.stage_tags(gh, records)
            for row in rows:
                name = row["component"] or "(root)"
                glass = " BREAK-GLASS" if row["break_glass"] else ""
                tag, present = stages.get(row["deployment_id"], ("", True))
                stage = f" stage {tag}" + ("" if present else " (missing in git)") if tag else ""
                sys.stdout.write(
                    _text_line(
                        row["started_at"],
                        row["environment"],
                        name,
                        row["version"],
                        row["strategy"],
                        row["state"],
                        "by",
                        f"{row['promoted_by']}{glass}{stage}",
                    )
                )
    else:
        report = retention(p.history(gh, "production", None), now, cfg.retention)
        if args.json:
            sys.stdout.write(json.dumps(report, indent=2) + "\n")
        else:
            for row in report:
                sys.stdout.write(
                    _text_line(
                        f"{row['action']}:",
                        row["component"] or "(root)",
                        row["version"],
                        f"(out of production since {row['out_of_production_since']})",
                    )
                )
    return 0
