"""Endpoint handlers, one module per API family; importing this package registers the routes."""

from . import checks, deployments, gitdata, issues, pulls, releases, repos
from .common import ROUTES, ApiError, Request, Response

__all__ = [
    "ROUTES",
    "ApiError",
    "Request",
    "Response",
    "checks",
    "deployments",
    "gitdata",
    "issues",
    "pulls",
    "releases",
    "repos",
]
