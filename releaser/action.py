"""The Action's edge: settings from the runner's environment, then the run, then outputs."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping
from datetime import UTC, datetime

from releaser.actions import Runner
from releaser.domain.markdown import escape_inline
from releaser.errors import ConfigError, ReleaserError
from releaser.flow import Outcome, execute
from releaser.release_pr_flow import PrResult
from releaser.run_state import Run
from releaser.settings import Settings, from_env
from releaser.steps import Plan


def credentials(settings: Settings, runner: Runner) -> tuple[str, tuple[str, ...]]:
    """(the token to act with, every credential this run holds): the token input (which
    actions/checkout may have stored in .git/config) and a minted App token; no release
    asset may carry one."""
    from releaser.github import mint_app_token
    from releaser.github.permissions import permissions_for

    token, key = settings.token, settings.app_private_key
    runner.mask(token)
    runner.mask(key)
    if key and "\n" not in key and "\\n" in key:
        key = key.replace("\\n", "\n")  # a PEM stored on one line with literal \n
        runner.mask(key)
    if bool(settings.app_id) != bool(key):
        raise ConfigError("app-id and app-private-key must be given together")
    held = (token,) if token else ()
    if settings.app_id:
        stage_tag = False
        if settings.command in ("promote", "rollback"):
            from releaser.promote_action import pushes_stage_tag

            # The config says whether a model is promoted; without a checkout it is read
            # through the API, with the token input or else a token that can only read.
            reader = token or mint_app_token(
                settings.api_url, settings.app_id, key, settings.repository, {"contents": "read"}
            )
            runner.mask(reader)
            held = tuple(dict.fromkeys((*held, reader)))
            stage_tag = pushes_stage_tag(settings, reader)
        token = mint_app_token(
            settings.api_url,
            settings.app_id,
            key,
            settings.repository,
            permissions_for(
                settings.command,
                break_glass=settings.promotion is not None and settings.promotion.emergency,
                stage_tag=stage_tag,
            ),
        )
        runner.mask(token)
    if not token:
        raise ConfigError("no token: set the `token` input (default ${{ github.token }})")
    return token, tuple(dict.fromkeys((*held, token)))


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
    """Opened or updated by this run (not closed)."""
    return bool(pr.number) and (pr.created or pr.changed) and not pr.closed


def _outputs(published, prs: list[PrResult]) -> dict:
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


def _pr_line(pr: PrResult) -> list[str]:
    verb = "closed" if pr.closed else ("opened" if pr.created else "updated")
    if not pr.changed:
        verb = "unchanged"
    lines = [f"- Release PR [#{pr.number}]({pr.html_url}) {verb}: {pr.title}"]
    if pr.replaced_edits:
        tags = ", ".join(escape_inline(t) for t in pr.replaced_edits)
        lines.append(f"- Edited notes of {tags} replaced by new commits (the PR keeps them)")
    return lines


def summary(out: Outcome) -> str:
    lines = ["## releaser", ""]
    for pr, marker in out.pending:
        tags = ", ".join(f"`{r.tag}`" for r in marker.releases)
        lines.append(f"- Not published yet: {tags} from merged release PR #{pr.number}")
    for p in out.published:
        evidence = f", [evidence]({p.evidence_url})" if p.evidence_url else ""
        lines.append(
            f"- Published [{p.tag}]({p.html_url}) at `{p.sha[:12]}` (PR #{p.pr}){evidence}"
        )
    for pr in out.prs:
        lines += _pr_line(pr)
    if out.plan is not None:  # `command: plan`: what a real run would write
        lines += out.plan.describe() or ["- Nothing would be written."]
    if out.planned is not None:
        lines += ["", "| component | previous | next | bump |", "|---|---|---|---|"]
        for r in out.planned.releases:
            lines.append(
                f"| {r.component or '(root)'} | {r.previous_version or '—'} | "
                f"{r.version or 'no release'} | {r.bump} |"
            )
    if out.findings:
        lines += ["", "### Policies", ""]
        lines += [
            f"- {f.policy}: `{f.tag}` {escape_inline(f.item)}: {escape_inline(f.why)}"
            for f in out.findings
        ]
    if len(lines) == 2:
        lines.append("Nothing to do.")
    return "\n".join(lines) + "\n"


def _log_plan(runner: Runner, plan: Plan) -> None:
    """The plan's steps in the log, a line each; the notes only in the summary (each line here
    starts with "- ", so no text in it can form a workflow command)."""
    runner.info(f"releaser plan: {len(plan.steps)} step(s), nothing written")
    for step in plan.steps:
        runner.info(step.describe()[0])


def _failed(runner: Runner, message: str, code: int, **where) -> int:
    runner.error(message, **where)
    # The job summary says it too: that is where people look first.
    # Escaped: the message may quote user text (a check name, an input, a path).
    runner.summary(f"## releaser\n\nFailed: {escape_inline(runner.redact(message))}\n")
    return code


def main(env: Mapping[str, str]) -> int:
    runner = Runner(env)
    try:
        settings = from_env(env, datetime.now(UTC))
        token, secrets = credentials(settings, runner)
        if settings.promotion is not None:
            from releaser.promote_action import promotion

            outputs, text = promotion(settings, runner, token)
            runner.set_outputs(outputs)
            runner.summary(text)
            return 0
        out = execute(Run(settings, runner, token, secrets))
        if out.plan is not None:
            _log_plan(runner, out.plan)
        runner.set_outputs(_outputs(out.published, out.prs))
        runner.summary(summary(out))
        return 0
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
