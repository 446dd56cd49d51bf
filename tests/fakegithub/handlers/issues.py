"""Labels, issue comments, and plain issues (opened by POST /issues; the rest of the issue
endpoints serve the issue side of pull requests)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ..payloads import iso, node_id
from ..state import Comment, Issue, Label, now
from .common import (
    ApiError,
    R,
    Request,
    Response,
    not_found,
    ok,
    paginate,
    route,
    unprocessable,
)

if TYPE_CHECKING:
    from ..fake import FakeGitHub


def label_json(fake: FakeGitHub, label: Label) -> dict[str, Any]:
    return {
        "id": label.id,
        "node_id": node_id("Label", label.id),
        "url": f"{fake.urls.repo_api}/labels/{quote(label.name)}",
        "name": label.name,
        "color": label.color,
        "default": False,
        "description": label.description,
    }


def comment_json(fake: FakeGitHub, c: Comment) -> dict[str, Any]:
    api, html = fake.urls.repo_api, fake.urls.repo_html
    return {
        "id": c.id,
        "node_id": node_id("IssueComment", c.id),
        "url": f"{api}/issues/comments/{c.id}",
        "html_url": f"{html}/pull/{c.issue}#issuecomment-{c.id}",
        "issue_url": f"{api}/issues/{c.issue}",
        "body": c.body,
        "user": fake.urls.user(c.user),
        "created_at": iso(c.created_at),
        "updated_at": iso(c.created_at),
        "author_association": "MEMBER",
    }


def ensure_label(fake: FakeGitHub, name: str) -> Label:
    if name not in fake.state.labels:
        fake.state.labels[name] = Label(fake.state.next_id(), name)
    return fake.state.labels[name]


def _issue(req: Request) -> Any:
    pr = req.fake.state.pulls.get(int(req.params["issue_number"]))
    if pr is None:
        raise not_found()
    return pr


@route("GET", R + "/labels")
def list_labels(req: Request) -> Response:
    resp = paginate(req, sorted(req.fake.state.labels.values(), key=lambda x: x.name))
    resp.body = [label_json(req.fake, x) for x in resp.body]
    return resp


@route("POST", R + "/labels")
def create_label(req: Request) -> Response:
    name = req.json("name")
    if name in req.fake.state.labels:
        raise ApiError(
            422,
            "Validation Failed",
            [{"resource": "Label", "code": "already_exists", "field": "name"}],
        )
    label = Label(
        req.fake.state.next_id(), name, req.json("color", "ededed"), req.json("description")
    )
    req.fake.state.labels[name] = label
    return ok(label_json(req.fake, label), 201)


@route("GET", R + "/issues/{issue_number}/labels")
def issue_labels(req: Request) -> Response:
    pr = _issue(req)
    resp = paginate(req, [req.fake.state.labels[n] for n in pr.labels])
    resp.body = [label_json(req.fake, x) for x in resp.body]
    return resp


@route("POST", R + "/issues/{issue_number}/labels")
def add_issue_labels(req: Request) -> Response:
    pr = _issue(req)
    body = req.body
    names = body if isinstance(body, list) else (body or {}).get("labels", [])
    for item in names:
        name = item["name"] if isinstance(item, dict) else item
        ensure_label(req.fake, name)  # GitHub creates unknown labels on the fly
        if name not in pr.labels:
            pr.labels.append(name)
    return ok([label_json(req.fake, req.fake.state.labels[n]) for n in pr.labels])


@route("DELETE", R + "/issues/{issue_number}/labels/{name}")
def remove_issue_label(req: Request) -> Response:
    pr = _issue(req)
    name = req.params["name"]
    if name not in pr.labels:
        raise ApiError(404, "Label does not exist")
    pr.labels.remove(name)
    return ok([label_json(req.fake, req.fake.state.labels[n]) for n in pr.labels])


@route("GET", R + "/issues/{issue_number}/comments")
def list_comments(req: Request) -> Response:
    pr = _issue(req)
    resp = paginate(req, [c for c in req.fake.state.comments if c.issue == pr.number])
    resp.body = [comment_json(req.fake, c) for c in resp.body]
    return resp


@route("POST", R + "/issues/{issue_number}/comments")
def create_comment(req: Request) -> Response:
    pr = _issue(req)
    c = Comment(req.fake.state.next_id(), pr.number, req.json("body"), req.login, now())
    req.fake.state.comments.append(c)
    return ok(comment_json(req.fake, c), 201)


def issue_json(fake: FakeGitHub, issue: Issue) -> dict[str, Any]:
    api, html = fake.urls.repo_api, fake.urls.repo_html
    url = f"{api}/issues/{issue.number}"
    return {
        "id": issue.id,
        "node_id": node_id("Issue", issue.id),
        "url": url,
        "repository_url": api,
        "labels_url": f"{url}/labels{{/name}}",
        "comments_url": f"{url}/comments",
        "events_url": f"{url}/events",
        "html_url": f"{html}/issues/{issue.number}",
        "number": issue.number,
        "state": "open",
        "title": issue.title,
        "body": issue.body,
        "user": fake.urls.user(issue.user),
        "labels": [label_json(fake, fake.state.labels[n]) for n in issue.labels],
        "assignee": None,
        "milestone": None,
        "locked": False,
        "comments": 0,
        "closed_at": None,
        "created_at": iso(issue.created_at),
        "updated_at": iso(issue.created_at),
        "author_association": "MEMBER",
    }


@route("POST", R + "/issues")
def create_issue(req: Request) -> Response:
    fake = req.fake
    title = req.json("title")
    if not isinstance(title, str) or not title.strip():
        raise unprocessable("title can't be blank", "Issue")
    labels = []
    for item in req.json("labels") or []:
        name = item["name"] if isinstance(item, dict) else item
        ensure_label(fake, name)
        labels.append(name)
    number = fake.state.next_number()
    issue = Issue(number, fake.state.next_id(), title, req.json("body"), req.login, now(), labels)
    fake.state.issues[issue.number] = issue
    return ok(issue_json(fake, issue), 201)
