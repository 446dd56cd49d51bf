"""Release evidence end to end: reviews, checks and JUnit in the fake GitHub, then verify."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from releaser.errors import VerificationError
from releaser.evidence.verify import verify
from tests.action_util import ROOT, ActionRunner
from tests.test_action_e2e import open_release_prs

JUNIT = """<?xml version="1.0" encoding="UTF-8"?>
<testsuites tests="3" failures="0" errors="0" skipped="1" time="1.5">
  <testsuite name="unit" tests="3" failures="0" errors="0" skipped="1" time="1.5">
    <testcase classname="tests.test_a" name="test_one" time="0.5"/>
    <testcase classname="tests.test_a" name="test_two" time="1.0"/>
    <testcase classname="tests.test_a" name="test_three"><skipped/></testcase>
  </testsuite>
</testsuites>
"""
XXE = """<?xml version="1.0"?>
<!DOCTYPE t [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<testsuite name="evil" tests="1"><testcase name="&x;"/></testsuite>
"""
INPUTS = {"test-results": "reports/*.xml", "artifacts": "dist/*"}


@pytest.fixture
def action(fakegithub, tmp_path):
    return ActionRunner(fakegithub, tmp_path)


def _pr(fake, branch: str, message: str, path: str, author: str = "alice") -> int:
    fake.branch(branch)
    fake.commit(branch, message, {path: f"{branch}\n"})
    return fake.create_pull(branch, "main", message, user=author).number


def build_history(fake) -> dict[str, int]:
    """v1.0.0, then: an approved squash PR, a PR whose approval went stale, a self-approved
    merge-commit PR, a PR nobody reviewed, and one direct push."""
    fake.commit("main", "chore: init", {"README.md": "hi\n"})
    fake.tag("v1.0.0")
    approved = _pr(fake, "feat-a", "feat(api): add widgets", "src/a.py")
    fake.add_review(approved, "bob", "COMMENTED")
    fake.add_review(approved, "bob", "APPROVED")
    fake.merge_pull(approved, method="squash")
    stale = _pr(fake, "fix-b", "fix: handle empty input", "src/b.py")
    fake.add_review(stale, "bob", "APPROVED")
    fake.commit("fix-b", "fix: and the other case", {"src/b2.py": "x\n"})
    fake.merge_pull(stale, method="squash")
    merged = _pr(fake, "perf-c", "perf: cache lookups", "src/c.py", author="carol")
    fake.commit("perf-c", "perf: cache more", {"src/c2.py": "x\n"})
    fake.add_review(merged, "carol", "APPROVED")
    fake.merge_pull(merged, method="merge")
    unreviewed = _pr(fake, "refactor-d", "refactor: tidy", "src/d.py")
    fake.merge_pull(unreviewed, method="squash")
    fake.commit("main", "docs: typo", {"README.md": "hello\n"})
    return {"approved": approved, "stale": stale, "merged": merged, "unreviewed": unreviewed}


def _workspace_files(workspace: Path, evil: bool = True) -> None:
    (workspace / "reports").mkdir()
    (workspace / "reports" / "unit.xml").write_text(JUNIT)
    if evil:
        (workspace / "reports" / "evil.xml").write_text(XXE)
    (workspace / "dist").mkdir()
    (workspace / "dist" / "app-1.1.0.tar.gz").write_bytes(b"\x1f\x8b not really a tarball\n")


def _download(fake, tag: str, into: Path) -> Path:
    into.mkdir()
    release = fake.release_by_tag(tag)
    for asset in release.assets:
        (into / asset.name).write_bytes(asset.data)
    (into / "release-notes.md").write_text(release.body)
    return into


def publish_with_evidence(fake, action, tmp_path):
    prs = build_history(fake)
    first = action.run("push")
    assert first.code == 0, first.stdout + first.stderr
    (release_pr,) = open_release_prs(fake)
    fake.add_review(release_pr.number, "maintainer", "APPROVED")
    sha = fake.merge_pull(release_pr.number)
    fake.add_check_run(sha, "build")
    fake.add_check_run(sha, "lint", "in_progress", None)
    own = fake.add_check_run(sha, "release", "in_progress", None)
    own.details_url = f"{fake.api_url.rsplit('/api/', 1)[0]}/o/r/actions/runs/4242/job/1"
    fake.add_status(sha, "success", "ci/legacy")
    action.clone()
    _workspace_files(action.workspace)
    event = action.merged_event(release_pr.number)
    published = action.run("pull_request.closed", event=event, inputs=INPUTS, clone=False)
    assert published.code == 0, published.stdout + published.stderr
    return prs, release_pr.number, sha, published


def test_publish_attaches_evidence_that_verifies(fakegithub, action, tmp_path):
    fake = fakegithub
    prs, release_pr, sha, published = publish_with_evidence(fake, action, tmp_path)
    names = sorted(a.name for a in fake.release_by_tag("v1.1.0").assets)
    assert names == sorted(
        [
            "app-1.1.0.tar.gz",
            "widgets-1.1.0.cdx.json",
            "release-evidence.json",
            "release-evidence.md",
            "widgets-1.1.0.intoto.jsonl",
            "SHA256SUMS",
        ]
    ), names
    url = published.outputs["evidence_url"]
    assert url.endswith("/releases/download/v1.1.0/release-evidence.json")
    assert f"[evidence]({url})" in published.summary
    assert "evidence: reports/evil.xml: refused unsafe XML" in published.stdout

    folder = _download(fake, "v1.1.0", tmp_path / "download")
    doc = json.loads((folder / "release-evidence.json").read_bytes())
    assert doc["source"]["commit"] == sha and doc["source"]["previous"]["tag"] == "v1.0.0"
    by_number = {p["number"]: p for p in doc["changes"]["pull_requests"]}
    assert sorted(by_number) == sorted([*prs.values(), release_pr])
    assert by_number[prs["approved"]]["approval_covers_head"] is True
    assert by_number[prs["stale"]]["approval_covers_head"] is False
    assert by_number[prs["merged"]]["approval_covers_head"] is False  # the author approved
    assert by_number[prs["unreviewed"]]["reviews"] == []
    assert by_number[prs["unreviewed"]]["approval_covers_head"] is False
    assert by_number[release_pr]["approval_covers_head"] is True
    assert by_number[prs["approved"]]["merged_by"] == "maintainer"
    direct = doc["changes"]["direct_pushes"]
    assert [c["subject"] for c in doc["source"]["commits"] if c["sha"] in direct] == ["docs: typo"]
    # The merge-commit PR brought two branch commits: they are its, not direct pushes.
    assert len(doc["source"]["commits"]) == 8
    checks = {c["name"]: c for c in doc["checks"]["results"]}
    assert set(checks) == {"build", "lint", "ci/legacy"}  # "release" is this very run
    policies = {p["name"]: p for p in doc["policies"]}
    assert policies["required-checks-passed"]["status"] == "pending"
    assert policies["second-person-review"]["status"] == "fail"
    assert set(policies["second-person-review"]["offending"]) == {
        f"#{prs['stale']}",
        f"#{prs['merged']}",
        f"#{prs['unreviewed']}",
        *direct,
    }
    (unit,) = doc["tests"]["summaries"]
    assert (unit["file"], unit["tests"], unit["skipped"]) == ("reports/unit.xml", 3, 1)
    assert doc["tests"]["result"] == "WARNED"  # a rejected file: no clean pass is claimed
    assert [r["item"] for r in doc["tests"]["rejected"]] == ["reports/evil.xml"]
    body = (folder / "release-notes.md").read_text()
    assert "### Release evidence" in body and "add widgets" in body

    clone = tmp_path / "auditor-clone"
    subprocess.run(["git", "clone", "-q", str(fake.bare_path), str(clone)], check=True)
    cli = subprocess.run(
        [sys.executable, "-m", "releaser", "verify", str(folder), "--repo", str(clone)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert cli.returncode == 0, cli.stdout + cli.stderr
    assert cli.stdout.startswith("verified: v1.1.0 " + sha[:12]), cli.stdout
    assert f"  - git ({clone}): tags v1.1.0 and v1.0.0" in cli.stdout, cli.stdout
    assert "warning: immutable releases were off" in cli.stdout, cli.stdout

    for path in sorted(folder.iterdir()):
        original = path.read_bytes()
        for offset in sorted({0, len(original) // 2, len(original) - 1}):
            tampered = bytearray(original)
            tampered[offset] ^= 0x01
            path.write_bytes(bytes(tampered))
            with pytest.raises(VerificationError):
                verify([folder], clone)
        path.write_bytes(original)
    assert verify([folder], clone).startswith("verified:")

    fake.reset_requests()  # the same event delivered again: nothing to write, same outputs
    event = action.merged_event(release_pr)
    again = action.run("pull_request.closed", event=event, inputs=INPUTS, clone=False)
    assert again.code == 0, again.stdout + again.stderr
    assert [c for c in fake.reset_requests() if c.method != "GET"] == []
    assert again.outputs["evidence_url"] == url and again.outputs["tag_name"] == "v1.1.0"


def test_rerun_after_a_failed_publish_uploads_nothing_twice(fakegithub, action, tmp_path):
    fake = fakegithub
    build_history(fake)
    assert action.run("push").code == 0
    (release_pr,) = open_release_prs(fake)
    fake.merge_pull(release_pr.number)
    action.clone()
    _workspace_files(action.workspace, evil=False)
    event = action.merged_event(release_pr.number)
    fake.inject("PATCH", r"/releases/\d+$", "502", times=20)  # publishing keeps failing
    failed = action.run("pull_request.closed", event=event, inputs=INPUTS, clone=False)
    assert failed.code != 0
    draft = fake.release_by_tag("v1.1.0")
    assert draft.draft and len(draft.assets) == 6
    before = {a.name: a.data for a in draft.assets}
    assert fake.faults.clear() > 0  # the outage is over
    fake.reset_requests()
    again = action.run("pull_request.closed", event=event, inputs=INPUTS, clone=False)
    assert again.code == 0, again.stdout + again.stderr
    calls = fake.reset_requests()
    assert [c for c in calls if c.method == "POST" and c.path.endswith("/assets")] == []
    release = fake.release_by_tag("v1.1.0")
    assert not release.draft and {a.name: a.data for a in release.assets} == before


def test_missing_evidence_is_an_error_when_asked(fakegithub, action):
    fake = fakegithub
    build_history(fake)
    assert action.run("push").code == 0
    (release_pr,) = open_release_prs(fake)
    fake.merge_pull(release_pr.number)
    inputs = {**INPUTS, "fail-on-missing-evidence": "true"}
    event = action.merged_event(release_pr.number)
    failed = action.run("pull_request.closed", event=event, inputs=inputs)
    assert failed.code != 0
    assert "::error::evidence path 'reports/*.xml' matched no file" in failed.stdout
    # Refused before anything became public: no tag, no draft.
    assert "v1.1.0" not in fake.tags() and fake.release_by_tag("v1.1.0") is None
    lenient = action.run("pull_request.closed", event=event, inputs=INPUTS)
    assert lenient.code == 0, lenient.stdout + lenient.stderr
    assert "::warning::evidence: reports/*.xml: matched no file" in lenient.stdout
    doc = json.loads(
        next(
            a.data
            for a in fake.release_by_tag("v1.1.0").assets
            if a.name == "release-evidence.json"
        )
    )
    assert {"item": "reports/*.xml", "reason": "matched no file"} in doc["warnings"]


def test_a_flag_that_is_not_a_boolean_is_refused(fakegithub, action):
    build_history(fakegithub)
    result = action.run("push", inputs={"fail-on-missing-evidence": "maybe"})
    assert result.code != 0
    assert "::error::input fail-on-missing-evidence must be true or false, not 'maybe'" in (
        result.stdout
    )
    assert open_release_prs(fakegithub) == []


def test_a_token_that_may_not_read_checks_still_publishes(fakegithub, action):
    """A job without checks: read / statuses: read (a private repo): recorded, not fatal."""
    fake = fakegithub
    build_history(fake)
    assert action.run("push").code == 0
    (release_pr,) = open_release_prs(fake)
    sha = fake.merge_pull(release_pr.number)
    fake.add_check_run(sha, "build")
    fake.inject("GET", r"/check-runs$", "forbidden", times=5)
    fake.inject("GET", r"/commits/[0-9a-f]+/statuses$", "forbidden", times=5)
    event = action.merged_event(release_pr.number)
    result = action.run("pull_request.closed", event=event)
    assert result.code == 0, result.stdout + result.stderr
    assert "::warning::evidence: cannot read check runs (HTTP 403; grant `checks: read`)" in (
        result.stdout
    )
    release = fake.release_by_tag("v1.1.0")
    assert release is not None and not release.draft
    doc = json.loads(next(a.data for a in release.assets if a.name == "release-evidence.json"))
    assert doc["checks"]["results"] == []
    skipped = {n["item"] for n in doc["skipped"]}
    assert {
        "check runs (HTTP 403; grant `checks: read`)",
        "commit statuses (HTTP 403; grant `statuses: read`)",
    } <= skipped
    policy = next(p for p in doc["policies"] if p["name"] == "required-checks-passed")
    assert policy["status"] == "fail"  # never an assumed pass


@pytest.mark.parametrize("bad", ["xxe", "oversize"])
def test_strict_mode_refuses_rejected_evidence_files_before_publishing(fakegithub, action, bad):
    fake = fakegithub
    build_history(fake)
    assert action.run("push").code == 0
    (release_pr,) = open_release_prs(fake)
    fake.merge_pull(release_pr.number)
    action.clone()
    _workspace_files(action.workspace, evil=bad == "xxe")
    if bad == "oversize":
        (action.workspace / "reports" / "big.xml").write_bytes(b"<testsuite>" + b" " * (21 << 20))
    inputs = {**INPUTS, "fail-on-missing-evidence": "true"}
    event = action.merged_event(release_pr.number)
    failed = action.run("pull_request.closed", event=event, inputs=inputs, clone=False)
    assert failed.code != 0
    errors = [line for line in failed.stdout.splitlines() if line.startswith("::error")]
    assert len(errors) == 1 and "evidence: reports/" in errors[0], failed.stdout
    assert "v1.1.0" not in fake.tags() and not fake.releases
