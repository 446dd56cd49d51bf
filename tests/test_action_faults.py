"""Injected faults and bad input: the Action ends in the clean run's state, or says why not."""

from __future__ import annotations

import json

import pytest

from tests.action_util import ActionRunner
from tests.test_action_e2e import open_release_prs, seed


@pytest.fixture
def action(fakegithub, tmp_path):
    return ActionRunner(fakegithub, tmp_path)


def full_cycle(fake, action):
    """Push (release PR), merge, publish; re-run each step once if it failed (as a user would)."""
    first = action.run("push")
    if first.code != 0:
        first = action.run("push")
    assert first.code == 0, first.stdout + first.stderr
    (pr,) = open_release_prs(fake)
    merge_sha = fake.merge_pull(pr.number)
    event = action.merged_event(pr.number)
    published = action.run("pull_request.closed", event=event)
    if published.code != 0:
        published = action.run("pull_request.closed", event=event)
    assert published.code == 0, published.stdout + published.stderr
    return pr, merge_sha


def final_state(fake, pr_number):
    return {
        "tags": sorted(fake.tags()),
        "releases": sorted((r.tag_name, r.draft) for r in fake.releases.values()),
        "prs": len(fake.pulls),
        "comments": len(fake.comments(pr_number)),
        "labels": sorted(fake.pulls[pr_number].labels),
    }


CLEAN = {
    "tags": ["v1.0.0", "v1.1.0"],
    "releases": [("v1.1.0", False)],
    "prs": 1,
    "comments": 1,
    "labels": ["releaser: released"],
}


@pytest.mark.parametrize(
    "method, path, fault",
    [
        ("GET", r"/pulls$", "502"),
        ("GET", r"/releases$", "429"),
        ("POST", r"/git/trees$", "secondary_rate_limit"),
        ("POST", r"/pulls$", "drop_after"),
        ("POST", r"/pulls$", "drop_before"),
        ("POST", r"/git/refs$", "drop_after"),
        ("POST", r"/releases$", "drop_after"),
        ("POST", r"/releases$", "502"),
        ("PATCH", r"/releases/\d+$", "drop_before"),
        ("POST", r"/issues/\d+/comments$", "drop_after"),
        ("POST", r"/git/commits$", "429"),
    ],
    ids=lambda v: v.replace("\\", "").replace("$", "").replace("/", "_").strip("_"),
)
def test_fault_ends_in_the_clean_state(fakegithub, action, method, path, fault):
    seed(fakegithub)
    fakegithub.inject(method, path, fault)
    pr, merge_sha = full_cycle(fakegithub, action)
    assert final_state(fakegithub, pr.number) == CLEAN
    assert fakegithub.tags()["v1.1.0"] == merge_sha


def test_primary_rate_limit_ends_with_reset_time(fakegithub, action):
    seed(fakegithub)
    fakegithub.inject("GET", r"/pulls$", "primary_rate_limit", times=50)
    result = action.run("push")
    assert result.code != 0
    assert "rate limit" in result.stdout and "resets at" in result.stdout
    assert "Traceback" not in result.stderr


def test_rerun_of_publish_is_a_noop(fakegithub, action):
    seed(fakegithub)
    pr, _ = full_cycle(fakegithub, action)
    fakegithub.reset_requests()
    again = action.run("pull_request.closed", event=action.merged_event(pr.number))
    assert again.code == 0, again.stdout
    assert [c for c in fakegithub.reset_requests() if c.method != "GET"] == []
    assert final_state(fakegithub, pr.number) == CLEAN


def test_draft_left_behind_is_finished(fakegithub, action):
    seed(fakegithub)
    action.run("push")
    (pr,) = open_release_prs(fakegithub)
    fakegithub.merge_pull(pr.number)
    fakegithub.inject("PATCH", r"/releases/\d+$", "502", times=10)
    event = action.merged_event(pr.number)
    failed = action.run("pull_request.closed", event=event)
    assert failed.code != 0 and "::error" in failed.stdout
    assert [(r.tag_name, r.draft) for r in fakegithub.releases.values()] == [("v1.1.0", True)]
    while fakegithub.faults.pending():
        fakegithub.faults.take("PATCH", "/repos/acme/widgets/releases/1")
    done = action.run("pull_request.closed", event=event)
    assert done.code == 0, done.stdout
    assert final_state(fakegithub, pr.number) == CLEAN


def test_tag_at_another_commit_is_refused(fakegithub, action):
    seed(fakegithub)
    action.run("push")
    (pr,) = open_release_prs(fakegithub)
    fakegithub.tag("v1.1.0", "refs/heads/main")
    fakegithub.merge_pull(pr.number)
    result = action.run("pull_request.closed", event=action.merged_event(pr.number))
    assert result.code == 3
    assert "::error::tag v1.1.0 already exists at" in result.stdout
    assert fakegithub.releases == {}


@pytest.mark.parametrize("event", ["pull_request.closed", "push"])
@pytest.mark.parametrize(
    ("old", "new", "why"),
    [
        ('"releases":[', '"releases":"nonsense",[', "not valid JSON"),
        ('"target":"main"', '"target":"nonsense"', "targets 'nonsense'"),
        ('"component":""', '"component":"ghost"', "component 'ghost'"),
        ("v1.1.0", "release-1.1.0", "does not match the config"),  # marker and notes blocks
    ],
    ids=["garbled", "target", "component", "tag"],
)
def test_hand_edited_marker_is_refused(fakegithub, action, event, old, new, why):
    fake = fakegithub
    seed(fake)
    action.run("push")
    (pr,) = open_release_prs(fake)
    assert old in pr.body
    fake.pulls[pr.number].body = pr.body.replace(old, new)  # every occurrence
    fake.merge_pull(pr.number)
    kwargs = {"event": action.merged_event(pr.number)} if event != "push" else {}
    result = action.run(event, **kwargs)
    assert result.code == 3, result.stdout
    assert f"release PR #{pr.number} cannot be published" in result.stdout and why in result.stdout
    assert "v1.1.0" not in fake.tags() and fake.releases == {}
    assert open_release_prs(fake) == []  # and the same release is not proposed again


def test_an_unreadable_marker_on_a_tagged_merge_is_let_be(fakegithub, action):
    """A maintainer who released by hand (tagged the merge) is not blocked forever."""
    fake = fakegithub
    seed(fake)
    action.run("push")
    (pr,) = open_release_prs(fake)
    fake.pulls[pr.number].body = "released by hand"
    merge = fake.merge_pull(pr.number)
    fake.tag("v1.1.0", merge)
    result = action.run("push")
    assert result.code == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "setup, message",
    [
        ("missing-event", "does not exist"),
        ("corrupt-event", "is not valid JSON"),
        ("unknown-command", "unknown command 'deploy'"),
        ("no-token", "no token"),
        ("bad-config", "unknown key 'titel'"),
    ],
)
def test_bad_input_is_one_clear_error(fakegithub, action, tmp_path, setup, message):
    seed(fakegithub)
    kwargs: dict = {}
    if setup == "missing-event":
        kwargs["event_path"] = str(tmp_path / "nope.json")
    elif setup == "corrupt-event":
        bad = tmp_path / "bad.json"
        bad.write_text("{not json")
        kwargs["event_path"] = str(bad)
    elif setup == "unknown-command":
        kwargs["inputs"] = {"command": "deploy"}
    elif setup == "no-token":
        kwargs["extra_env"] = {"INPUT_TOKEN": ""}
    elif setup == "bad-config":
        fakegithub.commit("main", "chore: cfg", {".github/releaser.yml": "\n\ntitel: x\n"})
    fakegithub.reset_requests()
    result = action.run("push", **kwargs)
    assert result.code != 0
    errors = [line for line in result.stdout.splitlines() if line.startswith("::error")]
    assert len(errors) == 1 and message in errors[0], result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert [c for c in fakegithub.reset_requests() if c.method != "GET"] == []
    if setup == "bad-config":
        assert "file=.github/releaser.yml,line=3" in errors[0]


def test_token_is_masked_and_never_printed(fakegithub, action):
    seed(fakegithub)
    result = action.run("push")
    token = fakegithub.token
    assert f"::add-mask::{token}" in result.stdout
    rest = result.stdout.replace(f"::add-mask::{token}", "")
    assert token not in rest + result.stderr + result.summary + json.dumps(result.outputs)


def test_a_target_branch_that_does_not_exist_writes_nothing(fakegithub, action):
    seed(fakegithub)
    fakegithub.reset_requests()
    result = action.run("push", inputs={"target-branch": "nosuch"})
    assert result.code == 2
    assert "::error::target-branch 'nosuch' is not a branch of acme/widgets" in result.stdout
    assert "Failed: target-branch 'nosuch' is not a branch" in result.summary
    assert [c for c in fakegithub.reset_requests() if c.method != "GET"] == []


def test_a_repository_that_does_not_exist_is_one_clear_line(fakegithub, action):
    seed(fakegithub)
    result = action.run("push", extra_env={"GITHUB_REPOSITORY": "acme/nope"})
    assert result.code != 0
    errors = [line for line in result.stdout.splitlines() if line.startswith("::error")]
    assert len(errors) == 1 and "404" in errors[0], result.stdout
    assert "Traceback" not in result.stderr
