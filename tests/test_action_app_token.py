"""GitHub App auth end to end: app-id + app-private-key mint an installation token used for all."""

from __future__ import annotations

import pytest

from tests.action_util import ActionRunner
from tests.test_action_e2e import open_release_prs, seed


@pytest.fixture
def action(fakegithub, tmp_path):
    return ActionRunner(fakegithub, tmp_path)


def _app_inputs(fake, **extra: str) -> dict[str, str]:
    # The workflow token is present too, as `token` defaults to it; the App must win.
    return {"app-id": str(fake.app.app_id), "app-private-key": fake.app.private_key_pem, **extra}


@pytest.mark.parametrize("by", ["app id", "client id"])
def test_the_app_opens_and_publishes_as_its_bot(fakegithub, action, by):
    fake = fakegithub
    seed(fake)
    app_id = str(fake.app.app_id) if by == "app id" else fake.app.client_id
    first = action.run("push", inputs=_app_inputs(fake, **{"app-id": app_id}))
    assert first.code == 0, first.stdout + first.stderr
    (pr,) = open_release_prs(fake)
    assert pr.user == fake.app.bot_login  # so the PR triggers the repository's CI
    minted = [t for t, login in fake.state.tokens.items() if login == fake.app.bot_login]
    assert len(minted) == 1
    assert f"::add-mask::{minted[0]}" in first.stdout
    fake.merge_pull(pr.number)
    published = action.run(
        "pull_request.closed",
        event=action.merged_event(pr.number),
        inputs=_app_inputs(fake, **{"app-id": app_id}),
    )
    assert published.code == 0, published.stdout + published.stderr
    release = fake.release_by_tag("v1.1.0")
    assert release is not None and not release.draft
    assert release.author == fake.app.bot_login
    everything = first.stdout + first.stderr + published.stdout + published.stderr
    tokens = [t for t, login in fake.state.tokens.items() if login == fake.app.bot_login]
    for secret in tokens:
        assert everything.count(secret) == everything.count(f"::add-mask::{secret}")
    # The PEM is masked line by line (the runner masks single lines) and never printed.
    for line in fake.app.private_key_pem.strip().splitlines()[1:-1]:
        assert everything.count(line) == everything.count(f"::add-mask::{line}") == 2


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"app-id": "31337"}, "app-id and app-private-key must be given together"),
        ({"app-private-key": "x"}, "app-id and app-private-key must be given together"),
        (
            {"app-id": "not-a-number", "app-private-key": "x"},
            "app-id / app-private-key are not usable",
        ),
        (
            {"app-id": "424242", "app-private-key": "PEM"},  # filled in below
            "could not mint a GitHub App token: HTTP 401",
        ),
    ],
)
def test_bad_app_credentials_are_one_clear_error(fakegithub, action, inputs, message):
    fake = fakegithub
    seed(fake)
    if inputs.get("app-private-key") == "PEM":
        inputs = {**inputs, "app-private-key": fake.app.private_key_pem}  # a key, another app id
    result = action.run("push", inputs=inputs)
    assert result.code != 0
    errors = [line for line in result.stdout.splitlines() if line.startswith("::error")]
    assert len(errors) == 1 and message in errors[0], result.stdout
    assert "Traceback" not in result.stderr
    assert open_release_prs(fake) == []


def test_a_pem_stored_on_one_line_with_literal_newlines_works(fakegithub, action):
    fake = fakegithub
    seed(fake)
    one_line = fake.app.private_key_pem.strip().replace("\n", "\\n")
    result = action.run("push", inputs=_app_inputs(fake, **{"app-private-key": one_line}))
    assert result.code == 0, result.stdout + result.stderr
    (pr,) = open_release_prs(fake)
    assert pr.user == fake.app.bot_login
    assert f"::add-mask::{one_line}" in result.stdout


def test_an_unreachable_api_is_one_clear_line(fakegithub, action):
    seed(fakegithub)
    result = action.run("push", extra_env={"GITHUB_API_URL": "http://127.0.0.1:9/api/v3"})
    assert result.code != 0
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stdout.splitlines() if line.startswith("::error")]
    assert len(errors) == 1 and "cannot reach GitHub at http://127.0.0.1:9/" in errors[0], (
        result.stdout
    )


# What each command needs, in GitHub App permission names (GitHub's REST docs per endpoint).
PUBLISH_AND_PR = {
    "contents": "write",  # release branch, tags, releases, assets
    "pull_requests": "write",  # the release PR
    "issues": "write",  # labels and comments on it
    "checks": "write",  # the model gates' check run; check runs recorded in the evidence
    "statuses": "read",  # commit statuses recorded in the evidence
}


@pytest.mark.parametrize(
    ("command", "permissions"),
    [
        ("auto", PUBLISH_AND_PR),
        ("plan", {"contents": "read", "pull_requests": "read", "issues": "read"}),
    ],
)
def test_the_app_token_is_minted_for_this_repository_and_what_releaser_uses(
    fakegithub, action, command, permissions
):
    fake = fakegithub
    seed(fake)
    result = action.run("push", inputs=_app_inputs(fake, command=command))
    assert result.code == 0, result.stdout + result.stderr
    (scope,) = fake.state.scopes.values()
    assert scope.repositories == (fake.repo,)
    assert scope.permissions == permissions


def test_an_app_holding_checks_read_only_still_releases_code(fakegithub, action, monkeypatch):
    """Only a model release writes a check run: an App installed before that, with Checks:
    read, is asked for read rather than refused the token."""
    from tests.fakegithub import scopes

    monkeypatch.setitem(scopes.INSTALLATION_PERMISSIONS, "checks", "read")
    fake = fakegithub
    seed(fake)
    result = action.run("push", inputs=_app_inputs(fake))
    assert result.code == 0, result.stdout + result.stderr
    (scope,) = fake.state.scopes.values()
    assert scope.permissions == {**PUBLISH_AND_PR, "checks": "read"}
    assert len(open_release_prs(fake)) == 1


def test_a_narrowed_token_is_refused_outside_its_scope(fakegithub):
    """The fake enforces the scope, so the Action's own runs above prove the set suffices."""
    import requests

    fake = fakegithub
    bearer = {"Authorization": f"Bearer {fake.app_auth().token}"}
    mint = f"{fake.api_url}/app/installations/{fake.app.installation_id}/access_tokens"
    body = {"repositories": [fake.repo], "permissions": {"contents": "read"}}
    answer = requests.post(mint, json=body, headers=bearer, timeout=10)
    assert answer.status_code == 201, answer.text
    token = {"Authorization": f"token {answer.json()['token']}"}
    repo = f"{fake.api_url}/repos/{fake.full_name}"
    assert requests.get(f"{repo}/releases", headers=token, timeout=10).status_code == 200
    assert requests.get(f"{repo}/pulls", headers=token, timeout=10).status_code == 403
    label = {"name": "x", "color": "ffffff"}
    assert requests.post(f"{repo}/labels", json=label, headers=token, timeout=10).status_code == 403
    too_much = {"permissions": {"administration": "write"}}
    assert requests.post(mint, json=too_much, headers=bearer, timeout=10).status_code == 422
    elsewhere = {"repositories": ["another-repo"]}
    assert requests.post(mint, json=elsewhere, headers=bearer, timeout=10).status_code == 422
