"""The check run adapter: look first, then create, update, or write nothing."""

from __future__ import annotations

import pytest

from releaser.github import GitHub

NAME = "releaser/model-gates"


@pytest.fixture
def gh(fakegithub):
    fakegithub.commit("main", "chore: init", {"README.md": "x\n"})
    return GitHub(fakegithub.token, fakegithub.api_url, fakegithub.full_name, write_interval=0)


def _ours(fake, sha):
    return [c for c in fake.state.check_runs if c.head_sha == sha and c.name == NAME]


def _writes(fake) -> list[tuple[str, str]]:
    return [(c.method, c.path) for c in fake.calls if c.method != "GET"]


def test_the_first_run_creates_the_check_run(fakegithub, gh):
    sha = fakegithub.ref_sha("refs/heads/main")
    assert gh.upsert_check_run(NAME, sha, "failure", "1 of 2 gates passed", "| t |") == "created"
    (run,) = _ours(fakegithub, sha)
    assert (run.status, run.conclusion, run.title, run.summary) == (
        "completed",
        "failure",
        "1 of 2 gates passed",
        "| t |",
    )
    assert run.completed_at is not None


def test_a_rerun_with_the_same_result_writes_nothing(fakegithub, gh):
    sha = fakegithub.ref_sha("refs/heads/main")
    gh.upsert_check_run(NAME, sha, "success", "2 of 2 gates passed", "table")
    fakegithub.reset_requests()
    assert gh.upsert_check_run(NAME, sha, "success", "2 of 2 gates passed", "table") == "unchanged"
    assert _writes(fakegithub) == []
    assert fakegithub.count("GET", r"/commits/[0-9a-f]+/check-runs$") == 1


def test_a_changed_result_updates_the_run_in_place(fakegithub, gh):
    sha = fakegithub.ref_sha("refs/heads/main")
    gh.upsert_check_run(NAME, sha, "success", "2 of 2 gates passed", "table")
    (before,) = _ours(fakegithub, sha)
    fakegithub.reset_requests()
    assert gh.upsert_check_run(NAME, sha, "failure", "1 of 2 gates passed", "new") == "updated"
    assert [m for m, _ in _writes(fakegithub)] == ["PATCH"]
    (after,) = _ours(fakegithub, sha)
    assert after.id == before.id
    assert (after.conclusion, after.title, after.summary) == (
        "failure",
        "1 of 2 gates passed",
        "new",
    )


def test_a_run_of_that_name_by_someone_else_is_left_alone(fakegithub, gh):
    sha = fakegithub.ref_sha("refs/heads/main")
    other = fakegithub.add_check_run(sha, NAME, conclusion="success", app="other-ci")
    assert gh.upsert_check_run(NAME, sha, "failure", "0 of 1 gates passed", "t") == "created"
    assert other.conclusion == "success"
    assert len(_ours(fakegithub, sha)) == 2


def test_a_foreign_run_posing_as_ours_is_not_taken_for_ours(fakegithub, gh):
    """Another App may set our external_id; GitHub refuses us its run, so ours is created."""
    sha = fakegithub.ref_sha("refs/heads/main")
    other = fakegithub.add_check_run(sha, NAME, conclusion="success", app="other-ci")
    other.external_id = "releaser/model-gates"
    assert gh.upsert_check_run(NAME, sha, "failure", "0 of 1 gates passed", "t") == "created"
    assert other.conclusion == "success"
    assert [r.conclusion for r in _ours(fakegithub, sha)] == ["success", "failure"]
    # GitHub answers 403 here, a status its description does not list for this operation.
    assert [v for v in fakegithub.take_violations() if "status 403" not in v] == []


def test_the_fake_reads_and_updates_one_check_run(fakegithub):
    fakegithub.commit("main", "chore: init", {"README.md": "x\n"})
    sha = fakegithub.ref_sha("refs/heads/main")
    repo = fakegithub.client().get_repo(fakegithub.full_name)
    run = repo.create_check_run(NAME, sha, status="in_progress")
    assert repo.get_check_run(run.id).status == "in_progress"
    run.edit(conclusion="success", output={"title": "t", "summary": "s"})
    again = repo.get_check_run(run.id)
    assert (again.status, again.conclusion, again.output.summary) == ("completed", "success", "s")


@pytest.mark.parametrize("command", ["release-pr", "auto"])
def test_a_token_minted_for_the_release_pr_may_write_the_check_run(fakegithub, gh, command):
    from releaser.github.permissions import permissions_for
    from tests.fakegithub.scopes import Scope

    token = f"ghs_{command}_token"
    fakegithub.add_token(token, "releaser[bot]")
    fakegithub.state.scopes[token] = Scope((fakegithub.repo,), permissions_for(command))
    narrowed = GitHub(token, fakegithub.api_url, fakegithub.full_name, write_interval=0)
    sha = fakegithub.ref_sha("refs/heads/main")
    assert narrowed.upsert_check_run(NAME, sha, "success", "1 of 1 gates passed", "t") == "created"


def test_a_token_without_checks_write_is_told_what_to_grant(fakegithub, gh):
    from releaser.errors import GitHubError
    from tests.fakegithub.scopes import Scope

    token = "ghs_checks_read"
    fakegithub.add_token(token, "releaser[bot]")
    fakegithub.state.scopes[token] = Scope(None, {"contents": "write", "checks": "read"})
    narrowed = GitHub(token, fakegithub.api_url, fakegithub.full_name, write_interval=0)
    sha = fakegithub.ref_sha("refs/heads/main")
    with pytest.raises(GitHubError, match=r"grant the token `checks: write`") as caught:
        narrowed.upsert_check_run(NAME, sha, "success", "1 of 1 gates passed", "t")
    assert "releaser/model-gates" in str(caught.value) and "403" in str(caught.value)
    assert _ours(fakegithub, sha) == []
