"""Evidence economy: at most two requests per PR plus a constant (figure in bench/RESULTS.md)."""

from __future__ import annotations

import json

import pytest

from tests.action_util import ActionRunner
from tests.evidence_history import merged_prs
from tests.test_action_e2e import open_release_prs
from tests.test_action_requests import split_evidence


@pytest.fixture
def action(fakegithub, tmp_path):
    return ActionRunner(fakegithub, tmp_path)


@pytest.mark.parametrize(("squash", "merges", "rebases"), [(50, 0, 0), (30, 20, 0), (40, 0, 10)])
def test_fifty_reviewed_prs_cost_two_requests_each(
    fakegithub, action, capsys, squash, merges, rebases
):
    fake = fakegithub
    fake.commit("main", "chore: init", {"README.md": "x\n"})
    fake.tag("v1.0.0")
    numbers = merged_prs(fake, squash, merges, commits_per_merge=3, rebases=rebases)
    assert action.run("push").code == 0
    (release_pr,) = open_release_prs(fake)
    fake.add_review(release_pr.number, "maintainer", "APPROVED")
    fake.merge_pull(release_pr.number)
    fake.reset_requests()
    event = action.merged_event(release_pr.number)
    published = action.run("pull_request.closed", event=event)
    assert published.code == 0, published.stdout + published.stderr
    publish, reads, uploads = split_evidence(fake.reset_requests())
    prs = len(numbers) + 1  # and the release PR
    with capsys.disabled():
        print(
            f"\nevidence for {prs} PRs ({squash} squash, {merges} merge, {rebases} rebase):"
            f" {reads} reads"
        )
    # Per PR: the PR and its reviews. Constant: compare pages (100 commits each), check runs,
    # statuses, immutable-releases setting (the tree and the previous tag come from the clone).
    # A rebase merge carries no PR number in its commits: each of its 3 commits costs one
    # commits/{sha}/pulls lookup.
    commits = squash + merges * 4 + rebases * 3 + 1
    assert reads == 2 * prs + 3 * rebases + (commits + 99) // 100 + 3, reads
    doc = json.loads(
        next(
            a.data
            for a in fake.release_by_tag("v1.1.0").assets
            if a.name.endswith(".json") and a.name.startswith("release-evidence")
        )
    )
    assert doc["changes"]["direct_pushes"] == []
    assert sorted(p["number"] for p in doc["changes"]["pull_requests"]) == sorted(
        [*numbers, release_pr.number]
    )
    assert all(p["approval_covers_head"] for p in doc["changes"]["pull_requests"])
    assert len(doc["source"]["commits"]) == commits
