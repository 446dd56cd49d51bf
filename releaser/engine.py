"""Compute the next release of every component from a history source (local git or the API)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from json.encoder import encode_basestring as _encode_str
from typing import TYPE_CHECKING, Protocol

from releaser.config import Component, Config
from releaser.domain.commits import RawCommit, parse_commits
from releaser.domain.components import assign, indexable
from releaser.domain.notes import Links
from releaser.domain.release import Release, plan_release, select_tags
from releaser.errors import ConfigError, GitError

if TYPE_CHECKING:
    from pathlib import Path

    from releaser.domain.model_plan import ModelPlan
    from releaser.domain.model_view import PlannedModel
    from releaser.git import GitRepo, LinearLog
    from releaser.git_paths import ChangedCommit
    from releaser.models.planner import ModelWork


class LocalWalk(Protocol):
    """The fast paths a local clone offers: every tag at once, one walk for all components."""

    def all_tags(self) -> dict[str, str]: ...
    def linear_log(self, since: str) -> LinearLog: ...
    def changed_log(self, since: tuple[str, ...]) -> Iterator[ChangedCommit]: ...


class History(Protocol):
    """What a run needs to know about a repository: its history, and its files at head."""

    def head(self) -> str | None: ...
    def reachable_tags(self) -> dict[str, str]: ...
    def log(self, since: str | None, paths: tuple[str, ...] = ()) -> Iterable[RawCommit]: ...
    def shas_since(self, since: str) -> frozenset[str]: ...
    def missing_history(self, since: str | None) -> bool: ...
    def walk(self) -> LocalWalk | None: ...
    def read(self, path: str) -> str | None: ...
    def tree(self) -> str: ...
    def model_source(self) -> tuple[GitRepo, Path] | None: ...


@dataclass(frozen=True, slots=True)
class EnginePlan:
    head: str | None
    releases: tuple[Release, ...]
    warnings: tuple[str, ...] = ()


_GITHUB_URL = re.compile(
    r"^(?:(?:https?|ssh|git)://(?:[^@/]+@)?(?P<h1>[^/:]+)(?::\d+)?/"
    r"|(?:[^@/]+@)?(?P<h2>[^/:]+):)(?P<path>[^/]+/[^/]+?)(?:\.git)?/?$"
)


def repo_url_from_remote(remote: str | None) -> str | None:
    """https://host/owner/name from an https or ssh remote, with any credentials dropped."""
    if not remote:
        return None
    match = _GITHUB_URL.match(remote.strip())
    if not match:
        return None
    host = match.group("h1") or match.group("h2")
    return f"https://{host}/{match.group('path')}"


def _parse_log(commits: Iterable[RawCommit], config: Config, tag) -> tuple[tuple, bool]:
    """Parse the log as it streams in; also say whether `tag` is a parent of one of its commits.

    A tag's commit is an ancestor of HEAD iff it is HEAD or a parent of a commit in tag..HEAD.
    """
    bullets, types = config.squash_bullets, config.types
    if tag is None:
        return tuple(parse_commits(commits, bullets, types)), False
    seen = False

    def watched() -> Iterator[RawCommit]:
        nonlocal seen
        for commit in commits:
            if not seen and tag.sha in commit.parents:
                seen = True
            yield commit

    return tuple(parse_commits(watched(), bullets, types)), seen


def _log_since(history: History, config: Config, since, path: str, head: str, fast: bool):
    """(the parsed commits since the tag, whether the tag is proven reachable from HEAD)."""
    paths = _in_component(path)
    walk = history.walk() if fast and not paths else None
    if walk is not None and since is not None and since.sha != head:
        line = walk.linear_log(since.sha)
        parsed = _parse_log(line, config, None)[0]
        if line.reached:
            return parsed, True
    commits = history.log(since.sha if since else None, paths)
    parsed, tag_is_parent = _parse_log(commits, config, since)
    return parsed, since is None or since.sha == head or tag_is_parent


def _bounds(tags: dict[str, str], policy) -> tuple:
    """(newest stable tag, newest tag, the tag the log starts after) for one component."""
    stable, latest = select_tags(tags, policy)
    since = stable if (latest is not None and latest.version.prerelease) else latest
    return stable, latest, since


def _in_component(path: str) -> tuple[str, ...]:
    return () if path in ("", ".") else (path,)


def plan(
    history: History,
    config: Config,
    today: date,
    repo_url: str | None,
    started: ModelWork | None = None,
) -> EnginePlan:
    """The plan of every component. `started`: the work on the model components `releaser
    plan` started from the config's bytes (releaser.models.planner.start_for_config); it
    only prints the plan, so its planner plans each model while history is walked and it
    comes back as printed (PlannedModel). Else a child hashing the models' workspace files
    is started here when there is a model, and each model is planned whole, in-process.
    Every child is stopped before this returns."""
    head = history.head()
    links = Links(config.repository_url or repo_url)
    if head is None:
        empty = tuple(
            Release(c.policy.name, c.policy.path, None, None, None, "none", None, "", (), ())
            for c in config.components
        )
        if started is not None:
            started.close()
        return EnginePlan(None, empty, ("the repository has no commits yet",))
    work = started
    models = [c.policy.path for c in config.components if c.model is not None]
    if not models and work is not None:
        work.close()  # the config's bytes said `type: model`, and no component is one
        work = None
    elif models and work is None:  # a code-only plan loads no model module
        from releaser.models.planner import model_work

        work = model_work(history.model_source(), models)
    try:
        return _plan(history, config, today, head, links, work)
    finally:
        if work is not None:
            work.close()  # no child outlives the plan, whatever happened


def _plan(history: History, config: Config, today: date, head: str, links: Links, work):
    # Fast path: take the newest tag on trust and prove it reachable from the log's own parent
    # links; `--merged` walks the whole history and trusts commit dates (clock skew breaks it).
    walk = history.walk()
    fast = walk is not None and not config.monorepo
    tags = walk.all_tags() if walk is not None and fast else history.reachable_tags()
    _ask_models(history, work, config, tags)
    if config.monorepo and walk is not None and _one_walk(config):
        return _plan_components(history, walk, config, tags, head, links, today, work)
    releases = []
    for component in config.components:
        policy = component.policy
        stable, latest, since = _bounds(tags, policy)
        if fast and since is not latest:
            fast = False  # a newer prerelease tag: only `--merged` can tell which tags count
            tags = history.reachable_tags()
            stable, latest, since = _bounds(tags, policy)
        parsed, reachable = _log_since(history, config, since, policy.path, head, fast)
        if fast and not reachable:
            fast = False
            tags = history.reachable_tags()
            stable, latest, since = _bounds(tags, policy)
            commits = history.log(since.sha if since else None, _in_component(policy.path))
            parsed = _parse_log(commits, config, since)[0]
        # The log streamed past without being kept; no History needs it to answer this.
        _require_history(history, since)
        new_since_latest = None
        if latest is not None and since is not latest:
            new_since_latest = history.shas_since(latest.sha)
        model = _model(history, component, latest, since, work=work)
        releases.append(
            plan_release(
                policy,
                stable,
                latest,
                parsed,
                new_since_latest,
                links,
                today,
                config.sections,
                model,
            )
        )
    return EnginePlan(head, tuple(releases))


def _ask_models(history: History, work: ModelWork | None, config: Config, tags) -> None:
    """Have `releaser plan`'s planner child plan each model component from its newest tag
    while history is walked; _model takes its answer only if that is still the newest tag."""
    if work is None or work.planner is None or history.model_source() is None:
        return
    asked = [
        (c.policy.name, c, _bounds(tags, c.policy)[1])
        for c in config.components
        if c.model is not None
    ]
    work.ask(asked)


def _model(
    history: History,
    component: Component,
    latest,
    since,
    changed: frozenset[str] | None = None,
    work: ModelWork | None = None,
) -> ModelPlan | PlannedModel | None:
    """A model component's plan: its manifest in the workspace against the one at its newest
    tag (read from the clone, so planning stays offline). None for a code component.
    `changed`: the paths its commits since `since` changed, when a walk has them already;
    `work`: the children that hashed its files (and, for `releaser plan`, planned it)."""
    if component.model is None:
        return None
    source = history.model_source()
    if source is None:
        raise ConfigError(
            f"component {component.policy.name!r} is of type: model, which is planned from a "
            "full clone of the repository",
            hint="check it out with actions/checkout and fetch-depth: 0",
        )
    if work is not None:
        printed = work.printed(source[0], component, latest, since, changed)
        if printed is not None:
            return printed
    from releaser.models.planning import plan_for

    known = work.known if work is not None else None
    return plan_for(*source, component, latest, since, changed_paths=changed, known=known)


def _require_history(history: History, since) -> None:
    """A shallow clone must hold every commit since the component's tag (or all of them)."""
    if history.missing_history(since.sha if since else None):
        raise GitError(
            "history is incomplete: this is a shallow clone and the commits since "
            f"{since.name if since else 'the first commit'} are not all present",
            hint="fetch full history, e.g. actions/checkout with fetch-depth: 0",
        )


def _one_walk(config: Config) -> bool:
    return all(indexable(c.policy.path) for c in config.components)


def _plan_components(
    history: History, walk: LocalWalk, config: Config, tags, head, links, today, work=None
) -> EnginePlan:
    """Every component from one walk over the union of their ranges (see domain/components).

    The same releases as one `git log --full-history tag..HEAD -- path` per component (the
    loop in plan()), which walks history once per component.
    """
    bounds = [_bounds(tags, c.policy) for c in config.components]
    since = [b[2].sha if b[2] is not None else None for b in bounds]
    tagged = tuple(dict.fromkeys(s for s in since if s is not None))
    walked = list(walk.changed_log(() if None in since else tagged))
    members = assign(walked, [c.policy.path for c in config.components], since)
    wanted = sorted({n for owned in members for n in owned})
    raws = (walked[n].raw for n in wanted)
    parsed = dict(
        zip(wanted, parse_commits(raws, config.squash_bullets, config.types), strict=True)
    )
    releases = []
    for component, (stable, latest, start), owned in zip(
        config.components, bounds, members, strict=True
    ):
        _require_history(history, start)
        new_since_latest = None
        if latest is not None and start is not latest:
            new_since_latest = history.shas_since(latest.sha)
        commits = tuple(parsed[n] for n in owned)
        changed = None
        if component.model is not None:  # the walk has each commit's paths: no second walk
            changed = _changed_under(component.policy.path, (walked[n] for n in owned))
        releases.append(
            plan_release(
                component.policy,
                stable,
                latest,
                commits,
                new_since_latest,
                links,
                today,
                config.sections,
                _model(history, component, latest, start, changed, work),
            )
        )
    return EnginePlan(head, tuple(releases))


def _changed_under(path: str, commits: Iterable[ChangedCommit]) -> frozenset[str]:
    """The paths under `path` that `commits` changed (a merge changes none here, as in
    `git log --name-only`): what GitRepo.changed_paths answers, from a walk already made."""
    prefix = "" if path == "." else f"{path}/"
    return frozenset(
        p for c in commits for p in c.paths if not prefix or p.startswith(prefix) or p == path
    )


def _release_fields(release: Release) -> dict:
    return {
        "component": release.component,
        "path": release.path,
        "previous_version": release.previous_version,
        "previous_tag": release.previous_tag,
        "version": release.version,
        "bump": release.bump,
        "tag": release.tag,
        "notes": release.notes,
    }


def _json(value) -> str:
    """json.dumps(value, ensure_ascii=False), quicker for the scalars a plan holds."""
    if value is None:
        return "null"
    if value.__class__ is str:
        return _encode_str(value)
    if value is True:
        return "true"
    if value is False:
        return "false"
    return json.dumps(value, ensure_ascii=False)


def _commits_json(release: Release) -> Iterator[str]:
    """the "commits" list without its brackets, some thousands of commits at a time.

    Entry's fields are str, str | None and bool by construction; anything else fails loudly in
    the string encoder rather than printing something json.dumps would not.
    """
    enc = _encode_str
    items: list[str] = []
    separator = ""
    for commit in release.commits:
        for e in commit.entries:
            t, s = e.type, e.scope
            items.append(
                f'{{"sha": {enc(e.sha)}, "type": {"null" if t is None else enc(t)}, '
                f'"scope": {"null" if s is None else enc(s)}, '
                f'"breaking": {_json(e.breaking)}, "subject": {enc(e.subject)}}}'
            )
            if len(items) == 4096:
                yield separator + ", ".join(items)
                items.clear()
                separator = ", "
    if items:
        yield separator + ", ".join(items)


def plan_warnings(result: EnginePlan) -> Iterator[str]:
    """Every warning of a plan, each release's named after its component when it has one."""
    yield from result.warnings
    for release in result.releases:
        prefix = f"{release.component}: " if release.component else ""
        for warning in release.warnings:
            yield prefix + warning


def plan_json(result: EnginePlan) -> Iterator[str]:
    """The `plan --json` object in pieces, exactly as json.dumps(..., ensure_ascii=False) of
    {"releases": [{...fields, "commits": [...], "model"?: {...}}, ...]} writes it all at once
    (a model component's release has "model": ModelPlan.as_json()).

    That is the whole shape issue #7 fixes; warnings are not part of it (the CLI prints them
    to stderr, and the Action reads them from the EnginePlan).

    At 20,000 commits, building those dicts and that one string costs ~50 ms and ~20 MB more.
    """
    yield '{"releases": ['
    for index, release in enumerate(result.releases):
        fields = ", ".join(
            f"{_encode_str(k)}: {_json(v)}" for k, v in _release_fields(release).items()
        )
        yield f'{", " if index else ""}{{{fields}, "commits": ['
        yield from _commits_json(release)
        if release.model is None:
            yield "]}"
        else:  # a model component's release also says what its manifest changed
            yield f'], "model": {json.dumps(release.model.as_json(), ensure_ascii=False)}}}'

    yield "]}"
