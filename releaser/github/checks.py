"""Check runs releaser writes itself (the model gates on a release PR's head): looked up
first, so a re-run with the same result writes nothing and a changed one updates in place."""

from __future__ import annotations

from typing import Any

from github import GithubException

from releaser.errors import GitHubError
from releaser.github.base import PER_PAGE, Base

# Set on the check runs releaser creates. Any App may set any external_id, so this only keeps
# releaser off runs of the same name that other producers post; it proves nothing.
EXTERNAL_ID = "releaser/model-gates"


class Checks(Base):
    def _own_runs(self, name: str, head_sha: str) -> list[dict[str, Any]]:
        data = self._get(
            f"/commits/{head_sha}/check-runs", {"check_name": name, "per_page": PER_PAGE}
        )
        return [
            run
            for run in data.get("check_runs") or ()
            if run.get("name") == name
            and run.get("head_sha") == head_sha
            and run.get("external_id") == EXTERNAL_ID
        ]

    def upsert_check_run(
        self, name: str, head_sha: str, conclusion: str, title: str, summary: str
    ) -> str:
        """A completed check run `name` on `head_sha` saying `conclusion`, `title` and
        `summary`: "unchanged" when releaser's run there says so already, "updated" when it
        said something else, "created" when there was none (or it may not be updated)."""
        try:
            return self._upsert_check_run(name, head_sha, conclusion, title, summary)
        except GithubException as exc:
            if exc.status != 403 or exc.headers and exc.headers.get("retry-after"):
                raise
            raise GitHubError(
                f"the {name} check run was refused (HTTP 403): grant the token `checks: write`",
                hint="a model release's gates are enforced through this check run",
            ) from None

    def check_run_current(
        self, name: str, head_sha: str, conclusion: str, title: str, summary: str
    ) -> bool:
        """Whether releaser's newest `name` run on `head_sha` says exactly this already."""
        runs = self._own_runs(name, head_sha)  # newest first
        return bool(runs) and _same(runs[0], conclusion, title, summary)

    def _upsert_check_run(
        self, name: str, head_sha: str, conclusion: str, title: str, summary: str
    ) -> str:
        output = {"title": title, "summary": summary}
        wanted = {"status": "completed", "conclusion": conclusion, "output": output}

        def same(run: dict[str, Any]) -> bool:
            return _same(run, conclusion, title, summary)

        runs = self._own_runs(name, head_sha)  # newest first
        if any(same(run) for run in runs[:1]):
            return "unchanged"
        if runs:
            try:
                self._write("PATCH", f"/check-runs/{runs[0]['id']}", {"name": name, **wanted})
                return "updated"
            except GithubException as exc:
                # Another App's run that carries our external_id: GitHub refuses; ours is new.
                if exc.status not in (403, 404):
                    raise

        def done() -> dict[str, Any] | None:
            found = self._own_runs(name, head_sha)
            return found[0] if found and same(found[0]) else None

        body = {"name": name, "head_sha": head_sha, "external_id": EXTERNAL_ID, **wanted}
        self._write("POST", "/check-runs", body, done)
        return "created"


def _same(run: dict[str, Any], conclusion: str, title: str, summary: str) -> bool:
    shown = run.get("output") or {}
    return (
        run.get("status") == "completed"
        and run.get("conclusion") == conclusion
        and shown.get("title") == title
        and (shown.get("summary") or "").strip() == summary.strip()
    )
