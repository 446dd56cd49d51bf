"""Check runs, commit statuses, and the GitHub App installation endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..payloads import iso, node_id, user_id
from ..scopes import INSTALLATION_PERMISSIONS, Scope, problem_with_request
from ..state import CheckRun, Status, now
from .common import ApiError, R, Request, Response, not_found, ok, page_args, paginate, route
from .repos import resolve_or_404

if TYPE_CHECKING:
    from ..fake import FakeGitHub


def app_json(fake: FakeGitHub, slug: str = "") -> dict[str, Any]:
    """The fake's own App, or (given a slug) another App such as github-actions."""
    stamp = "2024-01-01T00:00:00Z"
    app_id = fake.app.app_id if not slug else user_id(slug)
    slug = slug or fake.app.slug
    return {
        "id": app_id,
        "slug": slug,
        "node_id": node_id("Integration", app_id),
        "client_id": fake.app.client_id,
        "owner": fake.urls.user(fake.owner, "Organization"),
        "name": "Fake Releaser",
        "description": "GitHub App of tests/fakegithub",
        "external_url": fake.urls.web,
        "html_url": f"{fake.urls.web}/apps/{slug}",
        "created_at": stamp,
        "updated_at": stamp,
        "permissions": dict(INSTALLATION_PERMISSIONS),
        "events": [],
    }


def check_json(fake: FakeGitHub, c: CheckRun) -> dict[str, Any]:
    api, html = fake.urls.repo_api, fake.urls.repo_html
    return {
        "id": c.id,
        "node_id": node_id("CheckRun", c.id),
        "head_sha": c.head_sha,
        "external_id": c.external_id,
        "url": f"{api}/check-runs/{c.id}",
        "html_url": f"{html}/runs/{c.id}",
        "details_url": c.details_url,
        "status": c.status,
        "conclusion": c.conclusion,
        "started_at": iso(c.started_at),
        "completed_at": iso(c.completed_at),
        "output": {
            "title": c.title,
            "summary": c.summary,
            "text": None,
            "annotations_count": 0,
            "annotations_url": f"{api}/check-runs/{c.id}/annotations",
        },
        "name": c.name,
        "check_suite": {"id": c.id + 500000},
        "app": app_json(fake, c.app),
        "pull_requests": [],
    }


def _ts(value: str | None) -> float | None:
    return datetime.fromisoformat(value).timestamp() if value else None


@route("POST", R + "/check-runs")
def create_check_run(req: Request) -> Response:
    status = req.json("status", "queued")
    conclusion = req.json("conclusion")
    if conclusion is not None:
        status = "completed"
    output = req.json("output") or {}
    started = _ts(req.json("started_at")) or now()
    completed = _ts(req.json("completed_at")) or (now() if status == "completed" else None)
    c = CheckRun(
        req.fake.state.next_id(),
        req.json("head_sha"),
        req.json("name"),
        status,
        conclusion,
        started,
        completed,
        req.json("details_url"),
        req.json("external_id"),
        output.get("title"),
        output.get("summary"),
    )
    req.fake.state.check_runs.append(c)
    return ok(check_json(req.fake, c), 201)


def _check_run(req: Request) -> CheckRun:
    try:
        wanted = int(req.params["check_run_id"])
    except ValueError:
        raise not_found() from None
    found = next((c for c in req.fake.state.check_runs if c.id == wanted), None)
    if found is None:
        raise not_found()
    return found


@route("GET", R + "/check-runs/{check_run_id}")
def get_check_run(req: Request) -> Response:
    return ok(check_json(req.fake, _check_run(req)))


@route("PATCH", R + "/check-runs/{check_run_id}")
def update_check_run(req: Request) -> Response:
    c = _check_run(req)
    if c.app:  # GitHub lets only the App that created a check run update it
        raise ApiError(403, "Resource not accessible by integration")
    body = req.body if isinstance(req.body, dict) else {}
    if "name" in body:
        c.name = body["name"]
    for key in ("details_url", "external_id"):
        if key in body:
            setattr(c, key, body[key])
    if "status" in body:
        c.status = body["status"]
    if body.get("conclusion") is not None:  # a conclusion completes the run
        c.conclusion, c.status = body["conclusion"], "completed"
    if c.status == "completed":
        c.completed_at = _ts(body.get("completed_at")) or c.completed_at or now()
    else:
        c.conclusion, c.completed_at = None, None
    if "output" in body:
        c.title = body["output"].get("title")
        c.summary = body["output"].get("summary")
    return ok(check_json(req.fake, c))


@route("GET", R + "/commits/{ref}/check-runs")
def list_check_runs(req: Request) -> Response:
    sha = resolve_or_404(req.fake, req.params["ref"])
    rows = [c for c in req.fake.state.check_runs if c.head_sha == sha]
    if req.q("check_name"):
        rows = [c for c in rows if c.name == req.q("check_name")]
    if req.q("status"):
        rows = [c for c in rows if c.status == req.q("status")]
    resp = paginate(req, sorted(rows, key=lambda c: c.id, reverse=True))
    resp.body = {
        "total_count": len(rows),
        "check_runs": [check_json(req.fake, c) for c in resp.body],
    }
    return resp


def status_json(fake: FakeGitHub, s: Status) -> dict[str, Any]:
    creator = fake.urls.user(s.creator, "Bot" if s.creator.endswith("[bot]") else "User")
    return {
        "url": f"{fake.urls.repo_api}/statuses/{s.sha}",
        "avatar_url": creator["avatar_url"],
        "id": s.id,
        "node_id": node_id("StatusContext", s.id),
        "state": s.state,
        "description": s.description,
        "target_url": s.target_url,
        "context": s.context,
        "created_at": iso(s.created_at),
        "updated_at": iso(s.created_at),
        "creator": creator,
    }


@route("POST", R + "/statuses/{sha}")
def create_status(req: Request) -> Response:
    sha = req.fake.git.resolve_commit(req.params["sha"])
    if sha is None:
        raise ApiError(422, f"No commit found for SHA: {req.params['sha']}")
    s = Status(
        req.fake.state.next_id(),
        sha,
        req.json("state"),
        req.json("context", "default"),
        req.json("description"),
        req.json("target_url"),
        req.login,
        now(),
    )
    req.fake.state.statuses.append(s)
    return ok(status_json(req.fake, s), 201)


@route("GET", R + "/commits/{ref}/statuses")
def list_statuses(req: Request) -> Response:
    sha = resolve_or_404(req.fake, req.params["ref"])
    rows = sorted((s for s in req.fake.state.statuses if s.sha == sha), key=lambda s: -s.id)
    resp = paginate(req, rows)
    resp.body = [status_json(req.fake, s) for s in resp.body]
    return resp


@route("GET", R + "/commits/{ref}/status")
def combined_status(req: Request) -> Response:
    fake = req.fake
    sha = resolve_or_404(fake, req.params["ref"])
    latest: dict[str, Status] = {}
    for s in sorted((s for s in fake.state.statuses if s.sha == sha), key=lambda s: s.id):
        latest[s.context] = s
    states = {s.state for s in latest.values()}
    state = (
        "failure"
        if states & {"failure", "error"}
        else "pending"
        if "pending" in states or not states
        else "success"
    )
    page, per_page = page_args(req, default=100)
    rows = list(latest.values())[(page - 1) * per_page : page * per_page]
    return ok(
        {
            "state": state,
            "sha": sha,
            "total_count": len(latest),
            "statuses": [
                {k: v for k, v in status_json(fake, s).items() if k != "creator"}
                | {"required": False}
                for s in rows
            ],
            "repository": fake.urls.minimal_repo(fake.repo_id),
            "commit_url": f"{fake.urls.repo_api}/commits/{sha}",
            "url": f"{fake.urls.repo_api}/commits/{sha}/status",
        }
    )


def installation_json(fake: FakeGitHub) -> dict[str, Any]:
    iid, web = fake.app.installation_id, fake.urls.web
    return {
        "id": iid,
        "account": fake.urls.user(fake.owner, "Organization"),
        "repository_selection": "selected",
        "access_tokens_url": f"{fake.urls.api}/app/installations/{iid}/access_tokens",
        "repositories_url": f"{fake.urls.api}/installation/repositories",
        "html_url": f"{web}/organizations/{fake.owner}/settings/installations/{iid}",
        "app_id": fake.app.app_id,
        "app_slug": fake.app.slug,
        "client_id": "Iv1.fakeclientid",
        "target_id": fake.urls.user(fake.owner)["id"],
        "target_type": "Organization",
        "permissions": dict(INSTALLATION_PERMISSIONS),
        "events": ["push", "pull_request"],
        "created_at": "2024-01-01T00:00:00Z",
        "updated_at": "2024-01-01T00:00:00Z",
        "single_file_name": None,
        "has_multiple_single_files": False,
        "single_file_paths": [],
        "suspended_by": None,
        "suspended_at": None,
    }


@route("GET", R + "/installation")
def repo_installation(req: Request) -> Response:
    return ok(installation_json(req.fake))


@route("POST", "/app/installations/{installation_id}/access_tokens")
def mint_token(req: Request) -> Response:
    fake = req.fake
    if int(req.params["installation_id"]) != fake.app.installation_id:
        raise not_found()
    body = req.body if isinstance(req.body, dict) else {}
    problem = problem_with_request(body)
    if problem:
        raise ApiError(422, problem)
    names = body.get("repositories")
    if names is not None and any(n.lower() != fake.repo.lower() for n in names):
        raise ApiError(
            422,
            "There is at least one repository that does not exist or is not "
            "accessible to the parent installation.",
        )
    if body.get("repository_ids") is not None and body["repository_ids"] != [fake.repo_id]:
        raise ApiError(
            422,
            "There is at least one repository that does not exist or is not "
            "accessible to the parent installation.",
        )
    narrowed = names is not None or body.get("repository_ids") is not None
    permissions = dict(body.get("permissions") or INSTALLATION_PERMISSIONS)
    token = fake.app.new_token()
    fake.state.tokens[token] = fake.app.bot_login
    fake.state.scopes[token] = Scope((fake.repo,) if narrowed else None, permissions)
    answer = {
        "token": token,
        "expires_at": iso(now() + 3600),
        "permissions": permissions,
        "repository_selection": "selected" if narrowed else "all",
    }
    return ok(answer, 201)
