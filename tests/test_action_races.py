"""Two runs racing on one merge (the push and the pull_request event) end in the clean state."""

from __future__ import annotations

import subprocess
import threading

import pytest

from tests.action_util import ActionRunner
from tests.test_action_e2e import open_release_prs, seed


@pytest.fixture
def action_runner(fakegithub, tmp_path):
    return ActionRunner(fakegithub, tmp_path)


def _race(fake, tmp_path, release_pr: int):
    push = ActionRunner(fake, tmp_path / "push")
    closed = ActionRunner(fake, tmp_path / "closed")
    for runner in (push, closed):
        runner.tmp.mkdir()
    event = closed.merged_event(release_pr)
    results = {}
    threads = [
        threading.Thread(target=lambda: results.update(push=push.run("push"))),
        threading.Thread(
            target=lambda: results.update(closed=closed.run("pull_request.closed", event=event))
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return results


@pytest.mark.parametrize(
    "contested",
    [
        ("POST", r"/git/refs$"),  # both create the tag
        ("POST", r"/releases$"),  # both create a draft: twins
        ("PATCH", r"/releases/\d+$"),  # both publish
    ],
    ids=["tag", "draft", "publish"],
)
def test_racing_runs_make_one_tag_one_release_one_pr(fakegithub, tmp_path, contested):
    fake = fakegithub
    seed(fake)
    opener = ActionRunner(fake, tmp_path / "open")
    opener.tmp.mkdir()
    assert opener.run("push").code == 0
    (pr,) = open_release_prs(fake)
    merge_sha = fake.merge_pull(pr.number)
    fake.race(*contested)
    results = _race(fake, tmp_path, pr.number)
    for name, result in results.items():
        assert result.code == 0, (name, result.stdout, result.stderr)
    assert fake.faults.pending() == 0
    assert fake.tags() == {"v1.0.0": fake.tags()["v1.0.0"], "v1.1.0": merge_sha}
    (release,) = fake.releases.values()
    assert release.tag_name == "v1.1.0" and not release.draft
    names = [a.name for a in release.assets]
    assert len(names) == len(set(names)) == 5, names
    assert "### Release evidence" in release.body
    assert open_release_prs(fake) == []
    assert sum(p.head.startswith("releaser--") for p in fake.pulls.values()) == 1
    twins_deleted = [c for c in fake.requests if c[0] == "DELETE" and "/releases/" in c[1]]
    # The forced draft race always makes twins (others may too): the loser deletes its own.
    assert len(twins_deleted) == 1 if contested[1] == r"/releases$" else len(twins_deleted) <= 1


def test_a_clone_without_the_tag_republishes_nothing(fakegithub, action_runner):
    """A workspace fetched before the tag existed (a re-delivery on a kept workspace): the tag
    is created without a look and GitHub refuses it; the run then finds the release, as a
    snapshot that saw the tag would have, and writes nothing else."""
    fake, action = fakegithub, action_runner
    seed(fake)
    assert action.run("push").code == 0
    (pr,) = open_release_prs(fake)
    fake.merge_pull(pr.number)
    event = action.merged_event(pr.number)
    assert action.run("pull_request.closed", event=event).code == 0
    ids = sorted(fake.releases)
    subprocess.run(["git", "-C", str(action.workspace), "tag", "-d", "v1.1.0"], check=True)
    fake.reset_requests()
    again = action.run("pull_request.closed", event=event, clone=False)
    assert again.code == 0, again.stdout + again.stderr
    tried = [(c.method, c.path, c.status) for c in fake.reset_requests() if c.method != "GET"]
    assert tried == [("POST", f"/repos/{fake.full_name}/git/refs", 422)]
    assert sorted(fake.releases) == ids and again.outputs["tag_name"] == "v1.1.0"
    assert (
        "v1.1.0"
        in subprocess.run(
            ["git", "-C", str(action.workspace), "tag"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
