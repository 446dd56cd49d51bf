"""Deployments, deployment statuses, environments and a run's environment approvals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..payloads import iso, node_id
from ..state import Deployment, DeploymentStatus, Environment, now
from .common import ApiError, R, Request, Response, not_found, ok, paginate, route

if TYPE_CHECKING:
    from ..fake import FakeGitHub

ACTIVE_STATES = ("success",)  # what auto_inactive looks for in the earlier deployments


def deployment_json(fake: FakeGitHub, d: Deployment) -> dict[str, Any]:
    url = f"{fake.urls.repo_api}/deployments/{d.id}"
    return {
        "url": url,
        "id": d.id,
        "node_id": node_id("Deployment", d.id),
        "sha": d.sha,
        "ref": d.ref,
        "task": d.task,
        "payload": d.payload,
        "original_environment": d.environment,
        "environment": d.environment,
        "description": d.description,
        "creator": fake.urls.user(d.creator),
        "created_at": iso(d.created_at),
        "updated_at": iso(d.statuses[-1].created_at if d.statuses else d.created_at),
        "statuses_url": f"{url}/statuses",
        "repository_url": fake.urls.repo_api,
        "transient_environment": d.transient,
        "production_environment": d.production,
    }


def status_json(fake: FakeGitHub, d: Deployment, s: DeploymentStatus) -> dict[str, Any]:
    url = f"{fake.urls.repo_api}/deployments/{d.id}"
    return {
        "url": f"{url}/statuses/{s.id}",
        "id": s.id,
        "node_id": node_id("DeploymentStatus", s.id),
        "state": s.state,
        "creator": fake.urls.user(s.creator),
        "description": s.description,
        "environment": s.environment,
        "target_url": s.target_url,
        "log_url": s.log_url,
        "environment_url": s.environment_url,
        "created_at": iso(s.created_at),
        "updated_at": iso(s.created_at),
        "deployment_url": url,
        "repository_url": fake.urls.repo_api,
    }


def environment_json(fake: FakeGitHub, env: Environment) -> dict[str, Any]:
    rules: list[dict[str, Any]] = []
    if env.reviewers:
        rules.append(
            {
                "id": env.id + 1,
                "node_id": node_id("ProtectionRule", env.id + 1),
                "type": "required_reviewers",
                "prevent_self_review": False,
                "reviewers": [
                    {"type": "User", "reviewer": fake.urls.user(login)} for login in env.reviewers
                ],
            }
        )
    return {
        "id": env.id,
        "node_id": node_id("Environment", env.id),
        "name": env.name,
        "url": f"{fake.urls.repo_api}/environments/{env.name}",
        "html_url": f"{fake.urls.repo_html}/deployments?environment={env.name}",
        "created_at": iso(env.created_at),
        "updated_at": iso(env.created_at),
        "protection_rules": rules,
    }


def ensure_environment(fake: FakeGitHub, name: str) -> Environment:
    # Like GitHub: a deployment to an environment that does not exist yet creates it.
    if name not in fake.state.environments:
        fake.state.environments[name] = Environment(fake.state.next_id(), name, [], now())
    return fake.state.environments[name]


def _deployment(req: Request) -> Deployment:
    d = req.fake.state.deployments.get(int(req.params["deployment_id"]))
    if d is None:
        raise not_found()
    return d


@route("GET", R + "/deployments")
def list_deployments(req: Request) -> Response:
    rows = sorted(req.fake.state.deployments.values(), key=lambda d: d.id, reverse=True)
    for name, attr in (("sha", "sha"), ("ref", "ref"), ("task", "task")):
        wanted = req.q(name)
        if wanted is not None:
            rows = [d for d in rows if getattr(d, attr) == wanted]
    env = req.q("environment")
    if env is not None:
        rows = [d for d in rows if d.environment == env]
    resp = paginate(req, rows)
    resp.body = [deployment_json(req.fake, d) for d in resp.body]
    return resp


@route("POST", R + "/deployments")
def create_deployment(req: Request) -> Response:
    fake = req.fake
    ref = req.json("ref")
    sha = fake.git.resolve_commit(ref)
    if sha is None:
        raise ApiError(422, f"No ref found for: {ref}")
    if req.json("auto_merge", True):
        # GitHub merges the default branch into a ref that is behind it (202) or answers 409;
        # the fake does not merge: it answers 409 whenever the ref is behind.
        default = fake.git.resolve_commit(fake.default_branch)
        if default and default != sha and not fake.git.is_ancestor(default, sha):
            raise ApiError(409, f"Conflict merging {fake.default_branch} into {ref}.")
    required = req.json("required_contexts")
    latest: dict[str, str] = {}
    for st in sorted(fake.state.statuses, key=lambda x: x.id):
        if st.sha == sha:
            latest[st.context] = st.state
    # Without required_contexts, every commit status context must be success (GitHub's rule).
    wanted = latest if required is None else {c: latest.get(c, "missing") for c in required}
    failing = sorted(c for c, state in wanted.items() if state != "success")
    if failing:
        raise ApiError(409, f"Conflict: Commit status checks failed for {ref}.")
    env = req.json("environment", "production")
    payload = req.json("payload", "")
    d = Deployment(
        fake.state.next_id(),
        sha,
        ref,
        req.json("task", "deploy"),
        payload,
        env,
        req.json("description", ""),
        req.login,
        now(),
        transient=bool(req.json("transient_environment", False)),
        production=bool(req.json("production_environment", env == "production")),
    )
    ensure_environment(fake, env)
    fake.state.deployments[d.id] = d
    return ok(deployment_json(fake, d), 201)


@route("GET", R + "/deployments/{deployment_id}")
def get_deployment(req: Request) -> Response:
    return ok(deployment_json(req.fake, _deployment(req)))


@route("GET", R + "/deployments/{deployment_id}/statuses")
def list_statuses(req: Request) -> Response:
    d = _deployment(req)
    resp = paginate(req, list(reversed(d.statuses)))  # newest first, as GitHub lists them
    resp.body = [status_json(req.fake, d, s) for s in resp.body]
    return resp


def add_status(fake: FakeGitHub, d: Deployment, state: str, login: str, **kw: Any) -> Any:
    s = DeploymentStatus(
        fake.state.next_id(),
        state,
        kw.get("description") or "",
        kw.get("environment") or d.environment,
        kw.get("log_url") or kw.get("target_url") or "",
        kw.get("log_url") or "",
        kw.get("environment_url") or "",
        login,
        now(),
    )
    d.statuses.append(s)
    return s


@route("POST", R + "/deployments/{deployment_id}/statuses")
def create_status(req: Request) -> Response:
    fake, d = req.fake, _deployment(req)
    state = req.json("state")
    text = req.json("description") or ""
    if len(text) > 140:
        raise ApiError(
            422,
            "Validation Failed",
            [{"resource": "DeploymentStatus", "code": "custom", "field": "description"}],
        )
    fields = {k: req.json(k) for k in ("description", "target_url", "log_url", "environment_url")}
    if req.json("environment"):
        d.environment = req.json("environment")
    s = add_status(fake, d, state, req.login, **fields)
    if state == "success" and req.json("auto_inactive", True):
        # GitHub's auto_inactive: every earlier deployment of the same repository and
        # environment that is neither transient nor production, and whose state is success,
        # gets an `inactive` status.
        for other in fake.state.deployments.values():
            if (
                other.id < d.id
                and other.environment == d.environment
                and not other.transient
                and not other.production
                and other.statuses
                and other.statuses[-1].state in ACTIVE_STATES
            ):
                add_status(fake, other, "inactive", req.login)
    return ok(status_json(fake, d, s), 201)


@route("GET", R + "/environments/{environment_name}")
def get_environment(req: Request) -> Response:
    env = req.fake.state.environments.get(req.params["environment_name"])
    if env is None:
        raise not_found()
    return ok(environment_json(req.fake, env))


@route("GET", R + "/actions/runs/{run_id}/approvals")
def run_approvals(req: Request) -> Response:
    fake = req.fake
    out = []
    for a in fake.state.run_approvals.get(int(req.params["run_id"]), []):
        env = ensure_environment(fake, a.environment)
        listed = environment_json(fake, env)
        listed.pop("protection_rules")
        out.append(
            {
                "environments": [listed],
                "state": a.state,
                "user": fake.urls.user(a.user),
                "comment": a.comment,
            }
        )
    return ok(out)
