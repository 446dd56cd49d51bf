"""A failing policy is told: a warning and a summary section, or a refusal before any write."""

from __future__ import annotations

import pytest

from tests.action_util import ActionRunner
from tests.test_action_e2e import open_release_prs
from tests.test_action_evidence import _pr


@pytest.fixture
def action(fakegithub, tmp_path):
    return ActionRunner(fakegithub, tmp_path)


def _merged_release_pr(fake, action, config: str = "") -> tuple[int, int, str]:
    """(the unreviewed feature PR, the merged release PR, its merge sha)."""
    files = {"README.md": "hi\n"}
    if config:
        files[".github/releaser.yml"] = config
    fake.commit("main", "chore: init", files)
    fake.tag("v1.0.0")
    unreviewed = _pr(fake, "feat-a", "feat: a", "src/a.py")
    fake.merge_pull(unreviewed)
    assert action.run("push").code == 0
    (release_pr,) = open_release_prs(fake)
    fake.add_review(release_pr.number, "maintainer", "APPROVED")
    sha = fake.merge_pull(release_pr.number)
    return unreviewed, release_pr.number, sha


def _assert_nothing_written(fake, calls, number: int) -> None:
    writes = [(c.method, c.path) for c in calls if c.method != "GET"]
    assert writes == [], writes
    assert "v1.1.0" not in fake.tags() and fake.release_by_tag("v1.1.0") is None
    assert not any("releaser:published" in body for body in fake.comments(number))


def test_an_unreviewed_pr_is_published_with_a_warning_and_a_summary_section(fakegithub, action):
    fake = fakegithub
    unreviewed, number, _ = _merged_release_pr(fake, action)
    result = action.run("pull_request.closed", event=action.merged_event(number))
    assert result.code == 0, result.stdout + result.stderr
    assert fake.release_by_tag("v1.1.0") is not None
    warnings = [
        line for line in result.stdout.splitlines() if "policy second-person-review" in line
    ]
    assert warnings == [
        f"::warning::policy second-person-review: v1.1.0: PR #{unreviewed}: not reviewed"
    ]
    assert "### Policies" in result.summary
    assert f"- second-person-review: `v1.1.0` PR #{unreviewed}: not reviewed" in result.summary


def test_second_person_review_fail_refuses_before_any_write(fakegithub, action):
    fake = fakegithub
    config = "policies:\n  second-person-review: fail\n"
    unreviewed, number, _ = _merged_release_pr(fake, action, config)
    fake.reset_requests()
    result = action.run("pull_request.closed", event=action.merged_event(number))
    assert result.code != 0
    errors = [line for line in result.stdout.splitlines() if line.startswith("::error")]
    assert len(errors) == 1, result.stdout
    assert f"PR #{unreviewed} (not reviewed)" in errors[0]
    assert "second-person-review" in errors[0]
    _assert_nothing_written(fake, fake.reset_requests(), number)


def test_a_failed_required_check_refuses_naming_the_check(fakegithub, action):
    fake = fakegithub
    config = "required-checks: [build, lint]\npolicies:\n  required-checks: fail\n"
    _, number, sha = _merged_release_pr(fake, action, config)
    fake.add_check_run(sha, "build", conclusion="failure")
    fake.add_check_run(sha, "lint")
    fake.reset_requests()
    result = action.run("pull_request.closed", event=action.merged_event(number))
    assert result.code != 0
    (error,) = [line for line in result.stdout.splitlines() if line.startswith("::error")]
    assert "policy required-checks failed" in error and "check build (failed)" in error
    assert "lint" not in error
    _assert_nothing_written(fake, fake.reset_requests(), number)
