"""`releaser plan`'s model components planned in one child process, forked before the
parent has loaded its config.

Planning a model costs ~40 ms besides hashing: ~25 ms to import the model modules (their
frozen dataclasses), then reading model.yaml now and at the tag. `releaser plan` prints a
model's plan and does nothing else with it. So as soon as its config's bytes say
`type: model` (start_for_config) it forks this planner, which loads what it needs itself
(the YAML parser, the schema validator, the model modules), hashes the files the manifests
list and reads the workspace's manifests, on the core the parent leaves idle while it
loads and validates its config. Once the parent knows each model component's newest tag
it asks (Planner.ask); the planner reads each baseline from git and answers with each plan
as printed: its bump, the `model` object of `plan --json` and its text lines, with and
without a code change in the range (only the parent's walk knows which; planning.summary).
The parent then loads no model module at all.

The parent forks once, as early as it can: a forked process shares its parent's memory
pages until either writes one, and each page of the parent's that the parent writes
afterwards costs it a copy (~7 us on the 2-core machine). Forked this early, the parent has
the fewest pages to copy; forked after the parent had loaded PyYAML and jsonschema, and with
a second child of the parent's for the hashing, the plan took 20 to 40 ms longer
(bench/results-model.md). A large model (SHARED_BYTES) is hashed by the planner and a
helper it forks itself, in the planner's own process group, which the parent stops whole.

An answer is used only for the newest tag it was planned from. No answer, an error in the
child, a plan it could not make (a strict refusal, a bad manifest): the model is planned
in-process with the digests the child forwards, so every message reads as without it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from releaser.domain.model_view import PlannedModel
from releaser.models import prehash

if TYPE_CHECKING:
    from releaser.git import GitRepo
    from releaser.models.hashing import Identity

# Past this many bytes to hash, the planner forks a helper that hashes beside it while it
# loads the model modules, and the two share the files (prehash.start_shared): hashed by the
# planner alone, a model of 1 GB planned ~0.1 s slower than the code-only plan and hashing.
SHARED_BYTES = 256 * 1024 * 1024
# (component name, Component, its newest Tag or None): what the parent asks the child.
Asked = list[tuple[str, Any, Any]]


class Planner(prehash.Child):
    """The planning child and, once it has answered, its plans and the digests it read."""

    def __init__(self, pid: int, fd: int, question: int) -> None:
        super().__init__(pid, fd)
        self._question: int | None = question  # the pipe the child reads what is asked on
        self._unsent = b""
        self._reply: dict[str, Any] | None = None
        self._digests: prehash.Found | None = None

    def ask(self, asked: Asked) -> None:
        """Have the child plan `asked`. Written without waiting: what the pipe cannot take
        yet (a question about many components) is sent once this process waits anyway."""
        if self._question is None:
            return
        data = json.dumps([_question(*entry) for entry in asked]).encode()
        try:
            os.set_blocking(self._question, False)
            self._unsent = data[os.write(self._question, data) :]
        except BlockingIOError:
            self._unsent = data
        except OSError:  # the child is gone: the model is planned in-process
            self._unsent = b""
        if not self._unsent:
            self._end_question()

    def printed(
        self, repo: GitRepo, component: Any, latest: Any, since: Any, changed: Any
    ) -> PlannedModel | None:
        """The child's plan of `component` as printed, when it planned it from the same
        newest tag `latest`; else None. `since` and `changed` as for planning.plan_for:
        from them the parent tells whether code changed in the range beside new weights."""
        plan = self._answer().get("plans", {}).get(component.policy.name)
        if not isinstance(plan, dict) or plan.get("previous") != _tag_key(latest):
            return None
        summary = plan.get("summary")
        if summary is None:
            return None
        form = summary["forms"]["false"]
        if summary["outputs"] is not None:  # new weights: did anything else change?
            walked = changed if since is not None else None
            if walked is None:
                walked = repo.changed_paths((since or latest).sha, component.policy.path)
            trained = frozenset(summary["outputs"])  # as planning.code_changed decides
            if any(p not in trained for p in walked):
                form = summary["forms"]["true"]
        return None if form is None else PlannedModel.from_form(form)

    def digests(self) -> prehash.Found:
        """The digests of the files the child hashed (prehash.answers)."""
        if self._digests is None:
            self._digests = prehash.answers(self._answer().get("digests", []))
        return self._digests

    def close(self) -> None:
        if self._question is not None:
            os.close(self._question)
            self._question = None
        super().close()

    def _reap(self, kill: bool) -> None:
        # The child leads a process group of its own, with its hashing helper in it
        # (_child): however it ended, the helper does not outlive it. Signalled before the
        # child is waited for, while its pid cannot have been reused.
        if self._pid is not None:
            with contextlib.suppress(OSError):
                os.killpg(self._pid, signal.SIGKILL)
        super()._reap(kill)

    def _end_question(self) -> None:
        """Send what is left of the question and close it: the child reads it to its end
        (an empty one: nothing to plan) before it answers, so this never waits for long."""
        if self._question is None:
            return
        try:
            os.set_blocking(self._question, True)
            while self._unsent:
                self._unsent = self._unsent[os.write(self._question, self._unsent) :]
        except OSError:
            pass  # the child is gone: no answer, planned in-process
        os.close(self._question)
        self._question, self._unsent = None, b""

    def _answer(self) -> dict[str, Any]:
        if self._reply is None:
            self._end_question()
            data = self._read_all()
            try:
                reply = json.loads(data) if data else {}
            except ValueError:
                reply = {}  # cut short: everything is planned in-process
            self._reply = reply if isinstance(reply, dict) else {}
        return self._reply


def _tag_key(tag: Any) -> list[str] | None:
    return None if tag is None else [tag.name, tag.sha]


def _question(name: str, component: Any, previous: Any) -> dict[str, Any]:
    """One component asked about, as the child reads it (_asked)."""
    settings = component.model
    return {
        "name": name,
        "path": component.policy.path,
        "strict": settings.strict,
        "bumps": [[rule, bump.label] for rule, bump in settings.bumps],
        "previous": _tag_key(previous),
    }


def start_for_config(raw: bytes, top: Path) -> ModelWork:
    """`releaser plan`'s planner for the model components a config's bytes name, forked
    before the config is even parsed here (none where this system cannot fork)."""
    return ModelWork(None, fork(top, raw))


def fork(workspace: Path, raw: bytes | None) -> Planner | None:
    """A child that will plan what it is asked (Planner.ask) in `workspace`; None when
    there is no fork here. `raw`: the config's bytes, from which it hashes the files and
    reads the manifests before it is asked."""
    if not hasattr(os, "fork"):
        return None
    read, write = os.pipe()
    question, asking = os.pipe()
    pid = prehash.fork()
    if pid == 0:
        _child(write, question, workspace, raw)  # never returns
    if pid > 0:
        with contextlib.suppress(OSError):  # as the child does too: whichever runs first
            os.setpgid(pid, pid)
    os.close(write)
    os.close(question)
    if pid < 0:
        os.close(read)
        os.close(asking)
        return None
    return Planner(pid, read, asking)


def model_work(source: tuple[Any, Path] | None, models: list[str]) -> ModelWork:
    """What works beside the walk of a plan nobody started work for (the Action's) on its
    model components (at `models`, in the clone and working tree `source`): a hashing child
    when there is enough to hash. The Action plans each model whole, in-process."""
    return ModelWork(prehash.start(source[1], models) if source is not None else None)


class ModelWork:
    """What works on a plan's model components beside its history walk: the Action's
    hashing child (prehash), or `releaser plan`'s planner. Closed with the plan."""

    def __init__(self, hashing: prehash.Prehash | None, planner: Planner | None = None) -> None:
        self.hashing = hashing
        self.planner = planner

    def ask(self, asked: Asked) -> None:
        if self.planner is not None:
            self.planner.ask(asked)

    def printed(
        self, repo: GitRepo, component: Any, latest: Any, since: Any, changed: Any
    ) -> PlannedModel | None:
        if self.planner is None:
            return None
        return self.planner.printed(repo, component, latest, since, changed)

    def known(self, rel: str, ident: Identity) -> tuple[str, int] | None:
        if self.planner is not None:
            return prehash.lookup(self.planner.digests(), rel, ident)
        return self.hashing.known(rel, ident) if self.hashing is not None else None

    def close(self) -> None:
        if self.planner is not None:
            self.planner.close()
        if self.hashing is not None:
            self.hashing.close()


def _child(out: int, question: int, workspace: Path, raw: bytes | None) -> None:
    """Plan what the parent asks, write one JSON object to `out` ({"plans": ...,
    "digests": ...}), exit. Only this thread exists here; the parent's objects another
    thread may have held a lock of (its git pipes) are never used, only closed."""
    code = 0
    try:
        with contextlib.suppress(OSError):
            os.setpgid(0, 0)  # a group of its own, which the parent stops whole (Planner)
        prehash.keep_only(out, question)
        # Out of the terminal's process group, a read or (with `stty tostop`) a write of it
        # would stop this child, and the parent waiting for it: it has neither to do.
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.close(null)
        data = json.dumps(_plan(question, workspace, raw)).encode()
        while data:
            data = data[os.write(out, data) :]
    except BaseException:  # noqa: BLE001 - whatever happens, never return into the plan
        code = 1
    finally:
        os._exit(code)


def _asked(question: int) -> list[tuple[Any, Any]]:
    """What the parent asks, read to its end (empty: nothing, it plans in-process): each
    component as planning.Target, with its newest tag or None."""
    from releaser.domain.bump import Bump
    from releaser.models.planning import Target

    with os.fdopen(question, "rb") as pipe:
        data = pipe.read()
    asked = []
    for entry in json.loads(data) if data else []:
        bumps = tuple((rule, Bump[label.upper()]) for rule, label in entry["bumps"])
        target = Target(entry["name"], entry["path"], entry["strict"], bumps)
        previous = _Tag(*entry["previous"]) if entry["previous"] is not None else None
        asked.append((target, previous))
    return asked


class _Tag:
    """A tag as the parent names it: by its name and commit (planning.Tag)."""

    __slots__ = ("name", "sha")

    def __init__(self, name: str, sha: str) -> None:
        self.name = name
        self.sha = sha


def _plan(question: int, workspace: Path, raw: bytes | None) -> dict[str, Any]:
    lines: list[Any] = []
    found: prehash.Found = {}

    def known(rel: str, ident: Identity) -> tuple[str, int] | None:
        return prehash.lookup(found, rel, ident)

    def read_now(paths: list[str]) -> dict[str, Any]:
        """The workspace's manifests of the components at `paths`, their files hashed; one
        that fails is read again once asked, which says why."""
        files = [entry for entry in prehash.listed(workspace, paths) if entry[0] not in found]
        _hash(files, workspace, lines.append)
        found.update(prehash.answers(lines))
        from releaser.models import planning

        out: dict[str, Any] = {}
        for path in paths:
            try:
                out[path] = planning.in_workspace(workspace, path, known)
            except Exception:  # noqa: BLE001 - planned again once asked
                continue
        return out

    # Before it is asked: the model components as the config's bytes name them. The
    # question holds the validated config's; a path read here that it does not name is
    # simply not used, and one it names that was not read here is read then.
    now = read_now(prehash.model_paths(raw)) if raw is not None else {}
    asked = _asked(question)
    missing = list(dict.fromkeys(t.path for t, _previous in asked if t.path not in now))
    if missing:
        now.update(read_now(missing))
    return {"plans": _summaries(workspace, asked, now, known), "digests": lines}


def _hash(files: list[tuple[str, int]], workspace: Path, emit) -> None:
    """Hash `files` ((path, size) pairs), emitting each (prehash.hash_all), then load the
    model modules. Much to hash: a helper hashes beside this process, which loads them
    meanwhile, then takes its share of what is left (prehash.start_shared)."""
    helper = None
    if sum(size for _name, size in files) >= SHARED_BYTES:
        helper = prehash.start_shared(workspace, files)
    if helper is None:
        prehash.hash_all([name for name, _size in files], workspace, emit)
    import jsonschema  # noqa: F401 - manifests are validated with it
    import yaml  # noqa: F401 - they are YAML

    from releaser.models import planning  # noqa: F401 - the model modules

    if helper is not None:
        child, queue = helper
        try:
            prehash.share(queue, [name for name, _size in files], workspace, emit)
        finally:
            os.close(queue)
        for entry in child.entries():
            emit(entry)


def _summaries(workspace: Path, asked, now: dict[str, Any], known) -> dict[str, Any]:
    """Each asked component's plan as printed (planning.summary), from its baseline read
    from git; a summary of None has the parent plan it in-process and say why."""
    from releaser.git import GitRepo
    from releaser.models import planning

    plans: dict[str, Any] = {}
    if not asked:
        return plans
    repo = GitRepo(workspace)
    try:
        for target, previous in asked:
            try:
                found = planning.at_tag(repo, previous, target.path) if previous else None
                summary = planning.summary(
                    workspace, target, previous, found, known, now.get(target.path)
                )
            except Exception:  # noqa: BLE001 - planned again in-process, which says why
                summary = None
            plans[target.name] = {"previous": _tag_key(previous), "summary": summary}
    finally:
        repo.close()
    return plans
