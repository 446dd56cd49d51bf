"""One Action run: publish what was merged, then bring the release PR up to date."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from pathlib import Path

from releaser import paths
from releaser.action import Context, _load_config, _local_clone, _WithTags
from releaser.actions import read_input
from releaser.api_history import ApiHistory
from releaser.domain.markdown import escape_inline
from releaser.domain.release_pr import branch_name
from releaser.engine import EnginePlan, plan, plan_warnings
from releaser.errors import ConfigError
from releaser.github import GitHub, RetryTiming, _pull
from releaser.publish import Published, publish_pr, read_marker, release_branches, unpublished
from releaser.publish_trust import check_merged_tree, not_a_release_pr
from releaser.release_pr_flow import PrResult, sync_release_prs

PUSH_LIKE = ("push", "workflow_dispatch", "schedule", "repository_dispatch", "")


def _mode(ctx: Context, target: str) -> str:
    """publish-event | push | publish | release-pr | plan | idle."""
    if ctx.command in ("plan", "release-pr"):
        return ctx.command
    pr = ctx.event.get("pull_request") if ctx.event_name.startswith("pull_request") else None
    if pr is not None:
        head_ref = (pr.get("head") or {}).get("ref", "")
        base = branch_name(target)
        is_release = head_ref == base or head_ref.startswith(base + "--components--")
        merged = ctx.event.get("action") == "closed" and bool(pr.get("merged"))
        problem = not_a_release_pr(_pull(pr), ctx.repository) if is_release and merged else ""
        if problem:
            ctx.runner.warning(
                f"PR #{pr.get('number')} is not a release PR releaser opened ({problem}):"
                " nothing is published from it"
            )
        elif is_release and merged:
            return "publish-event"
        return "publish" if ctx.command == "publish" else "idle"
    return "publish" if ctx.command == "publish" else "push"


def _summary(
    published: list[Published],
    prs: list[PrResult],
    planned: EnginePlan | None,
    pending: list = (),
) -> str:
    lines = ["## releaser", ""]
    for pr, marker in pending:
        tags = ", ".join(f"`{r.tag}`" for r in marker.releases)
        lines.append(f"- Not published yet: {tags} from merged release PR #{pr.number}")
    for p in published:
        evidence = f", [evidence]({p.evidence_url})" if p.evidence_url else ""
        lines.append(
            f"- Published [{p.tag}]({p.html_url}) at `{p.sha[:12]}` (PR #{p.pr}){evidence}"
        )
    for pr in prs:
        verb = "closed" if pr.closed else ("opened" if pr.created else "updated")
        if not pr.changed:
            verb = "unchanged"
        where = f"[#{pr.number}]({pr.html_url})" if pr.number else "(dry run)"
        lines.append(f"- Release PR {where} {verb}: {pr.title}")
        if pr.replaced_edits:
            tags = ", ".join(escape_inline(t) for t in pr.replaced_edits)
            lines.append(f"- Edited notes of {tags} replaced by new commits (the PR keeps them)")
    if planned is not None:
        lines += ["", "| component | previous | next | bump |", "|---|---|---|---|"]
        for r in planned.releases:
            lines.append(
                f"| {r.component or '(root)'} | {r.previous_version or '—'} | "
                f"{r.version or 'no release'} | {r.bump} |"
            )
    if len(lines) == 2:
        lines.append("Nothing to do.")
    return "\n".join(lines) + "\n"


# Test-only: a factor in [0, 1] that shrinks every retry wait (backoff, Retry-After, rate
# limit resets, write and upload retries), so the fault tests run at CPU speed. It is read
# here, at the edge, and nowhere below; what is retried and how often stay the same.
TEST_RETRY_SCALE = "RELEASER_TEST_RETRY_SCALE"


def retry_timing(env) -> RetryTiming:
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


def execute(ctx: Context):
    interval = float(ctx.env.get("RELEASER_SECONDS_BETWEEN_WRITES", "1") or 0)
    timing = retry_timing(ctx.env)
    gh = GitHub(ctx.token, ctx.api_url, ctx.repository, write_interval=interval, timing=timing)
    config = _load_config(ctx)
    if not (ctx.workspace / ".git").exists() and not (ctx.workspace / ctx.config_file).exists():
        config = _remote_config(ctx, gh) or config
    target = (
        read_input(ctx.env, "target-branch")
        or (ctx.event.get("repository") or {}).get("default_branch")
        or gh.default_branch()
    )
    mode = _mode(ctx, target)
    explicit = read_input(ctx.env, "target-branch")
    if explicit and mode != "idle" and gh.ref_sha(f"heads/{explicit}") is None:
        raise ConfigError(f"target-branch {explicit!r} is not a branch of {ctx.repository}")
    published: list[Published] = []
    prs: list[PrResult] = []
    planned: EnginePlan | None = None
    if mode == "idle":
        return published, prs, planned, _summary(published, prs, planned)
    known: dict[str, str] = {}
    components = tuple(c.policy.name for c in config.components)
    branches = release_branches(target, components, config.separate_pull_requests)
    # The workspace clone, inspected at most once and only if a step asks for it.
    local = functools.cache(lambda: _local_clone(ctx))
    hook = _evidence_hook(ctx, gh, config, target, local)
    pending = []
    if mode in ("plan", "release-pr"):
        # What a real run would publish first: plan the release PR as if it had, so a merged
        # but unpublished release is not proposed a second time.
        pending = unpublished(gh, target, branches, gh.releases(), known, config)
        for pr, marker in pending:
            known.update({r.tag: pr.merge_commit_sha for r in marker.releases})
    elsewhere = _other_branch(ctx, target)
    if elsewhere and mode in ("push", "release-pr", "plan"):
        ctx.runner.warning(
            f"{elsewhere} is not the target branch {target}: the release PR is left alone"
        )
    if mode in ("publish-event", "publish", "push"):
        releases = gh.releases()
        if mode == "publish-event":
            pr = _pull(ctx.event["pull_request"])
            candidates = [(pr, read_marker(pr, config))]
        else:
            candidates = unpublished(gh, target, branches, releases, known, config)
        # Before any write: each marker must say what its merged files say.
        for pr, marker in candidates:
            if pr.merge_commit_sha:  # else publish_pr refuses it, before any write too
                check_merged_tree(pr, marker, config, _merged_files(gh, pr, local))
        if candidates:
            hook.preflight()
        for pr, marker in reversed(candidates):
            published += publish_pr(gh, pr, marker, releases, hook, secrets=ctx.secrets)
    if mode in ("push", "release-pr", "plan") and not elsewhere:
        known.update({p.tag: p.sha for p in published})
        planned, prs = _release_prs(
            ctx, gh, config, target, known, dry_run=mode == "plan", local=local
        )
    return published, prs, planned, _summary(published, prs, planned, pending)


def _merged_files(gh: GitHub, pr, local):
    """Read files as the PR's merge commit has them: from the clone when it holds that commit
    (no request), else through the API (one request per file)."""
    sha = pr.merge_commit_sha
    clone = local()
    if clone is not None and clone.repo.is_ancestor(sha, sha):
        return lambda path: clone.repo.show(sha, path)
    return lambda path: gh.file_text(path, sha)


def _other_branch(ctx: Context, target: str) -> str:
    """The ref a push or a manual/scheduled run is on, when it is not the target branch.

    A release PR is built from the target's history only: a run on another branch (a push
    without a branch filter, workflow_dispatch from a feature branch) must not put that
    branch's commits into it.
    """
    ref = ctx.env.get("GITHUB_REF", "")
    if not ref.startswith("refs/heads/") or ctx.event_name.startswith("pull_request"):
        return ""
    return "" if ref == f"refs/heads/{target}" else ref


def _remote_config(ctx: Context, gh: GitHub):
    """Without a checkout, the config file as the event's commit has it (read through the API),
    so a run without actions/checkout plans exactly what a run with one would."""
    import tempfile

    from releaser import config as config_mod

    text = gh.file_text(ctx.config_file, ctx.sha or gh.default_branch())
    if text is None:
        return None
    with tempfile.TemporaryDirectory(dir=ctx.env.get("RUNNER_TEMP") or None) as tmp:
        path = Path(tmp) / "releaser.yml"
        path.write_text(text, encoding="utf-8")
        try:
            return config_mod.load(path, ctx.workspace, explicit=True)
        except ConfigError as exc:
            exc.file = ctx.config_file
            exc.message = exc.message.replace(str(path), ctx.config_file)
            raise


def _flag(ctx: Context, name: str) -> bool:
    value = read_input(ctx.env, name, "false").lower()
    if value in ("true", "false"):
        return value == "true"
    raise ConfigError(f"input {name} must be true or false, not {value!r}")


def _local_touching(local):
    """A component's commits from the workspace clone (no API call per commit), if full."""

    def touching(base: str | None, head: str, path: str):
        clone = local()
        return None if clone is None else clone.repo.shas_touching(base, head, path.strip("/"))

    return touching


def _evidence_hook(ctx: Context, gh: GitHub, config, target: str, local):
    """The publish step's assets: evidence gathered from GitHub and the evidence inputs."""
    from releaser.evidence.collect import (
        EvidenceSettings,
        evidence_assets,
        preflight,
        run_info,
        split_globs,
    )

    strict = _flag(ctx, "fail-on-missing-evidence")
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    settings = EvidenceSettings(
        workspace=ctx.workspace,
        server_url=ctx.server_url,
        repository=ctx.repository,
        target=target,
        run=run_info(ctx.env, ctx.server_url, ctx.repository, now),
        test_results=split_globs(read_input(ctx.env, "test-results")),
        artifacts=split_globs(read_input(ctx.env, "artifacts")),
        sboms=split_globs(read_input(ctx.env, "sbom")),
        required_checks=config.required_checks,
        # Either the input or the config key turns it on (the input defaults to "false").
        fail_on_missing=strict or config.fail_on_missing_evidence,
        run_id=ctx.env.get("GITHUB_RUN_ID", ""),
        touching=_local_touching(local),
        secrets=ctx.secrets,
    )

    def hook(planned, sha, release):
        return evidence_assets(gh, settings, planned, sha, release, ctx.runner.warning)

    hook.preflight = lambda: preflight(settings)
    return hook


def _release_prs(ctx, gh, config, target, known, dry_run, local):
    local = local()
    if local is not None:
        repo = local.repo
        head = local.head()
        history = _WithTags(local, known, repo.is_ancestor)

        def read(path: str):
            paths.check(path)  # the config was checked at load; this is the last gate
            return repo.show(head, path)

        def tree():
            return repo.tree_of(head)
    else:
        head = ctx.sha or gh.ref_sha(f"heads/{target}")
        prefixes = tuple(c.policy.tag_prefix for c in config.components)
        history = ApiHistory(gh, head, prefixes, known)

        def read(path: str):
            paths.check(path)  # the config was checked at load; nothing else reaches the API
            return gh.file_text(path, head)

        def tree():
            return gh.commit_tree(head)

    # The runner names the server; the clone's origin may be a mirror or a local path.
    repo_url = config.repository_url or f"{ctx.server_url}/{ctx.repository}"
    today = datetime.now(UTC).date()
    result = plan(history, config, today, repo_url)
    for warning in plan_warnings(result):
        ctx.runner.warning(warning)
    prs = sync_release_prs(gh, config, target, head, result.releases, read, tree, dry_run)
    return result, prs
