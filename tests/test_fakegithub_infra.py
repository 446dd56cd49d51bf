"""The fake's cross-cutting behaviour: auth, App tokens, faults, spec violations, accounting."""

from __future__ import annotations

import time

import pytest
import requests
from github import Auth, BadCredentialsException, Github, GithubException, GithubRetry


@pytest.fixture
def repo(fakegithub):
    fakegithub.commit("main", "chore: initial", {"README.md": "hello\n"})
    return fakegithub.client().get_repo("acme/widgets")


def fast_retry() -> GithubRetry:
    return GithubRetry(total=3, backoff_factor=0, secondary_rate_wait=1, max_rate_limit_wait=5)


def test_bad_token_is_401_like_github(fakegithub):
    g = fakegithub.client(token="wrong")
    with pytest.raises(BadCredentialsException) as exc:
        g.get_repo("acme/widgets")
    assert exc.value.status == 401 and exc.value.data["message"] == "Bad credentials"
    r = requests.get(f"{fakegithub.api_url}/repos/acme/widgets", timeout=5)
    assert r.status_code == 401
    assert fakegithub.requests[-1] == ("GET", "/repos/acme/widgets", 401)


def test_app_jwt_mints_installation_token_the_server_accepts(fakegithub, repo):
    app_auth = fakegithub.app_auth()
    installation = app_auth.get_installation_auth(fakegithub.app.installation_id)
    g = Github(
        base_url=fakegithub.api_url,
        auth=installation,
        seconds_between_requests=0,
        seconds_between_writes=0,
    )
    pr_repo = g.get_repo("acme/widgets")
    pr_repo.create_label("bot-made", "ededed")
    assert fakegithub.count("POST", r"/app/installations/7777/access_tokens$") == 1
    token = installation.token
    assert token.startswith("ghs_") and fakegithub.state.tokens[token] == "fake-releaser[bot]"
    from github import GithubIntegration

    gi = GithubIntegration(auth=app_auth, base_url=fakegithub.api_url)
    assert gi.get_repo_installation("acme", "widgets").id == fakegithub.app.installation_id


def test_jwt_signed_by_another_key_is_rejected(fakegithub, repo):
    import jwt
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    now = int(time.time())
    forged = jwt.encode(
        {"iat": now, "exp": now + 60, "iss": str(fakegithub.app.app_id)}, other, algorithm="RS256"
    )
    r = requests.post(
        f"{fakegithub.api_url}/app/installations/7777/access_tokens",
        headers={"Authorization": f"Bearer {forged}"},
        timeout=5,
    )
    assert r.status_code == 401
    # an ordinary token is not a JWT either
    r = requests.get(
        f"{fakegithub.api_url}/repos/acme/widgets/installation",
        headers={"Authorization": f"token {fakegithub.token}"},
        timeout=5,
    )
    assert r.status_code == 401


@pytest.mark.parametrize("fault", ["502", "429", "secondary_rate_limit", "primary_rate_limit"])
def test_github_retry_recovers_from_fault(fakegithub, repo, fault):
    fakegithub.inject("GET", r"^/repos/acme/widgets/branches/main$", fault)
    g = fakegithub.client(retry=fast_retry())
    fakegithub.reset_requests()
    assert g.get_repo("acme/widgets").get_branch("main").name == "main"
    statuses = [s for _, p, s in fakegithub.requests if p.endswith("/branches/main")]
    assert statuses[0] in (502, 429, 403) and statuses[-1] == 200 and len(statuses) == 2


def test_fault_without_retry_surfaces_and_is_consumed(fakegithub, repo):
    fakegithub.inject("GET", r"/branches/", "secondary_rate_limit", times=2)
    with pytest.raises(GithubException) as exc:
        repo.get_branch("main")
    assert exc.value.status == 403 and "secondary rate limit" in str(exc.value)
    assert exc.value.headers.get("retry-after") == "1"
    with pytest.raises(GithubException):
        repo.get_branch("main")
    assert repo.get_branch("main").name == "main"


def test_drop_before_applies_nothing(fakegithub, repo):
    main = fakegithub.ref_sha("refs/heads/main")
    fakegithub.inject("POST", r"/git/refs$", "drop_before")
    with pytest.raises(requests.exceptions.ConnectionError):
        repo.create_git_ref("refs/heads/x", main)
    assert "x" not in fakegithub.branches()
    assert fakegithub.requests[-1] == ("POST", "/repos/acme/widgets/git/refs", 0)


def test_drop_after_applies_write_then_retry_sees_it(fakegithub, repo):
    main = fakegithub.ref_sha("refs/heads/main")
    fakegithub.inject("POST", r"/git/refs$", "drop_after")
    with pytest.raises(requests.exceptions.ConnectionError):
        repo.create_git_ref("refs/heads/x", main)
    assert fakegithub.branches()["x"] == main
    with pytest.raises(GithubException) as exc:
        repo.create_git_ref("refs/heads/x", main)
    assert "Reference already exists" in str(exc.value)


def test_invalid_body_is_recorded_as_violation(fakegithub, repo):
    r = requests.post(
        f"{fakegithub.api_url}/repos/acme/widgets/git/refs",
        headers={"Authorization": f"token {fakegithub.token}"},
        json={"ref": "refs/heads/y"},  # sha missing
        timeout=5,
    )
    assert r.status_code == 422
    found = fakegithub.take_violations()
    assert len(found) == 1 and "'sha' is a required property" in found[0]


def test_bad_query_and_unknown_route_are_violations(fakegithub, repo):
    auth = {"Authorization": f"token {fakegithub.token}"}
    r = requests.get(
        f"{fakegithub.api_url}/repos/acme/widgets/pulls?state=bogus", headers=auth, timeout=5
    )
    assert r.status_code == 422
    r = requests.get(f"{fakegithub.api_url}/repos/acme/widgets/nonsense", headers=auth, timeout=5)
    assert r.status_code == 404 and r.json()["message"] == "Not Found"
    found = fakegithub.take_violations()
    assert len(found) == 2
    assert "query state" in found[0] and "no such operation" in found[1]


def test_response_violation_is_detected(fakegithub, repo):
    # Corrupt state behind the API's back: a label whose color is null breaks the label schema.
    from tests.fakegithub.state import Label

    fakegithub.state.labels["x"] = Label(1, "x", color=None)  # type: ignore[arg-type]
    requests.get(
        f"{fakegithub.api_url}/repos/acme/widgets/labels",
        headers={"Authorization": f"token {fakegithub.token}"},
        timeout=5,
    )
    found = fakegithub.take_violations()
    assert len(found) == 1 and "response 200" in found[0] and "color" in found[0]


def test_request_accounting_per_phase(fakegithub, repo):
    fakegithub.reset_requests()
    repo.get_branch("main")
    repo.get_branch("main")
    assert fakegithub.count("GET", r"/branches/main$") == 2
    phase = fakegithub.reset_requests()
    assert [(c.method, c.status) for c in phase] == [("GET", 200), ("GET", 200)]
    assert fakegithub.requests == []


def test_check_runs_and_statuses(fakegithub, repo):
    sha = fakegithub.ref_sha("refs/heads/main")
    repo.create_check_run(
        "releaser/plan",
        sha,
        status="completed",
        conclusion="success",
        output={"title": "Plan", "summary": "1.1.0"},
    )
    fakegithub.add_check_run(sha, "ci/lint", status="in_progress", conclusion=None)
    runs = repo.get_commit(sha).get_check_runs()
    assert runs.totalCount == 2
    assert {(r.name, r.status, r.conclusion) for r in runs} == {
        ("releaser/plan", "completed", "success"),
        ("ci/lint", "in_progress", None),
    }
    commit = repo.get_commit(sha)
    commit.create_status("pending", context="ci/test")
    fakegithub.add_status(sha, "success", "ci/test")
    fakegithub.add_status(sha, "success", "ci/other")
    combined = commit.get_combined_status()
    assert (combined.state, combined.total_count) == ("success", 2)
    assert [s.state for s in commit.get_statuses()] == ["success", "success", "pending"]


def test_client_without_helper_uses_same_token(fakegithub, repo):
    g = Github(
        base_url=fakegithub.api_url, auth=Auth.Token(fakegithub.token), seconds_between_requests=0
    )
    assert g.get_rate_limit().resources.core.remaining > 0
