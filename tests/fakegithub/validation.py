"""Route matching and jsonschema validation of requests/responses against the vendored spec."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

SPEC_PATH = Path(__file__).parent / "spec" / "openapi-subset.json"
BASE = "urn:fakegithub-spec"

# Known gaps between GitHub's description and its behaviour. Each entry is deliberate.
# Path parameters that GitHub accepts with slashes although the spec types them as one segment:
MULTI_SEGMENT = {
    ("/repos/{owner}/{repo}/git/ref/{ref}", "ref"),  # refs like heads/feature/x
    ("/repos/{owner}/{repo}/git/refs/{ref}", "ref"),  # same, for PATCH/DELETE
    ("/repos/{owner}/{repo}/git/matching-refs/{ref}", "ref"),  # prefix like tags/v1
    ("/repos/{owner}/{repo}/commits/{ref}", "ref"),  # branch names with slashes
    ("/repos/{owner}/{repo}/compare/{basehead}", "basehead"),  # main...feature/x
    ("/repos/{owner}/{repo}/contents/{path}", "path"),  # nested file paths
    ("/repos/{owner}/{repo}/branches/{branch}", "branch"),  # feature/x
    ("/repos/{owner}/{repo}/releases/tags/{tag}", "tag"),  # tags like pkg/v1.0.0
}
# Query parameters real clients send that the description omits (method, template, name).
EXTRA_QUERY = {
    # PyGithub's Repository.get_commits always sends no extras, but per_page/page are global.
    ("*", "*", "per_page"),
    ("*", "*", "page"),
}

# Bodies GitHub accepts in a shape the description dropped: (method, template) -> wrapping key.
BARE_ARRAY_BODY = {
    # PyGithub's add_to_labels/set_labels send a bare JSON array of names; GitHub still takes it.
    ("POST", "/repos/{owner}/{repo}/issues/{issue_number}/labels"): "labels",
}

# Paths GitHub still serves under an older, undocumented name: (method, regex, rewrite).
ALIASES = [
    # PyGithub's Commit.get_statuses calls the legacy GET /repos/{o}/{r}/statuses/{sha}.
    (
        "GET",
        re.compile(r"^(/repos/[^/]+/[^/]+)/statuses/([0-9a-f]{40})$"),
        r"\1/commits/\2/statuses",
    ),
]

# Error statuses GitHub sends that the description does not list: (method, template, status).
UNDOCUMENTED_ERRORS = {
    # An environment that does not exist (yet): GitHub answers 404 Not Found.
    ("GET", "/repos/{owner}/{repo}/environments/{environment_name}", 404),
}


@dataclass(slots=True)
class Match:
    template: str
    method: str
    operation: dict[str, Any]
    params: dict[str, str]


@dataclass(slots=True)
class _Route:
    template: str
    regex: re.Pattern[str]
    operations: dict[str, dict[str, Any]]
    multi: bool = field(default=False)


def _convert(node: Any) -> Any:
    """OpenAPI 3.0 schema dialect -> JSON Schema draft 7 (nullable, sibling $ref, local refs)."""
    if isinstance(node, list):
        return [_convert(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _convert(v) for k, v in node.items()}
    ref = out.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        out["$ref"] = BASE + ref
    nullable = out.pop("nullable", False)
    if "$ref" in out and len(out) > 1:
        rest = {k: v for k, v in out.items() if k != "$ref"}
        out = {"allOf": [{"$ref": out["$ref"]}, rest]}
    if nullable:
        out = {"anyOf": [out, {"type": "null"}]}
    return out


class Spec:
    """Loaded subset of GitHub's OpenAPI description."""

    def __init__(self, path: Path = SPEC_PATH) -> None:
        raw = json.loads(path.read_text(encoding="utf-8"))
        self.source = raw.get("x-source", {})
        self.doc = _convert(raw)
        resource = Resource.from_contents(self.doc, default_specification=DRAFT7)
        self.registry = Registry().with_resource(BASE, resource)
        self.routes = [self._compile(t, item) for t, item in self.doc["paths"].items()]
        # Literal-only routes win over parameterised ones; greedy multi-segment routes go last.
        self.routes.sort(key=lambda r: (r.multi, -len(r.template.replace("{", "").split("/"))))

    def _deref(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            node = self.registry.resolver().lookup(node["$ref"]).contents
        return node

    def _params(self, template: str, op: dict[str, Any], item: dict[str, Any]) -> list[dict]:
        return [self._deref(p) for p in item.get("parameters", []) + op.get("parameters", [])]

    def _compile(self, template: str, item: dict[str, Any]) -> _Route:
        ops = {m.upper(): op for m, op in item.items() if m != "parameters"}
        any_op = next(iter(ops.values()))
        types = {
            p["name"]: p.get("schema", {}).get("type")
            for p in self._params(template, any_op, item)
            if p["in"] == "path"
        }
        multi = False
        pattern = "^"
        for piece in re.split(r"(\{[^}]+\})", template):
            if piece.startswith("{"):
                name = piece[1:-1]
                if (template, name) in MULTI_SEGMENT:
                    multi = True
                    pattern += f"(?P<{name}>.+)"
                elif types.get(name) == "integer":
                    pattern += f"(?P<{name}>[0-9]+)"
                else:
                    pattern += f"(?P<{name}>[^/]+)"
            else:
                pattern += re.escape(piece)
        for op in ops.values():
            op["_parameters"] = self._params(template, op, item)
        return _Route(template, re.compile(pattern + "$"), ops, multi)

    def match(self, method: str, path: str) -> Match | None | str:
        """Match, or None for an unknown path, or "method" when only the verb is wrong."""
        for verb, pattern, rewrite in ALIASES:
            if verb == method and pattern.match(path):
                path = pattern.sub(rewrite, path)
        verb_mismatch = False
        for route in self.routes:
            m = route.regex.match(path)
            if not m:
                continue
            op = route.operations.get(method)
            if op is None:
                verb_mismatch = True
                continue
            return Match(route.template, method, op, m.groupdict())
        return "method" if verb_mismatch else None

    def _errors(self, schema: dict[str, Any], value: Any) -> list[str]:
        validator = jsonschema.Draft7Validator(schema, registry=self.registry)
        errors = sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
        return [
            f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message[:300]}" for e in errors
        ]

    def check_request(
        self, match: Match, query: dict[str, list[str]], body: Any, is_json: bool
    ) -> list[str]:
        problems: list[str] = []
        declared = {p["name"]: p for p in match.operation["_parameters"]}
        for name, p in declared.items():
            if p["in"] == "path":
                value = match.params.get(name)
                problems += [f"path {name}: {e}" for e in self._scalar(p, value)]
            elif p["in"] == "query":
                if name in query:
                    problems += [f"query {name}: {e}" for e in self._scalar(p, query[name][-1])]
                elif p.get("required"):
                    problems.append(f"query {name}: required but missing")
        for name in query:
            if name not in declared and ("*", "*", name) not in EXTRA_QUERY:
                problems.append(f"query {name}: not a parameter of this operation")
        rb = match.operation.get("requestBody")
        if rb and is_json:
            schema = rb.get("content", {}).get("application/json", {}).get("schema")
            if schema is not None:
                if body is None and rb.get("required"):
                    problems.append("body: required but missing")
                elif body is not None:
                    wrap = BARE_ARRAY_BODY.get((match.method, match.template))
                    if wrap and isinstance(body, list):
                        body = {wrap: body}
                    problems += [f"body {e}" for e in self._errors(schema, body)]
        return problems

    def _scalar(self, param: dict[str, Any], raw: str | None) -> list[str]:
        schema = param.get("schema", {})
        if raw is None:
            return []
        value: Any = raw
        typ = schema.get("type")
        try:
            if typ == "integer":
                value = int(raw)
            elif typ == "boolean":
                if raw not in ("true", "false"):
                    return [f"{raw!r} is not a boolean"]
                value = raw == "true"
        except ValueError:
            return [f"{raw!r} is not an integer"]
        return self._errors(schema, value)

    def check_response(self, match: Match, status: int, body: Any, content_type: str) -> list[str]:
        responses = match.operation.get("responses", {})
        key = str(status) if str(status) in responses else "default"
        resp = responses.get(key)
        if resp is None and (match.method, match.template, status) in UNDOCUMENTED_ERRORS:
            return [] if isinstance(body, dict) and "message" in body else ["error without message"]
        if resp is None:
            return [f"status {status} is not a documented response ({sorted(responses)})"]
        resp = self._deref(resp)
        content = resp.get("content")
        if not content:
            # Gap: some error responses (e.g. 422 on asset upload) are documented without a
            # body, yet GitHub always sends its {message, documentation_url} error object.
            if status >= 400 and isinstance(body, dict) and "message" in body:
                return []
            return [] if body in (None, b"") else [f"status {status} documents no body"]
        media = content.get("application/json")
        if media is None or "json" not in content_type:
            return []
        return [f"response {status} {e}" for e in self._errors(media.get("schema", {}), body)]
