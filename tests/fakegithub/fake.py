"""FakeGitHub: the object tests hold: lifecycle, seeding helpers, accounting, assertions."""

from __future__ import annotations

import re
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import appauth
from .faults import Faults
from .gitbackend import GitRepo, Person
from .handlers import Response, deployments, pulls
from .payloads import Urls
from .state import (
    Approval,
    CheckRun,
    Deployment,
    Environment,
    Issue,
    Pull,
    Release,
    Review,
    State,
    Status,
    now,
)
from .validation import Spec

_SPEC: Spec | None = None


def _spec() -> Spec:
    global _SPEC  # parsing the spec once per process keeps each test fast
    if _SPEC is None:
        _SPEC = Spec()
    return _SPEC


@dataclass(frozen=True, slots=True)
class Call:
    method: str
    path: str  # relative to /api/v3 or /api/uploads, without the query
    status: int  # 0 when the connection was dropped


class FakeGitHub:
    """A GitHub REST stand-in for one repository, backed by a bare git repo in `workdir`."""

    def __init__(
        self,
        workdir: Path,
        owner: str = "acme",
        repo: str = "widgets",
        default_branch: str = "main",
    ) -> None:
        self.owner, self.repo, self.default_branch = owner, repo, default_branch
        self.bare_path = Path(workdir) / f"{repo}.git"
        self.git = GitRepo(self.bare_path, default_branch)
        self.state = State()
        self.spec = _spec()
        self.faults = Faults()
        self.repo_id = 424242
        self.token = "ghp_fake_test_token"
        self.user_login = "releaser-bot"
        self.state.tokens[self.token] = self.user_login
        self.app = appauth.App.create(owner)
        self.calls: list[Call] = []
        self.violations: list[str] = []
        self._record_lock = threading.Lock()
        self._httpd: Any = None
        self.urls: Urls = Urls(0, owner, repo)

    # lifecycle ----------------------------------------------------------------------------
    def start(self) -> FakeGitHub:
        from .server import start  # late import: server imports handlers which import this

        self._httpd, self._thread = start(self)
        self.port = self._httpd.server_address[1]
        self.urls = Urls(self.port, self.owner, self.repo)
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> FakeGitHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def api_url(self) -> str:
        return self.urls.api

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.repo}"

    @property
    def clone_url(self) -> str:
        return str(self.bare_path)

    def client(self, retry: Any = None, token: str | None = None, **kw: Any) -> Any:
        """A PyGithub client pointed at this fake (retry=None disables PyGithub's retries)."""
        from github import Auth, Github

        # PyGithub sleeps 0.25 s between requests and 1 s between writes by default.
        kw.setdefault("seconds_between_requests", 0)
        kw.setdefault("seconds_between_writes", 0)
        return Github(
            base_url=self.api_url, auth=Auth.Token(token or self.token), retry=retry, **kw
        )

    # accounting ---------------------------------------------------------------------------
    def record(self, method: str, path: str, status: int) -> None:
        with self._record_lock:
            self.calls.append(Call(method, path, status))

    @property
    def requests(self) -> list[tuple[str, str, int]]:
        return [(c.method, c.path, c.status) for c in self.calls]

    def reset_requests(self) -> list[Call]:
        """Start a new phase; returns the calls of the phase that just ended."""
        with self._record_lock:
            done, self.calls = self.calls, []
        return done

    def count(self, method: str | None = None, path_regex: str | None = None) -> int:
        pattern = re.compile(path_regex) if path_regex else None
        return sum(
            1
            for c in self.calls
            if (method is None or c.method == method)
            and (pattern is None or pattern.search(c.path))
        )

    def violation(self, text: str) -> None:
        with self._record_lock:
            self.violations.append(text)

    def take_violations(self) -> list[str]:
        """Return and clear recorded violations (for tests that provoke them on purpose)."""
        with self._record_lock:
            out, self.violations = self.violations, []
        return out

    def inject(self, method: str, path_regex: str, fault: str, times: int = 1) -> None:
        """Make the next `times` requests matching method+regex (on the API-relative path) fail."""
        self.faults.add(method, path_regex, fault, times)

    def race(self, method: str, path_regex: str, parties: int = 2, timeout: float = 20.0) -> None:
        """Hold the next `parties` matching requests until all have arrived, then serve them
        together, so concurrent clients really do race on that endpoint."""
        self.faults.add_gate(method, path_regex, parties, timeout)

    # auth ---------------------------------------------------------------------------------
    def add_token(self, token: str, login: str) -> None:
        with self.state.lock:
            self.state.tokens[token] = login

    def authenticate(self, header: str, jwt: bool) -> str | None:
        scheme, _, value = header.partition(" ")
        if scheme.lower() not in ("token", "bearer") or not value:
            return None
        if jwt:
            return self.app.verify_jwt(value)
        with self.state.lock:
            return self.state.tokens.get(value.strip())

    def app_auth(self) -> Any:
        """PyGithub Auth.AppAuth for the fake App (key generated per process)."""
        from github import Auth

        return Auth.AppAuth(self.app.app_id, self.app.private_key_pem)

    # git seeding --------------------------------------------------------------------------
    def push_from(self, local_repo: Path, *refspecs: str) -> None:
        """`git push` from a local clone into the bare repo (default: all branches and tags)."""
        specs = list(refspecs) or ["--all"]
        subprocess.run(
            ["git", "-C", str(local_repo), "push", "-q", "--force", str(self.bare_path), *specs],
            check=True,
        )
        if not refspecs:
            subprocess.run(
                ["git", "-C", str(local_repo), "push", "-q", "--tags", str(self.bare_path)],
                check=True,
            )

    def commit(
        self,
        branch: str,
        message: str,
        files: dict[str, str | bytes | None] | None = None,
        author: tuple[str, str] = ("Dev Eloper", "dev@example.com"),
        date: int | None = None,
    ) -> str:
        """Commit on `branch` (created from nothing if new); a None content deletes the file."""
        with self.state.lock:
            parent = self.git.resolve(f"refs/heads/{branch}")
            base_tree = self.git.read_commit(parent).tree if parent else None
            changes: dict[str, tuple | None] = {}
            for path, content in (files or {}).items():
                if content is None:
                    changes[path] = None
                else:
                    data = content.encode("utf-8") if isinstance(content, str) else content
                    changes[path] = ("100644", "blob", self.git.hash_blob(data))
            tree = self.git.tree_with_changes(base_tree, changes)
            when = f"{date if date is not None else int(time.time())} +0000"
            person = Person(author[0], author[1], when)
            sha = self.git.commit_tree(tree, [parent] if parent else [], message, person, person)
            self.git.update_ref(f"refs/heads/{branch}", sha)
            return sha

    def branch(self, name: str, from_ref: str | None = None) -> str:
        with self.state.lock:
            sha = self.git.resolve_commit(from_ref or self.default_branch)
            assert sha, f"no commit {from_ref!r}"
            self.git.update_ref(f"refs/heads/{name}", sha)
            return sha

    def tag(self, name: str, ref: str | None = None) -> str:
        """Create a lightweight tag."""
        with self.state.lock:
            sha = self.git.resolve_commit(ref or self.default_branch)
            assert sha, f"no commit {ref!r}"
            self.git.update_ref(f"refs/tags/{name}", sha)
            return sha

    def ref_sha(self, ref: str) -> str | None:
        return self.git.resolve(ref)

    def tags(self) -> dict[str, str]:
        """tag name -> the commit it points at."""
        out = {}
        for name, _, _ in self.git.refs("refs/tags/"):
            out[name.removeprefix("refs/tags/")] = self.git.resolve_commit(name) or ""
        return out

    def branches(self) -> dict[str, str]:
        return {n.removeprefix("refs/heads/"): s for n, s, _ in self.git.refs("refs/heads/")}

    def log(self, ref: str, fmt: str = "%s") -> list[str]:
        """`git log --format=fmt ref` lines of the bare repo, newest first."""
        return self.git.text("log", f"--format={fmt}", ref).splitlines()

    # state seeding / reading --------------------------------------------------------------
    @property
    def pulls(self) -> dict[int, Pull]:
        return self.state.pulls

    @property
    def releases(self) -> dict[int, Release]:
        return self.state.releases

    @property
    def labels(self) -> dict[str, Any]:
        return self.state.labels

    def comments(self, number: int) -> list[str]:
        return [c.body for c in self.state.comments if c.issue == number]

    def release_by_tag(self, tag: str) -> Release | None:
        return next((r for r in self.state.releases.values() if r.tag_name == tag), None)

    def create_pull(
        self,
        head: str,
        base: str | None = None,
        title: str = "A change",
        body: str = "",
        user: str = "contributor",
        head_repo: str = "",
    ) -> Pull:
        """A PR from `head` of this repository, or of the fork `head_repo` ("owner/name"), whose
        branch the bare repository keeps at pulls.fork_ref(head_repo, head)."""
        with self.state.lock:
            return pulls.open_pull(
                self, head, base or self.default_branch, title, body, user, head_repo=head_repo
            )

    def merge_pull(
        self,
        number: int,
        user: str = "maintainer",
        method: str = "squash",
        commit_title: str | None = None,
        commit_message: str | None = None,
    ) -> str:
        """Merge as `user` exactly like PUT /pulls/{n}/merge; returns the new commit sha."""
        with self.state.lock:
            return pulls.merge(
                self, self.state.pulls[number], user, method, commit_title, commit_message
            )

    def add_review(
        self,
        number: int,
        user: str,
        state: str = "APPROVED",
        body: str = "",
        commit_id: str | None = None,
        association: str = "MEMBER",
    ) -> Review:
        """A review by `user` (a login ending in "[bot]" is a Bot account)."""
        with self.state.lock:
            pr = self.state.pulls[number]
            sha = commit_id or pulls.head_sha(self, pr)
            review = Review(
                self.state.next_id(), number, user, state, body, sha, now(), association
            )
            self.state.reviews.append(review)
            return review

    def add_check_run(
        self,
        sha: str,
        name: str,
        status: str = "completed",
        conclusion: str | None = "success",
        app: str = "",
    ) -> CheckRun:
        """A check run created by App `app` (a slug; "" is the fake's own App)."""
        with self.state.lock:
            done = now() if status == "completed" else None
            run = CheckRun(self.state.next_id(), sha, name, status, conclusion, now(), done)
            run.app = app
            self.state.check_runs.append(run)
            return run

    def add_status(
        self, sha: str, state: str, context: str = "ci/test", creator: str = "ci-bot"
    ) -> Status:
        with self.state.lock:
            st = Status(self.state.next_id(), sha, state, context, None, None, creator, now())
            self.state.statuses.append(st)
            return st

    # deployments ----------------------------------------------------------------------------
    @property
    def deployments(self) -> dict[int, Deployment]:
        return self.state.deployments

    @property
    def issues(self) -> dict[int, Issue]:
        return self.state.issues

    def add_environment(self, name: str, reviewers: tuple[str, ...] = ()) -> Environment:
        """A GitHub Environment, with required reviewers (users) when given."""
        with self.state.lock:
            env = deployments.ensure_environment(self, name)
            env.reviewers = list(reviewers)
            return env

    def approve_run(
        self, run_id: int, environment: str, user: str, state: str = "approved", comment: str = ""
    ) -> None:
        """A required reviewer's review of run `run_id`'s deployment to `environment`."""
        with self.state.lock:
            self.state.run_approvals.setdefault(run_id, []).append(
                Approval(environment, state, user, comment)
            )

    def deployment_states(self, deployment_id: int) -> list[str]:
        """A deployment's status states, oldest first."""
        with self.state.lock:
            return [s.state for s in self.state.deployments[deployment_id].statuses]

    def age_deployments(self, seconds: float) -> None:
        """Move every deployment and status `seconds` into the past (soak and --at tests)."""
        with self.state.lock:
            for d in self.state.deployments.values():
                d.created_at -= seconds
                for s in d.statuses:
                    s.created_at -= seconds

    def serve_download(self, rest: str) -> Response:
        asset_id, _, _ = rest.partition("/")
        with self.state.lock:
            asset = self.state.asset(int(asset_id)) if asset_id.isdigit() else None
            if asset is None:
                return Response(404, b"Not Found", content_type="text/plain")
            asset.download_count += 1
            return Response(200, asset.data, content_type="application/octet-stream")

    def serve_browser_download(self, tag_and_name: str) -> Response:
        tag, _, name = tag_and_name.rpartition("/")
        with self.state.lock:
            rel = self.release_by_tag(tag)
            asset = next((a for a in rel.assets if a.name == name), None) if rel else None
            if asset is None:
                return Response(404, b"Not Found", content_type="text/plain")
            return self.serve_download(f"{asset.id}/{name}")
