"""The fake's deployments, deployment statuses, environments, run approvals and issues,
validated against GitHub's OpenAPI description like every other endpoint."""

from __future__ import annotations

import requests


def _api(fake, method: str, path: str, **kw):
    headers = {"Authorization": f"token {fake.token}", "Accept": "application/vnd.github+json"}
    return requests.request(
        method, f"{fake.urls.repo_api}{path}", headers=headers, timeout=10, **kw
    )


def _deploy(fake, env: str, ref: str = "v1", **extra) -> int:
    body = {"ref": ref, "environment": env, "auto_merge": False, "required_contexts": [], **extra}
    resp = _api(fake, "POST", "/deployments", json=body)
    assert resp.status_code == 201, resp.text
    return resp.json()["id"]


def _status(fake, deployment_id: int, state: str, **extra) -> None:
    resp = _api(
        fake, "POST", f"/deployments/{deployment_id}/statuses", json={"state": state, **extra}
    )
    assert resp.status_code == 201, resp.text


def _seed(fake) -> str:
    sha = fake.commit("main", "chore: init", {"README.md": "hi\n"})
    fake.tag("v1")
    return sha


def test_create_list_and_read_deployments(fakegithub):
    fake = fakegithub
    sha = _seed(fake)
    first = _deploy(fake, "staging", payload={"component": "", "version": "1.0.0"}, task="deploy")
    second = _deploy(fake, "production", task="deploy:canary")
    listed = _api(fake, "GET", "/deployments", params={"environment": "staging"}).json()
    assert [d["id"] for d in listed] == [first]
    assert listed[0]["payload"] == {"component": "", "version": "1.0.0"}
    assert listed[0]["sha"] == sha and listed[0]["ref"] == "v1"
    assert [d["id"] for d in _api(fake, "GET", "/deployments").json()] == [second, first]
    one = _api(fake, "GET", f"/deployments/{second}").json()
    assert one["task"] == "deploy:canary" and one["production_environment"] is True
    assert _api(fake, "GET", "/deployments/999999").status_code == 404


def test_deployments_page_newest_first(fakegithub):
    fake = fakegithub
    _seed(fake)
    ids = [_deploy(fake, "staging") for _ in range(5)]
    page = _api(fake, "GET", "/deployments", params={"per_page": 2, "page": 2})
    assert [d["id"] for d in page.json()] == ids[::-1][2:4]
    assert 'rel="next"' in page.headers["Link"]


def test_a_ref_behind_the_default_branch_needs_auto_merge_off(fakegithub):
    fake = fakegithub
    _seed(fake)
    fake.commit("main", "feat: more", {"a": "1\n"})
    body = {"ref": "v1", "environment": "staging", "required_contexts": []}
    assert _api(fake, "POST", "/deployments", json=body).status_code == 409
    assert _api(fake, "POST", "/deployments", json={**body, "auto_merge": False}).status_code == 201


def test_required_contexts_default_to_every_status(fakegithub):
    fake = fakegithub
    sha = _seed(fake)
    fake.add_status(sha, "failure", "ci/test")
    body = {"ref": "v1", "environment": "staging", "auto_merge": False}
    assert _api(fake, "POST", "/deployments", json=body).status_code == 409
    ok = _api(fake, "POST", "/deployments", json={**body, "required_contexts": []})
    assert ok.status_code == 201


def test_statuses_list_newest_first(fakegithub):
    fake = fakegithub
    _seed(fake)
    d = _deploy(fake, "staging")
    _status(fake, d, "in_progress", description="rolling out")
    _status(fake, d, "success", log_url="https://ci.example/1")
    listed = _api(fake, "GET", f"/deployments/{d}/statuses").json()
    assert [s["state"] for s in listed] == ["success", "in_progress"]
    assert listed[0]["target_url"] == "https://ci.example/1"  # log_url sets target_url
    long = _api(
        fake,
        "POST",
        f"/deployments/{d}/statuses",
        json={"state": "success", "description": "x" * 141},
    )
    assert long.status_code == 422


def test_auto_inactive_marks_earlier_successful_non_production_deployments(fakegithub):
    fake = fakegithub
    _seed(fake)
    old = _deploy(fake, "staging")
    _status(fake, old, "success")
    failed = _deploy(fake, "staging")
    _status(fake, failed, "failure")
    transient = _deploy(fake, "staging", transient_environment=True)
    _status(fake, transient, "success")
    elsewhere = _deploy(fake, "qa")
    _status(fake, elsewhere, "success")
    new = _deploy(fake, "staging")
    _status(fake, new, "success")  # auto_inactive defaults to true
    assert fake.deployment_states(old) == ["success", "inactive"]
    assert fake.deployment_states(failed) == ["failure"]  # only successful ones
    assert fake.deployment_states(transient) == ["success"]  # never transient ones
    assert fake.deployment_states(elsewhere) == ["success"]  # only the same environment
    assert fake.deployment_states(new) == ["success"]


def test_auto_inactive_leaves_production_and_can_be_turned_off(fakegithub):
    fake = fakegithub
    _seed(fake)
    prod_old = _deploy(fake, "production")
    _status(fake, prod_old, "success")
    _status(fake, _deploy(fake, "production"), "success")
    assert fake.deployment_states(prod_old) == ["success"]  # production_environment
    staging_old = _deploy(fake, "staging")
    _status(fake, staging_old, "success")
    _status(fake, _deploy(fake, "staging"), "success", auto_inactive=False)
    assert fake.deployment_states(staging_old) == ["success"]
    _status(fake, _deploy(fake, "staging"), "in_progress")  # only a success deactivates
    assert fake.deployment_states(staging_old) == ["success"]


def test_environments_and_run_approvals(fakegithub):
    fake = fakegithub
    fake.add_environment("production", reviewers=("alice", "bob"))
    env = _api(fake, "GET", "/environments/production").json()
    (rule,) = env["protection_rules"]
    assert rule["type"] == "required_reviewers"
    assert [r["reviewer"]["login"] for r in rule["reviewers"]] == ["alice", "bob"]
    assert _api(fake, "GET", "/environments/nowhere").status_code == 404
    fake.approve_run(77, "production", "alice", comment="ship it")
    approvals = _api(fake, "GET", "/actions/runs/77/approvals").json()
    assert [(a["user"]["login"], a["state"], a["comment"]) for a in approvals] == [
        ("alice", "approved", "ship it")
    ]
    assert approvals[0]["environments"][0]["name"] == "production"
    assert _api(fake, "GET", "/actions/runs/78/approvals").json() == []


def test_create_issue(fakegithub):
    fake = fakegithub
    resp = _api(fake, "POST", "/issues", json={"title": "Review", "body": "text", "labels": ["x"]})
    assert resp.status_code == 201, resp.text
    number = resp.json()["number"]
    assert fake.issues[number].title == "Review" and fake.issues[number].labels == ["x"]
    assert _api(fake, "POST", "/issues", json={"title": " "}).status_code == 422
