"""`releaser plan`'s model components planned in a child process while the parent walks
history.

Planning a model costs the parent ~40 ms besides hashing: ~25 ms to import the model modules
(their frozen dataclasses), then reading model.yaml now and at the tag. `releaser plan`
prints a model's plan and does nothing else with it, so once the config is loaded and each
component's newest tag is known, the engine forks this child (start). The child inherits
the config and the tags, imports the model modules, reads each baseline from git while the
hashing child (releaser.models.prehash) still hashes, takes a share of the files that child
has yet to hash (prehash.share; for a small model there is no such child and it hashes them
all), then reads the workspace's manifest with the digests, and answers with each plan as
printed: its bump, the `model` object of `plan --json` and its text lines, with and without
a code change in the range (only the parent's walk knows which; planning.summary). The
parent then loads no model module at all.

An answer is used only for the newest tag it was planned from. No answer, an error in the
child, a plan it could not make (a strict refusal, a bad manifest): the model is planned
in-process with the digests the child forwards, so every message reads as without it.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from releaser.domain.model_view import PlannedModel
from releaser.models import prehash

if TYPE_CHECKING:
    from releaser.git import GitRepo
    from releaser.models.hashing import Identity

# (component name, Component, its newest Tag or None): what the child plans.
Asked = list[tuple[str, Any, Any]]


class Planner(prehash.Child):
    """The planning child and, once it has answered, its plans and the digests it read."""

    def __init__(self, pid: int, fd: int) -> None:
        super().__init__(pid, fd)
        self._reply: dict[str, Any] | None = None

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

    def digests(self) -> dict[str, tuple[str, int, Identity]]:
        """What the hashing child reported, as the child forwarded it (prehash.hand_over)."""
        return prehash.answers(self._answer().get("digests", []))

    def _answer(self) -> dict[str, Any]:
        if self._reply is None:
            data = self._read_all()
            try:
                reply = json.loads(data) if data else {}
            except ValueError:
                reply = {}  # cut short: everything is planned in-process
            self._reply = reply if isinstance(reply, dict) else {}
        return self._reply


def _tag_key(tag: Any) -> list[str] | None:
    return None if tag is None else [tag.name, tag.sha]


def start(workspace: Path, asked: Asked, hashing: prehash.Prehash | None) -> Planner | None:
    """A child planning the `asked` model components, reading `hashing`'s digests when
    there is a hashing child; None when there is no fork here."""
    if not asked or not hasattr(os, "fork"):
        return None
    started: list[Planner] = []
    # From here on the digests reach this process through the planner, whatever happens.
    handed = None
    if hashing is not None:
        handed = hashing.hand_over(lambda: started[0].digests() if started else {})
    hashed, queue = handed if handed is not None else (None, None)
    read, write = os.pipe()
    try:
        with warnings.catch_warnings():  # 3.12 warns of fork beside threads; none run here
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
    except OSError:
        pid = -1
    if pid == 0:
        _child(write, hashed, queue, workspace, asked)  # never returns
    for fd in (write, hashed, queue, read if pid < 0 else None):
        if fd is not None:
            os.close(fd)  # the child reads the digests and the queue now, from its copies
    if pid < 0:
        return None
    started.append(Planner(pid, read))
    return started[0]


def model_work(
    source: tuple[Any, Path] | None,
    models: list[str],
    hashing: prehash.Prehash | None,
    printing: bool,
) -> ModelWork:
    """What works on a plan's model components (at `models`, in the clone and working tree
    `source`) beside its walk: `hashing` when the caller started it; else, unless the
    caller prints (its planner hashes a small model itself), a hashing child when there
    is enough to hash."""
    if hashing is None and not printing and source is not None:
        hashing = prehash.start(source[1], models)
    return ModelWork(hashing, printing)


class ModelWork:
    """What works on a plan's model components beside its history walk: the hashing child
    (prehash), and for `releaser plan` (`printing`) this planner. Closed with the plan."""

    def __init__(self, hashing: prehash.Prehash | None, printing: bool) -> None:
        self.hashing = hashing
        self.printing = printing
        self.planner: Planner | None = None

    def ask(self, workspace: Path, asked: Asked) -> None:
        if self.printing and self.planner is None:
            self.planner = start(workspace, asked, self.hashing)

    def printed(
        self, repo: GitRepo, component: Any, latest: Any, since: Any, changed: Any
    ) -> PlannedModel | None:
        if self.planner is None:
            return None
        return self.planner.printed(repo, component, latest, since, changed)

    def known(self, rel: str, ident: Identity) -> tuple[str, int] | None:
        return self.hashing.known(rel, ident) if self.hashing is not None else None

    def close(self) -> None:
        if self.planner is not None:
            self.planner.close()
        if self.hashing is not None:
            self.hashing.close()


def _child(out: int, hashed: int | None, queue: int | None, workspace: Path, asked: Asked) -> None:
    """Plan `asked`, write one JSON object to `out` ({"plans": ..., "digests": ...}), exit."""
    code = 0
    try:
        # The parent's pipes to git stay the parent's: a git process must see its EOFs.
        low = 3
        for fd in sorted(fd for fd in (out, hashed, queue) if fd is not None):
            os.closerange(low, fd)
            low = fd + 1
        os.closerange(low, 1 << 16)
        reply = _plan(hashed, queue, workspace, asked)
        data = json.dumps(reply).encode()
        while data:
            data = data[os.write(out, data) :]
    except BaseException:  # noqa: BLE001 - whatever happens, never return into the plan
        code = 1
    finally:
        os._exit(code)


def _plan(hashed: int | None, queue: int | None, workspace: Path, asked: Asked) -> dict[str, Any]:
    from releaser.git import GitRepo
    from releaser.models import planning

    lines: list[Any] = []
    found: dict[str, tuple[str, int, Identity]] | None = None

    def reported() -> dict[str, tuple[str, int, Identity]]:
        """The hashing child's digests and this one's, read to its end once (by then it has
        hashed what it took from the queue)."""
        nonlocal found
        if found is None:
            if hashed is not None:
                with os.fdopen(hashed, "rb") as pipe:
                    for line in pipe.read().split(b"\n"):
                        try:
                            lines.append(json.loads(line))
                        except ValueError:
                            continue
            found = prehash.answers(lines)
        return found

    def known(rel: str, ident: Identity) -> tuple[str, int] | None:
        entry = reported().get(rel)
        return (entry[0], entry[1]) if entry is not None and entry[2] == ident else None

    plans: dict[str, Any] = {}
    repo = GitRepo(workspace)
    try:
        # The baselines first: git answers while the weights are still hashing.
        baselines: dict[str, Any] = {}
        for name, component, previous in asked:
            try:
                path = component.policy.path
                baselines[name] = planning.at_tag(repo, previous, path) if previous else None
            except Exception:  # noqa: BLE001 - planned again in-process, which says why
                baselines[name] = _FAILED
        if queue is not None:  # then take a share of the files still to hash
            paths = [component.policy.path for _name, component, _previous in asked]
            names = [name for name, _size in prehash.listed(workspace, paths)]
            prehash.share(queue, names, workspace, lines.append)
        for name, component, previous in asked:
            summary = None
            if baselines[name] is not _FAILED:
                try:
                    summary = planning.summary(
                        workspace, component, previous, baselines[name], known
                    )
                except Exception:  # noqa: BLE001 - planned again in-process, which says why
                    summary = None
            plans[name] = {"previous": _tag_key(previous), "summary": summary}
    finally:
        repo.close()
    reported()
    return {"plans": plans, "digests": lines}


_FAILED = object()
