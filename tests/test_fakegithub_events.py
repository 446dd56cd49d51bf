"""make_event: vendored webhook examples adjusted per test."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fakegithub import make_event

EVENTS = Path(__file__).parent / "fakegithub" / "events"


def test_push_event_adjusted():
    e = make_event(
        "push",
        repo="acme/widgets",
        ref="refs/heads/main",
        before="a" * 40,
        after="b" * 40,
        default_branch="main",
    )
    assert e["repository"]["full_name"] == "acme/widgets"
    assert e["repository"]["owner"]["login"] == "acme"
    assert "Codertocat/Hello-World" not in e["repository"]["html_url"]
    assert (e["ref"], e["after"], e["head_commit"]["id"]) == ("refs/heads/main", "b" * 40, "b" * 40)
    assert e["repository"]["default_branch"] == "main"


def test_pull_request_closed_merged():
    e = make_event(
        "pull_request.closed",
        repo="acme/widgets",
        number=7,
        merged=True,
        head_ref="releaser/main",
        merge_commit_sha="c" * 40,
        labels=["autorelease"],
    )
    pr = e["pull_request"]
    assert (e["action"], e["number"], pr["number"], pr["merged"]) == ("closed", 7, 7, True)
    assert pr["head"]["ref"] == "releaser/main" and pr["merged_at"]
    assert pr["base"]["repo"]["full_name"] == "acme/widgets"
    assert [lb["name"] for lb in pr["labels"]] == ["autorelease"]


def test_workflow_dispatch_and_schedule():
    e = make_event("workflow_dispatch", ref="refs/heads/main", inputs={"dry-run": "true"})
    assert e["inputs"] == {"dry-run": "true"} and e["ref"] == "refs/heads/main"
    s = make_event("schedule", cron="0 0 * * *", repo="acme/widgets")
    assert s["schedule"] == "0 0 * * *" and "inputs" not in s


def test_examples_are_copies_and_unknown_inputs_fail():
    make_event("push", ref="refs/heads/x")
    assert make_event("push")["ref"] != "refs/heads/x"
    with pytest.raises(TypeError):
        make_event("push", nope=1)
    with pytest.raises(KeyError):
        make_event("release")
    source = json.loads((EVENTS / "SOURCE.json").read_text())
    assert source["package"] == "@octokit/webhooks-examples"
