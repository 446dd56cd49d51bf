"""HTTP front: auth, fault injection, spec validation, accounting, and dispatch to handlers."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

from . import faults as faultmod
from . import scopes
from .handlers import ROUTES, ApiError, Request, Response
from .validation import Match

if TYPE_CHECKING:
    from .fake import FakeGitHub

API, UPLOADS, DOWNLOADS = "/api/v3", "/api/uploads", "/api/_downloads/"
# Endpoints authenticated by the App's JWT rather than a token.
JWT_TEMPLATES = {
    "/repos/{owner}/{repo}/installation",
    "/app/installations/{installation_id}/access_tokens",
}


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    # TCP_NODELAY: headers and body leave in two writes; with Nagle on, the body waits for the
    # client's delayed ACK (40 ms on Linux) on every keep-alive request.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass  # keep pytest output clean

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PATCH(self) -> None:
        self._serve("PATCH")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def _serve(self, method: str) -> None:
        fake = self.server.fake
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        path = split.path
        if path.startswith(DOWNLOADS):
            self._send(fake.serve_download(path[len(DOWNLOADS) :]))
            return
        web_download = f"/{fake.owner}/{fake.repo}/releases/download/"
        if path.startswith(web_download):  # browser_download_url of a public repo's asset
            self._send(fake.serve_browser_download(unquote(path[len(web_download) :])))
            return
        for prefix in (UPLOADS, API):
            if path == prefix or path.startswith(prefix + "/"):
                rel = unquote(path[len(prefix) :]) or "/"
                break
        else:
            fake.violation(f"{method} {path}: outside /api/v3 and /api/uploads")
            self._send(Response(404, ApiError(404, "Not Found").body()))
            return
        fake.faults.gate(method, rel)
        fault = fake.faults.take(method, rel)
        if fault == "drop_before":
            fake.record(method, rel, 0)
            self.close_connection = True
            self.connection.close()
            return
        if fault and fault != "drop_after":
            status, headers, body = faultmod.canned(fault)
            fake.record(method, rel, status)
            self._send(Response(status, body, headers))
            return
        response = self._dispatch(method, rel, split.query, raw, prefix)
        fake.record(method, rel, 0 if fault else response.status)
        if fault == "drop_after":
            self.close_connection = True
            self.connection.close()
            return
        self._send(response)

    def _dispatch(self, method: str, rel: str, query_s: str, raw: bytes, prefix: str) -> Response:
        fake = self.server.fake
        match = fake.spec.match(method, rel)
        if not isinstance(match, Match):
            fake.violation(f"{method} {rel}: no such operation in the spec")
            return Response(404, ApiError(404, "Not Found").body())
        query = parse_qs(query_s, keep_blank_values=True)
        ctype = self.headers.get("Content-Type", "")
        is_json = prefix == API and bool(raw)
        body: Any = None
        if is_json:
            try:
                body = json.loads(raw)
            except ValueError:
                fake.violation(f"{method} {rel}: body is not JSON ({ctype})")
                return Response(400, ApiError(400, "Problems parsing JSON").body())
        auth = self.headers.get("Authorization", "")
        login = fake.authenticate(auth, jwt=match.template in JWT_TEMPLATES)
        if login is None:
            return Response(401, ApiError(401, "Bad credentials").body())
        token = auth.partition(" ")[2].strip()
        with fake.state.lock:
            scope = fake.state.scopes.get(token)
        if scope is not None and match.template not in JWT_TEMPLATES:
            named = match.params.get("repo") if "owner" in match.params else None
            if not scopes.allows(scope, named, method, match.template):
                message = "Resource not accessible by integration"
                return Response(403, ApiError(403, message).body())
        problems = fake.spec.check_request(match, query, body, is_json)
        if problems:
            for p in problems:
                fake.violation(f"{method} {rel}: request {p}")
            return Response(422, ApiError(422, "Invalid request.\n\n" + "; ".join(problems)).body())
        params = match.params
        if "owner" in params and "repo" in params:
            named = (params["owner"].lower(), params["repo"].lower())
            if named != (fake.owner.lower(), fake.repo.lower()):
                return Response(404, ApiError(404, "Not Found").body())  # one repository only
        handler = ROUTES.get((method, match.template))
        if handler is None:
            fake.violation(f"{method} {match.template}: in the spec subset but not implemented")
            return Response(404, ApiError(404, "Not Found").body())
        host = f"http://{self.headers.get('Host', '127.0.0.1')}"
        req = Request(
            fake=fake,
            method=method,
            path=rel,
            params=match.params,
            query=query,
            headers={k.lower(): v for k, v in self.headers.items()},
            raw=raw,
            body=body,
            login=login,
            base_url=f"{host}{prefix}{rel}",
        )
        try:
            with fake.state.lock:
                response = handler(req)
        except ApiError as err:
            response = Response(err.status, err.body())
        except Exception as exc:  # noqa: BLE001 - a crash in the fake must surface as a violation
            fake.violation(f"{method} {rel}: handler crashed: {exc!r}")
            response = Response(500, ApiError(500, f"fake crashed: {exc!r}").body())
        if isinstance(response.body, (dict, list)) or response.body is None:
            for p in fake.spec.check_response(
                match, response.status, response.body, response.content_type
            ):
                fake.violation(f"{method} {rel}: {p}")
        return response

    def _send(self, response: Response) -> None:
        if isinstance(response.body, bytes):
            payload = response.body
        elif response.body is None:
            payload = b""
        else:
            payload = json.dumps(response.body).encode("utf-8")
        self.send_response(response.status)
        headers = {"X-GitHub-Api-Version-Selected": "2022-11-28", **response.headers}
        if payload or response.status != 204:
            headers.setdefault("Content-Type", response.content_type)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if payload and self.command != "HEAD":
            self.wfile.write(payload)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeGitHub


def start(fake: FakeGitHub) -> tuple[_Server, threading.Thread]:
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.fake = fake
    thread = threading.Thread(
        target=httpd.serve_forever, args=(0.05,), name="fakegithub", daemon=True
    )
    thread.start()
    return httpd, thread
