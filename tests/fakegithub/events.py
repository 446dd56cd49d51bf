"""Real webhook payloads (vendored from @octokit/webhooks-examples), adjusted for one test."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

EVENTS = Path(__file__).parent / "events"
KINDS = ("push", "pull_request.closed", "workflow_dispatch", "schedule")


def _load(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / f"{name}.json").read_text(encoding="utf-8"))


def _set_repo(event: dict[str, Any], full_name: str, default_branch: str | None) -> None:
    owner, name = full_name.split("/", 1)
    old = event["repository"]["full_name"]
    for repo in _repos(event):
        repo["full_name"], repo["name"] = full_name, name
        repo["owner"]["login"] = owner
        if default_branch:
            repo["default_branch"] = default_branch
        for key, value in list(repo.items()):
            if isinstance(value, str) and old in value:
                repo[key] = value.replace(old, full_name)


def _repos(event: dict[str, Any]) -> list[dict[str, Any]]:
    out = [event["repository"]]
    pr = event.get("pull_request")
    if pr:
        out += [pr["head"]["repo"], pr["base"]["repo"]]
    return [r for r in out if r]


def make_event(kind: str, **adjust: Any) -> dict[str, Any]:
    """A deep copy of the real example for `kind` with fields adjusted.

    Common: repo="o/r", default_branch, sender="login".
    push: ref, before, after (head_commit.id follows), commits=[...] (replaces the list).
    pull_request.closed: number, merged, merge_commit_sha, head_ref, head_sha, base_ref, title,
    body, labels=[names], user={login, type, ...} (the author), author_association,
    head_repo={repository object} (the head branch's repository; None for a deleted fork).
    workflow_dispatch: ref, inputs={...}.  schedule: ref, cron.
    """
    if kind not in KINDS:
        raise KeyError(f"unknown event kind {kind!r}; known: {KINDS}")
    if kind == "schedule":
        # The examples package has no schedule payload; GitHub sends the repository, the sender's
        # fields are absent, and `schedule` carries the cron string.
        event = _load("workflow_dispatch")
        for key in ("inputs", "workflow", "sender"):
            event.pop(key, None)
        event["schedule"] = adjust.pop("cron", "0 6 * * 1")
    else:
        event = copy.deepcopy(_load(kind))
    if "repo" in adjust or "default_branch" in adjust:
        _set_repo(
            event,
            adjust.pop("repo", event["repository"]["full_name"]),
            adjust.pop("default_branch", None),
        )
    if "sender" in adjust and "sender" in event:
        event["sender"]["login"] = adjust.pop("sender")
    if kind == "push":
        _push(event, adjust)
    elif kind == "pull_request.closed":
        _pull(event, adjust)
    else:
        if "ref" in adjust:
            event["ref"] = adjust.pop("ref")
        if "inputs" in adjust:
            event["inputs"] = adjust.pop("inputs")
    if adjust:
        raise TypeError(f"make_event({kind!r}) got unknown adjustments: {sorted(adjust)}")
    return event


def _push(event: dict[str, Any], adjust: dict[str, Any]) -> None:
    for key in ("ref", "before", "after", "commits", "forced", "created", "deleted"):
        if key in adjust:
            event[key] = adjust.pop(key)
    if event.get("head_commit") is not None:
        event["head_commit"]["id"] = event["after"]
    if "commits" in event and event["commits"]:
        event["head_commit"] = event["commits"][-1] | {"id": event["after"]}


def _pull(event: dict[str, Any], adjust: dict[str, Any]) -> None:
    pr = event["pull_request"]
    if "number" in adjust:
        event["number"] = pr["number"] = adjust.pop("number")
    if "merged" in adjust:
        pr["merged"] = adjust.pop("merged")
        if pr["merged"] and not pr.get("merged_at"):
            pr["merged_at"] = pr.get("closed_at") or "2024-01-01T00:00:00Z"
    if "merge_commit_sha" in adjust:
        pr["merge_commit_sha"] = adjust.pop("merge_commit_sha")
    for side in ("head", "base"):
        if f"{side}_ref" in adjust:
            ref = adjust.pop(f"{side}_ref")
            pr[side]["ref"] = ref
            pr[side]["label"] = f"{pr[side]['label'].split(':')[0]}:{ref}"
        if f"{side}_sha" in adjust:
            pr[side]["sha"] = adjust.pop(f"{side}_sha")
    for key in ("title", "body"):
        if key in adjust:
            pr[key] = adjust.pop(key)
    if "user" in adjust:
        pr["user"] = adjust.pop("user")
    if "author_association" in adjust:
        pr["author_association"] = adjust.pop("author_association")
    if "head_repo" in adjust:
        pr["head"]["repo"] = adjust.pop("head_repo")
        owner = (pr["head"]["repo"] or {}).get("owner") or pr["head"]["user"]
        pr["head"]["user"] = owner
        pr["head"]["label"] = f"{owner['login']}:{pr['head']['ref']}"
    if "labels" in adjust:
        pr["labels"] = [
            {"name": n, "color": "ededed", "default": False, "description": None}
            for n in adjust.pop("labels")
        ]
