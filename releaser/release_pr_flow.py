"""The steps that create, update or close the one release PR (or one per component), from
the engine's plan."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from releaser.config import Config
from releaser.domain.notes_size import PULL_BODY_LIMIT, cap_notes
from releaser.domain.release import Release
from releaser.domain.release_pr import (
    NOTICE_ROOM,
    Marker,
    MarkerError,
    PlannedRelease,
    branch_name,
    digest_commits,
    keep_edits,
    notes_sha256,
    parse_body,
    plan_digest,
    render_body,
    render_title,
    replaced_edits,
)
from releaser.engine import History
from releaser.github import GitHub, PullInfo
from releaser.local_history import LocalHistory
from releaser.release_files import file_changes
from releaser.steps import (
    AddLabel,
    CheckRun,
    ClosePr,
    OpenPr,
    Plan,
    PushBranch,
    Step,
    UpdatePr,
)

if TYPE_CHECKING:  # loaded for model releases only
    from releaser.domain.model_tables import ModelResult


@dataclass(frozen=True, slots=True)
class PrResult:
    number: int
    html_url: str
    branch: str
    title: str
    created: bool
    changed: bool
    closed: bool = False
    # release-please v4's PullRequest fields besides ours: the base branch, the body, the
    # labels, and the files the release commit changes.
    base: str = ""
    body: str = ""
    labels: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    replaced_edits: tuple[str, ...] = ()  # tags whose edited notes were regenerated

    def as_json(self) -> dict:
        return {
            "number": self.number,
            "html_url": self.html_url,
            "branch": self.branch,
            "title": self.title,
            "created": self.created,
            "changed": self.changed,
            "closed": self.closed,
            "headBranchName": self.branch,
            "baseBranchName": self.base,
            "body": self.body,
            "labels": list(self.labels),
            "files": list(self.files),
        }


ReadFile = Callable[[str], str | None]


def _groups(config: Config, releases: tuple[Release, ...]):
    """(component-or-None, releases) per PR: one PR unless separate-pull-requests."""
    if config.separate_pull_requests and config.monorepo:
        return [(r.component, (r,)) for r in releases]
    return [(None, releases)]


def plan_release_prs(
    gh: GitHub,
    config: Config,
    target: str,
    history: History,
    releases: tuple[Release, ...],
    models: Mapping[str, ModelResult] | None = None,
) -> Plan:
    """The steps that open, update or close each release PR, from the open PR as read now;
    every check a write would make (the version files) runs here, before any write.
    `models` (tag -> result) are the model releases: their tables go in the body, their gates
    in a check run on the PR head."""
    head = history.head() or ""
    steps: list[Step] = []
    unchanged = []
    for component, group in _groups(config, releases):
        branch = branch_name(target, component)
        pending = tuple(r for r in group if r.version)
        ours = {r.tag: (models or {})[r.tag] for r in pending if r.tag in (models or {})}
        open_prs = gh.pulls(branch, "open", target)
        current = open_prs[0] if open_prs else None
        if not pending:
            if current is not None:
                steps.append(
                    ClosePr(
                        current.number,
                        current.html_url,
                        branch,
                        current.title,
                        "Nothing is releasable any more; closing.",
                    )
                )
            continue
        planned, compact = _fitting(
            config,
            target,
            head,
            tuple(
                PlannedRelease(
                    r.component,
                    r.path,
                    r.version,
                    r.tag,
                    r.previous_tag,
                    r.notes,
                    notes_sha256(r.notes),
                    ours[r.tag].manifest_sha256 if r.tag in ours else "",
                )
                for r in pending
            ),
            ours,
        )
        commits = digest_commits(c for r in pending for c in r.commits)
        digest = plan_digest(planned, commits, _models_digest(ours))
        title = render_title(config.pull_request_title, target, planned)
        if current is not None and _marker_digest(current) == digest:
            unchanged.append(
                PrResult(current.number, current.html_url, branch, current.title, False, False)
            )
            # The body is current; its check run too, unless a run stopped in between.
            check = gates_check(branch, current.head_sha, ours)
            if check is not None and not gh.check_run_current(
                check.name, check.head, check.conclusion, check.title, check.summary
            ):
                steps.append(check)
            continue
        files = file_changes(config, pending, history.read)  # validates
        before = _marker(current) if current is not None else None
        kept = keep_edits(planned, before)
        marker = Marker(target, head, digest, kept)
        if len(render_body(marker, (), ours, compact)) > PULL_BODY_LIMIT:
            kept = planned  # kept edits of one release beside new notes of another
        replaced = replaced_edits(kept, before)
        body = render_body(Marker(target, head, digest, kept), replaced, ours, compact)
        notes = "\n".join(r.notes.rstrip("\n") for r in kept)
        paths = tuple(sorted(files))
        # The clone's tree costs nothing; through the API it is read when the step runs.
        tree = history.tree() if isinstance(history, LocalHistory) else ""
        changes = tuple(sorted(files.items()))
        steps.append(PushBranch(branch, title, head, tree, changes, current is not None))
        check = gates_check(branch, "", ours)  # model releases (#13): on the new head
        if check is not None:
            steps.append(check)
        if current is None:
            pending_label = config.labels.pending
            steps.append(OpenPr(branch, target, title, body, notes, (pending_label,), paths))
            steps.append(AddLabel(0, branch, pending_label))
        else:
            steps.append(
                UpdatePr(
                    current.number,
                    current.html_url,
                    branch,
                    target,
                    title,
                    body,
                    notes,
                    tuple(current.labels),
                    paths,
                    tuple(r.tag for r in replaced),
                )
            )
    return Plan(tuple(steps), prs=tuple(unchanged))


def gates_check(branch: str, head: str, models: Mapping[str, ModelResult]) -> CheckRun | None:
    """The one `releaser/model-gates` check run on a release PR's head, over every model
    release the PR carries: failure when any gate failed, so a repository that requires the
    check cannot merge it. The run itself succeeds: the check run is what enforces. None
    without model releases, which get no check run."""
    if not models:
        return None
    from releaser.domain.model_tables import CHECK_NAME, check_output

    conclusion, title, summary = check_output(models)
    return CheckRun(CHECK_NAME, branch, head, conclusion, title, summary)


def _fitting(
    config: Config,
    target: str,
    head: str,
    planned: tuple[PlannedRelease, ...],
    models: Mapping[str, ModelResult] | None = None,
) -> tuple[tuple[PlannedRelease, ...], bool]:
    """The releases with their notes cut (at an entry, pointing to the CHANGELOG, which keeps
    them whole) so that the PR body fits GitHub's limit, beside the model tables; `generated`
    is the digest of the notes as written, which is what a merge publishes. The tables take
    at most half the body: beyond that the body gives them in one line each (True)."""
    empty = tuple(replace(r, notes="") for r in planned)
    marker = Marker(target, head, "0" * 64, empty)
    compact = len(render_body(marker, models=models)) > PULL_BODY_LIMIT // 2
    used = len(render_body(marker, models=models, compact=compact)) + NOTICE_ROOM
    room = (PULL_BODY_LIMIT - used) // len(planned)
    changelogs = {c.policy.name: c.changelog_path for c in config.components}
    out = []
    for release in planned:
        notes = cap_notes(release.notes, room, changelogs.get(release.component, "CHANGELOG.md"))
        out.append(replace(release, notes=notes, generated=notes_sha256(notes)))
    return tuple(out), compact


def _marker(pr: PullInfo) -> Marker | None:
    try:
        return parse_body(pr.body)
    except MarkerError:
        return None


def _marker_digest(pr: PullInfo) -> str | None:
    marker = _marker(pr)
    return None if marker is None else marker.plan_digest


def _models_digest(models: Mapping[str, ModelResult]) -> str:
    """What the model tables say, for the plan digest; "" without model releases."""
    if not models:
        return ""
    from releaser.domain.model_tables import models_digest

    return models_digest(models)
