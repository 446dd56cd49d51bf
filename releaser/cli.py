"""`releaser plan | verify | promote | ...`: the local command line."""

from __future__ import annotations

import argparse
import gc
import sys
from datetime import date
from pathlib import Path

from releaser import __version__
from releaser.errors import ReleaserError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="releaser", description="Conventional Commits releases with verifiable evidence."
    )
    parser.add_argument("--version", action="version", version=f"releaser {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    plan = sub.add_parser("plan", help="compute the next release(s) of a local repository")
    plan.add_argument("--repo", type=Path, default=Path("."), help="repository (default: .)")
    plan.add_argument("--config", type=Path, help="config file (default: .github/releaser.yml)")
    plan.add_argument("--json", action="store_true", help="print one JSON object")
    models = sub.add_parser("models", help="every version of every model component, from git")
    models.add_argument("--repo", type=Path, default=Path("."), help="repository (default: .)")
    models.add_argument("--config", type=Path, help="config file (default: .github/releaser.yml)")
    models.add_argument("--json", action="store_true", help="print one JSON object")
    verify = sub.add_parser("verify", help="verify downloaded release evidence offline")
    verify.add_argument("paths", nargs="+", type=Path, help="a folder of assets, or the files")
    verify.add_argument("--repo", type=Path, help="a clone to check the tag and commits against")
    verify.add_argument("--model", type=Path, help="a local copy of the model to re-hash")
    from releaser.promote_cli import add_parsers

    add_parsers(sub)
    return parser


def _model_lines(model) -> list[str]:
    """A model release's text lines, as its plan printed them in the child (PlannedModel)
    or from its whole plan."""
    from releaser.domain.model_view import PlannedModel

    if isinstance(model, PlannedModel):
        return list(model.lines)
    from releaser.models.text import model_lines

    return model_lines(model)


def _summary(plan) -> str:
    from releaser.domain.markdown import no_workflow_commands

    lines = []
    for release in plan.releases:
        name = release.component or "(root)"
        previous = release.previous_version or "none"
        if release.version is None:
            lines.append(f"{name}: {previous} -> no release (nothing releasable)")
        else:
            lines.append(f"{name}: {previous} -> {release.version} ({release.bump}, {release.tag})")
        if release.model is not None:
            lines += _model_lines(release.model)
        if release.notes:
            lines.append("")
            lines.append(no_workflow_commands(release.notes.rstrip("\n")))
            lines.append("")
    # Plan runs in workflow steps too: no line of commit text may act as a workflow command.
    return no_workflow_commands("\n".join(lines).rstrip("\n")) + "\n"


def run_plan(args: argparse.Namespace) -> int:
    # A plan makes ~100k objects that live until it is printed and form no cycles, so the
    # cyclic collector would only rescan them, over and over (a fifth of the parse time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _plan(args)
    finally:
        if collecting:
            gc.enable()


def _plan(args: argparse.Namespace) -> int:
    from releaser.git import GitRepo

    repo = GitRepo(args.repo)
    repo.prefetch()  # git starts on its answers while the rest of releaser loads
    models = None
    try:
        from releaser.local_history import LocalHistory

        history = LocalHistory(repo)
        # The config lives at the top level, wherever in the working tree we were started.
        top = history.state.toplevel
        # A model's files hash, and it is planned, in a child while the config's validator
        # and the engine load.
        models = _early_models(args.config, top)
        from releaser import config as config_mod
        from releaser import release_please
        from releaser.engine import plan, plan_json, plan_warnings, repo_url_from_remote

        config = config_mod.load(
            args.config, top, explicit=args.config is not None, fallback=release_please.load
        )
        today, url = date.today(), repo_url_from_remote(history.origin_url())
        result = plan(history, config, today, url, models)
        _check_files(history, config, result, args.config or top / config_mod.DEFAULT_PATH)
    finally:
        if models is not None:
            models.close()
        repo.close()
    from releaser.release_please import manifest_warnings

    for warning in (*config.warnings, *plan_warnings(result), *manifest_warnings(config, result)):
        sys.stderr.write(f"releaser: warning: {warning}\n")
    if args.json:
        write = sys.stdout.write
        for piece in plan_json(result):
            write(piece)
        write("\n")
    else:
        sys.stdout.write(_summary(result))
    return 0


def _early_models(config: Path | None, top: Path):
    """The child hashing and planning the model components the config names
    (releaser.models.planner), or None. Read before the config is validated, so anything
    amiss means no child (the config's load reports it); a config without `type: model`
    loads no model module."""
    from releaser import config_path
    from releaser.bounded import CONFIG_MAX_BYTES

    target = config if config is not None else top / config_path.DEFAULT_PATH
    try:
        raw = config_path.read(target, top, CONFIG_MAX_BYTES)
    except Exception:  # noqa: BLE001 - refused, missing, too large: the load says so
        return None
    if not config_path.names_a_model(raw):
        return None
    from releaser.models import planner

    return planner.start_for_config(raw, top)


def _check_files(history, config, result, path: Path) -> None:
    """What the Action checks before it writes the release PR: the version files exist and
    hold a version (the same error, naming the config file and line)."""
    from releaser.errors import ConfigError
    from releaser.release_files import file_changes, locate

    try:
        file_changes(config, tuple(r for r in result.releases if r.version), history.read)
    except ConfigError as exc:
        from releaser import config as config_mod

        try:  # the file that was just loaded, read again only to find the line
            raw = config_mod.read_raw(path, path.parent, str(path)) or b""
        except ConfigError:
            raw = b""
        raise locate(exc, config.source or str(path), raw.decode("utf-8", "replace")) from None


def run_verify(args: argparse.Namespace) -> int:
    if args.model is not None:
        from releaser.models.verify import verify_model

        sys.stdout.write(verify_model(args.paths[0], args.model) + "\n")
        return 0
    from releaser.evidence.verify import verify

    sys.stdout.write(verify(list(args.paths), args.repo) + "\n")
    return 0


def run_models(args: argparse.Namespace) -> int:
    from releaser.domain.markdown import no_workflow_commands
    from releaser.models.registry import run

    out = run(args.repo, args.json, args.config)
    # Tag names and manifest text are the repository's: no line may act as a workflow command.
    sys.stdout.write((out if args.json else no_workflow_commands(out)) + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "plan":
            return run_plan(args)
        if args.command == "verify":
            return run_verify(args)
        if args.command == "models":
            return run_models(args)
        from releaser.promote_cli import run

        return run(args)
    except ReleaserError as error:
        sys.stderr.write(f"releaser: error: {error.one_line()}\n")
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
