"""API economy: request counts for a release PR update and for a publish (see bench/RESULTS.md)."""

from __future__ import annotations

import re
import subprocess
import time

import pytest

from tests.action_util import ActionRunner
from tests.test_action_e2e import open_release_prs


def add_commits(fake, count: int) -> None:
    """Append `count` conventional commits to main with one git fast-import stream."""
    head = fake.ref_sha("refs/heads/main")
    start = int(time.time()) + 60  # after the seed commit: git's --merged trusts commit dates
    lines = []
    kinds = ["feat", "fix", "docs", "chore", "perf", "refactor"]
    for i in range(count):
        message = f"{kinds[i % len(kinds)]}(core): change number {i}\n\nRefs: #{i + 1}\n".encode()
        lines.append(b"commit refs/heads/main\n")
        lines.append(f"committer Dev <dev@example.com> {start + i} +0000\n".encode())
        lines.append(f"data {len(message)}\n".encode() + message)
        if i == 0:
            lines.append(f"from {head}\n".encode())
        body = f"{i}\n".encode()
        lines.append(f"M 644 inline src/file{i % 7}.txt\ndata {len(body)}\n".encode() + body)
        lines.append(b"\n")
    subprocess.run(
        ["git", "--git-dir", str(fake.bare_path), "fast-import", "--quiet"],
        input=b"".join(lines),
        check=True,
    )


# Reads only the evidence gathering makes (the publish steps themselves never use these).
EVIDENCE_READS = re.compile(
    r"/repos/[^/]+/[^/]+/(pulls/\d+(/reviews)?|commits/[0-9a-f]+/(pulls|check-runs|statuses)"
    r"|commits/[0-9a-f]+|commits|compare/.*|git/commits/[0-9a-f]+|git/ref/tags/v1\.0\.0"
    r"|immutable-releases|collaborators/[^/]+/permission)$"
)


def split_evidence(calls) -> tuple[int, int, int]:
    """(publish requests, evidence reads, asset uploads) of one run's calls."""
    evidence = sum(1 for c in calls if c.method == "GET" and EVIDENCE_READS.search(c.path))
    uploads = sum(1 for c in calls if c.method == "POST" and c.path.endswith("/assets"))
    return len(calls) - evidence - uploads, evidence, uploads


@pytest.fixture
def action(fakegithub, tmp_path):
    return ActionRunner(fakegithub, tmp_path)


def test_request_counts(fakegithub, action, capsys):
    fake = fakegithub
    fake.commit("main", "chore: init", {"README.md": "x\n"})
    fake.tag("v1.0.0")
    add_commits(fake, 500)
    fake.reset_requests()
    first = action.run("push", inputs={"target-branch": "main"})
    assert first.code == 0 and "| 1.0.0 | 1.1.0 |" in first.summary, first.summary
    create_calls = fake.reset_requests()
    create = len(create_calls)
    fake.commit("main", "fix: one more", {"README.md": "y\n"})
    fake.reset_requests()
    result = action.run("push", inputs={"target-branch": "main"})
    assert result.code == 0, result.stdout + result.stderr
    update_calls = fake.reset_requests()
    update = len(update_calls)
    (pr,) = open_release_prs(fake)
    fake.merge_pull(pr.number)
    fake.reset_requests()
    published = action.run("pull_request.closed", event=action.merged_event(pr.number))
    assert published.code == 0, published.stdout
    calls = fake.reset_requests()
    publish, evidence, uploads = split_evidence(calls)
    # The marker is checked against the merged CHANGELOG (zero-config: no version files); the
    # clone holds the merge commit, so that costs no request (without it: one per checked file,
    # see test_action_publish_trust.py).
    assert [c.path for c in calls if "/contents/" in c.path] == []
    with capsys.disabled():
        for name, run in (("create", create_calls), ("update", update_calls), ("publish", calls)):
            print(f"\n{name}:")
            for c in run:
                if not (c.method == "GET" and EVIDENCE_READS.search(c.path)):
                    print(f"  {c.method} {c.path} {c.status}")
        print(
            f"\nrequests: create-pr={create} update-pr(500 commits)={update} publish={publish}"
            f" evidence-reads={evidence} evidence-uploads={uploads}"
        )
    # Goal 7: the floor is 5 (find the PR, tree with inline contents, commit, ref, PR update);
    # the sixth is the closed-PR list that finds a merged but unpublished release PR first.
    assert update <= 6, update
    # The publish steps: tag (created without a look: the clone, fetched with its tags, has
    # none), draft, settle (the list), publish, comment (no look: this run made the tag),
    # labels (add, remove); the releases list is read before the draft only when the tag
    # already existed (a re-run).
    assert publish <= 7, publish
    # 501 commits pushed straight to main cost one PR lookup each; 502 commits are 6 compare
    # pages; the release PR costs its PR and its reviews; then check runs, statuses and the
    # immutable-releases setting (the release commit's tree and the previous tag come from the
    # clone). The uploads: SBOM, evidence JSON and Markdown, in-toto, SHA256SUMS.
    assert evidence == 501 + 6 + 2 + 3, evidence
    assert uploads == 5
    # Goal 8 counts everything publishing costs per PR of the release (here one, the release
    # PR; the other commits were pushed straight to main), leaving out what scales with
    # commits (direct-push lookups, compare pages); see bench/RESULTS.md for each request.
    prs = 1
    per_commit = sum(1 for c in calls if re.search(r"/commits/[0-9a-f]+/pulls$|/compare/", c.path))
    assert per_commit == 501 + 6
    assert publish + uploads + evidence - per_commit <= 2 * prs + 15
