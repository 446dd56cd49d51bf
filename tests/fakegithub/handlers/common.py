"""Handler plumbing: the request context, GitHub-style errors, the route table, pagination."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

if TYPE_CHECKING:
    from ..fake import FakeGitHub

DOCS = "https://docs.github.com/rest"


class ApiError(Exception):
    """Raised by handlers; rendered as GitHub's {message, documentation_url[, errors]}."""

    def __init__(self, status: int, message: str, errors: list[Any] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.errors = status, message, errors

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"message": self.message, "documentation_url": DOCS}
        if self.errors is not None:
            out["errors"] = self.errors
        out["status"] = str(self.status)
        return out


def not_found() -> ApiError:
    return ApiError(404, "Not Found")


def unprocessable(message: str, resource: str = "", code: str = "custom") -> ApiError:
    errors = [{"resource": resource, "code": code, "message": message}] if resource else None
    return ApiError(422, message if not resource else "Validation Failed", errors)


# GitHub refuses longer bodies with 422 "Validation Failed" and this detail.
PULL_BODY_LIMIT = 65536
RELEASE_BODY_LIMIT = 125000


def check_body(body: object, limit: int, resource: str) -> None:
    if isinstance(body, str) and len(body) > limit:
        raise unprocessable(f"body is too long (maximum is {limit} characters)", resource)


@dataclass(slots=True)
class Request:
    fake: FakeGitHub
    method: str
    path: str  # relative to /api/v3 (or /api/uploads)
    params: dict[str, str]
    query: dict[str, list[str]]
    headers: dict[str, str]
    raw: bytes
    body: Any
    login: str
    base_url: str  # absolute URL of this request without query, for Link headers

    def q(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    def json(self, name: str, default: Any = None) -> Any:
        return (self.body or {}).get(name, default) if isinstance(self.body, dict) else default


@dataclass(slots=True)
class Response:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"


Handler = Callable[[Request], Response]
ROUTES: dict[tuple[str, str], Handler] = {}
R = "/repos/{owner}/{repo}"


def route(method: str, template: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        ROUTES[(method, template)] = fn
        return fn

    return register


def page_args(req: Request, default: int = 30, maximum: int = 100) -> tuple[int, int]:
    try:
        per_page = min(max(int(req.q("per_page", str(default)) or default), 1), maximum)
        page = max(int(req.q("page", "1") or 1), 1)
    except ValueError as exc:
        raise ApiError(400, "Invalid pagination parameter") from exc
    return page, per_page


def paginate(req: Request, items: list[Any], default: int = 30, maximum: int = 100) -> Response:
    """Slice items for page/per_page and add a GitHub-style Link header."""
    page, per_page = page_args(req, default, maximum)
    last = max((len(items) + per_page - 1) // per_page, 1)
    chunk = items[(page - 1) * per_page : page * per_page]
    return Response(200, chunk, link_headers(req, page, per_page, last))


def link_headers(req: Request, page: int, per_page: int, last: int) -> dict[str, str]:
    def url(p: int) -> str:
        query = {k: v[-1] for k, v in req.query.items() if k not in ("page", "per_page")}
        query.update(per_page=str(per_page), page=str(p))
        return f"{req.base_url}?{urlencode(query)}"

    rels = []
    if page < last:
        rels += [f'<{url(page + 1)}>; rel="next"', f'<{url(last)}>; rel="last"']
    if page > 1:
        rels += [f'<{url(1)}>; rel="first"', f'<{url(page - 1)}>; rel="prev"']
    return {"Link": ", ".join(rels)} if rels else {}


def ok(body: Any, status: int = 200) -> Response:
    return Response(status, body)


def no_content() -> Response:
    return Response(204, None)
