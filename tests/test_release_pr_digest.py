"""The plan digest in the release PR's marker: the same plan gives the same digest, whichever
history (a full clone or the API, for a shallow checkout) it was read from."""

from __future__ import annotations

from releaser.domain.commits import RawCommit, parse_commits
from releaser.domain.release_pr import PlannedRelease, digest_commits, plan_digest

A, B, M = "a" * 40, "b" * 40, "c" * 40
PLANNED = (PlannedRelease("", ".", "1.1.0", "v1.1.0", "v1.0.0", "notes\n", "0" * 64),)


def _digest(*raws: RawCommit) -> str:
    return plan_digest(PLANNED, digest_commits(parse_commits(raws)))


def test_a_merge_the_history_lists_or_not_leaves_the_digest_alone():
    feat = RawCommit(A, "feat: a thing\n", (M,))
    fix = RawCommit(B, "fix: another\n", (M,))
    merge = RawCommit(M, "Merge pull request #5 from acme/side\n\nfix: another", (A, B))
    assert _digest(merge, feat, fix) == _digest(feat, fix)


def test_a_new_commit_changes_the_digest():
    feat = RawCommit(A, "feat: a thing\n")
    assert _digest(feat, RawCommit(B, "chore: tidy\n")) != _digest(feat)
