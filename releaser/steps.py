"""The GitHub writes of one run as a frozen Plan of steps, computed from one reading of the
state (GitHub and the clone) before any write; `command: plan` shows it, releaser.apply runs it.

A new kind of step is one frozen dataclass here (with `describe`) and one function registered
in releaser.apply.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from releaser.domain.markdown import escape_inline
from releaser.github import ReleaseInfo


def _indented(notes: str) -> list[str]:
    """Notes under a step's line, as a nested block of the summary's list."""
    if not notes:
        return []
    return ["", *(f"  {line}" if line else "" for line in notes.splitlines()), ""]


def _pr(number: int, branch: str) -> str:
    return f"#{number}" if number else f"the release PR of {branch}"


@dataclass(frozen=True, slots=True)
class PushBranch:
    """A commit with the changed files on the clone's tree, forced onto the release branch."""

    kind: ClassVar[str] = "push-branch"
    branch: str
    message: str
    parent: str
    base_tree: str  # "": the parent's, read when the step runs
    files: tuple[tuple[str, str], ...]  # (path, content), sorted
    exists: bool  # the open PR proves the branch exists: no look before forcing it

    def describe(self) -> list[str]:
        paths = ", ".join(f"`{escape_inline(p)}`" for p, _ in self.files)
        return [f"- would push the release commit to {self.branch}, changing {paths}"]


@dataclass(frozen=True, slots=True)
class OpenPr:
    kind: ClassVar[str] = "open-pr"
    branch: str
    base: str
    title: str
    body: str
    notes: str  # what the body shows people, for the plan's summary
    labels: tuple[str, ...]  # what the AddLabel steps that follow give it (for the outputs)
    files: tuple[str, ...]  # the paths the release commit changes (for the outputs)

    def describe(self) -> list[str]:
        return [f"- Release PR would open: {escape_inline(self.title)}", *_indented(self.notes)]


@dataclass(frozen=True, slots=True)
class UpdatePr:
    kind: ClassVar[str] = "update-pr"
    number: int
    html_url: str
    branch: str
    base: str
    title: str
    body: str
    notes: str
    labels: tuple[str, ...]  # as the PR has them
    files: tuple[str, ...]
    replaced_edits: tuple[str, ...]  # tags whose edited notes the new commits replace

    def describe(self) -> list[str]:
        line = f"- Release PR #{self.number} would update: {escape_inline(self.title)}"
        return [line, *_indented(self.notes)]


@dataclass(frozen=True, slots=True)
class ClosePr:
    kind: ClassVar[str] = "close-pr"
    number: int
    html_url: str
    branch: str
    title: str
    comment: str

    def describe(self) -> list[str]:
        return [f"- Release PR #{self.number} would close: {escape_inline(self.title)}"]


@dataclass(frozen=True, slots=True)
class AddLabel:
    """A label on a PR; `number` 0 is the PR an OpenPr step of `branch` opens."""

    kind: ClassVar[str] = "add-label"
    number: int
    branch: str
    label: str

    def describe(self) -> list[str]:
        return [f"- would label {_pr(self.number, self.branch)} `{escape_inline(self.label)}`"]


@dataclass(frozen=True, slots=True)
class RemoveLabel:
    kind: ClassVar[str] = "remove-label"
    number: int
    label: str

    def describe(self) -> list[str]:
        return [f"- would remove the label `{escape_inline(self.label)}` from #{self.number}"]


@dataclass(frozen=True, slots=True)
class Tag:
    """A tag at the merge commit; the only step that makes a tag. Lightweight, or annotated
    with `message` (a model release: GTO reads only annotated tags)."""

    kind: ClassVar[str] = "tag"
    tag: str
    sha: str
    pr: int
    message: str = ""

    def describe(self) -> list[str]:
        what = "an annotated tag" if self.message else "tag"
        return [f"- would {what} {self.tag} at `{self.sha[:12]}` (release PR #{self.pr})"]


@dataclass(frozen=True, slots=True)
class CheckRun:
    """A completed check run on a release PR's head (a model release's gates, issue #13);
    `head` "" is the commit the PushBranch step of `branch` makes."""

    kind: ClassVar[str] = "check-run"
    name: str
    branch: str
    head: str
    conclusion: str
    title: str
    summary: str

    def describe(self) -> list[str]:
        where = f"`{self.head[:12]}`" if self.head else f"the new head of {self.branch}"
        return [
            f"- would set the {self.name} check run on {where}: {self.conclusion}"
            f" ({escape_inline(self.title)})"
        ]


@dataclass(frozen=True, slots=True)
class Release:
    """What one release is: the facts its steps share and the outputs report."""

    component: str
    path: str
    version: str
    tag: str
    sha: str
    pr: int


@dataclass(frozen=True, slots=True)
class Draft:
    kind: ClassVar[str] = "draft"
    release: Release
    body: str
    prerelease: bool

    def describe(self) -> list[str]:
        what = "pre-release" if self.prerelease else "release"
        return [f"- would draft the {what} {self.release.tag} with these notes:"] + _indented(
            self.body
        )


# (draft) -> (assets in upload order, notes footer, evidence JSON url). Evidence records the
# draft's creation time, so the assets can only be built once the draft exists.
AssetsRecipe = Callable[[ReleaseInfo], tuple[Sequence[Any], str, str]]


@dataclass(frozen=True, slots=True)
class Upload:
    """The release's assets, built by `recipe` when apply reaches this step (evidence needs
    the draft's creation time); an asset already there with the same digest is kept."""

    kind: ClassVar[str] = "upload"
    release: Release
    draft: ReleaseInfo | None  # the snapshot's draft; None: the one a Draft step makes
    recipe: AssetsRecipe | None = field(default=None, compare=False)

    def describe(self) -> list[str]:
        return [f"- would upload the release evidence to the draft of {self.release.tag}"]


@dataclass(frozen=True, slots=True)
class Publish:
    kind: ClassVar[str] = "publish"
    release: Release
    body: str
    draft: ReleaseInfo | None  # the snapshot's draft; None: the one a Draft step makes

    def describe(self) -> list[str]:
        return [f"- would publish {self.release.tag}"]


@dataclass(frozen=True, slots=True)
class Comment:
    """The announcement on a release PR of its releases, with a hidden key that tells a
    repeat. Apply looks for the key before posting unless this run made one of the PR's tags:
    comments follow tags, so no earlier run can have posted it."""

    kind: ClassVar[str] = "comment"
    number: int
    tags: tuple[str, ...]

    @property
    def key(self) -> str:
        return "<!-- releaser:published " + ",".join(self.tags) + " -->"

    def body(self, urls: dict[str, str]) -> str:
        """The comment, with each release's page (known once it is published)."""
        lines = [f"Released [{tag}]({urls[tag]})." for tag in self.tags]
        return "\n".join(lines) + "\n\n" + self.key

    def describe(self) -> list[str]:
        return [f"- would comment on #{self.number}: Released {', '.join(self.tags)}."]


Step = (
    PushBranch | OpenPr | UpdatePr | ClosePr | AddLabel | RemoveLabel | Tag | Draft | Upload
) | (Publish | Comment | CheckRun)


@dataclass(frozen=True, slots=True)
class Plan:
    """The steps in order, and what needs none: releases already out, PRs already current."""

    steps: tuple[Step, ...] = ()
    # Reported only (typed loosely: publish and release_pr_flow import this module).
    published: tuple[Any, ...] = ()  # publish.Published: releases out before this run
    prs: tuple[Any, ...] = ()  # release_pr_flow.PrResult: release PRs already up to date
    order: tuple[str, ...] = ()  # every release's tag in publishing order (for the outputs)

    def __add__(self, other: Plan) -> Plan:
        return Plan(
            self.steps + other.steps,
            self.published + other.published,
            self.prs + other.prs,
            self.order + other.order,
        )

    def describe(self) -> list[str]:
        return [line for step in self.steps for line in step.describe()]
