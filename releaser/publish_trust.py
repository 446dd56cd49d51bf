"""Which merged PRs are release PRs, and whether the merged tree is what their marker says.

The PR body is editable by anyone who may edit the PR, and editing it dismisses no review:
the marker's versions count only where the reviewed, merged files agree with them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn

from releaser.config import Labels
from releaser.domain.changelog import newest_versions
from releaser.domain.release_pr import Marker
from releaser.domain.updaters import UpdateError, updater_for
from releaser.errors import StateConflict
from releaser.github import PullInfo

PENDING = Labels().pending
RELEASED = Labels().released
# A person's token (a PAT) opens the release PR as that person, who can push to the repository.
TRUSTED_ASSOCIATIONS = ("OWNER", "MEMBER", "COLLABORATOR")

ReadFile = Callable[[str], str | None]


def not_a_release_pr(pr: PullInfo, repository: str, labels: Labels | None = None) -> str:
    """Why `pr` is not a release PR releaser opened, or "" when it is one.

    releaser opens its PR from a branch of this repository, as the account its token acts as
    (a bot for the workflow token or a GitHub App, else a person with access), and labels it
    (with the config's labels; releaser's own count too, so switching names strands no PR).
    """
    if pr.head_repo.lower() != repository.lower():
        where = pr.head_repo or "a deleted fork"
        return f"its branch is in {where}, not in {repository}"
    labels = labels or Labels()
    accepted = {PENDING, RELEASED, labels.pending, labels.released}
    if not accepted.intersection(pr.labels):
        return f"it carries neither the '{labels.pending}' nor the '{labels.released}' label"
    if pr.author_type != "Bot" and pr.author_association not in TRUSTED_ASSOCIATIONS:
        return f"its author {pr.author} is no bot, member or collaborator of {repository}"
    return ""


def check_merged_tree(pr: PullInfo, marker: Marker, config, read: ReadFile) -> None:
    """Refuse unless every version file and CHANGELOG heading the PR bumped, as merged, holds
    the version its marker names (the files a release PR bumps: release_pr_flow.file_changes)."""
    sha = (pr.merge_commit_sha or "")[:12]

    def refuse(version: str, path: str, says: str) -> NoReturn:
        raise StateConflict(
            f"release PR #{pr.number} cannot be published: its marker says {version}, "
            f"{path} at {sha} says {says}",
            hint="the marker's versions must match the merged files; restore the body "
            "releaser wrote (the PR's edit history keeps it) or release by hand",
        )

    by_name = {c.policy.name: c for c in config.components}
    version_files: dict[str, tuple[str | None, str]] = {}
    changelogs: dict[str, list[str]] = {}
    for release in marker.releases:
        component = by_name[release.component]
        changelogs.setdefault(component.changelog_path, []).append(release.version)
        for vf in component.version_files:
            # As file_changes writes them: a file two releases share holds the later one.
            version_files[vf.path] = (vf.type, release.version)
    for path, (kind, version) in version_files.items():
        text = read(path)
        if text is None:
            refuse(version, path, "nothing (no such file)")
        try:
            found = updater_for(path, kind).current(text)
        except UpdateError as exc:
            refuse(version, path, f"no version ({exc})")
        if found.removeprefix("v") != version:
            refuse(version, path, found)
    for path, versions in changelogs.items():
        newest = newest_versions(read(path), len(versions))
        for version in versions:
            if version not in newest:
                says = ", ".join(v or "a heading without a version" for v in newest)
                refuse(version, path, says or "no release heading")
