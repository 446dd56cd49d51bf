"""Run entrypoint.py the way the Actions runner runs a Docker action, against the fake GitHub."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.action_zygote import run_entrypoint
from tests.fakegithub.events import make_event
from tests.fakegithub.handlers.pulls import pull_json

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ".github/workflows/release.yml"


@dataclass
class RunResult:
    code: int
    stdout: str
    stderr: str
    outputs: dict[str, str]
    summary: str


def parse_outputs(text: str) -> dict[str, str]:
    """Read GITHUB_OUTPUT's `name<<DELIM` heredoc blocks back."""
    out: dict[str, str] = {}
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line:
            name, delim = line.split("<<", 1)
            j = i + 1
            value = []
            while lines[j] != delim:
                value.append(lines[j])
                j += 1
            out[name] = "\n".join(value)
            i = j + 1
        else:
            i += 1
    return out


class ActionRunner:
    def __init__(self, fake, tmp_path: Path) -> None:
        self.fake = fake
        self.tmp = tmp_path
        self.workspace = tmp_path / "workspace"
        self.runs = 0

    def clone(self, depth: int | None = None) -> Path:
        if self.workspace.exists():
            subprocess.run(["rm", "-rf", str(self.workspace)], check=True)
        args = ["git", "clone", "-q"]
        if depth:
            args += ["--depth", str(depth), "--no-tags"]
        args += [f"file://{self.fake.bare_path}", str(self.workspace)]
        subprocess.run(args, check=True, capture_output=True)
        return self.workspace

    def run(
        self,
        event_kind: str = "push",
        inputs: dict[str, str] | None = None,
        event: dict | None = None,
        clone: bool = True,
        depth: int | None = None,
        extra_env: dict[str, str] | None = None,
        event_path: str | None = None,
    ) -> RunResult:
        env = self.environment(event_kind, inputs, event, clone, depth, extra_env, event_path)
        self.workspace.mkdir(exist_ok=True)
        # `python entrypoint.py` with exactly `env`; forked from a pre-imported Python where
        # that is indistinguishable (tests/action_zygote.py), else spawned.
        code, stdout, stderr = run_entrypoint(env, self.workspace, timeout=120)
        output = Path(env["GITHUB_OUTPUT"])
        summary = Path(env["GITHUB_STEP_SUMMARY"])
        return RunResult(
            code,
            stdout,
            stderr,
            parse_outputs(output.read_text()) if output.exists() else {},
            summary.read_text() if summary.exists() else "",
        )

    def environment(
        self,
        event_kind: str = "push",
        inputs: dict[str, str] | None = None,
        event: dict | None = None,
        clone: bool = True,
        depth: int | None = None,
        extra_env: dict[str, str] | None = None,
        event_path: str | None = None,
    ) -> dict[str, str]:
        """The runner's environment for one run (its workspace cloned, its event file written)."""
        self.runs += 1
        run_dir = self.tmp / f"run{self.runs}"
        run_dir.mkdir()
        if clone:
            self.clone(depth)
        sha = self.fake.ref_sha("refs/heads/main")
        if event is None:
            event = make_event(
                event_kind,
                repo=self.fake.full_name,
                default_branch="main",
                **({"ref": "refs/heads/main", "after": sha} if event_kind == "push" else {}),
            )
        (run_dir / "event.json").write_text(json.dumps(event))
        env = {
            "PATH": os.environ["PATH"],
            "HOME": str(run_dir),
            "GITHUB_ACTIONS": "true",
            "GITHUB_API_URL": self.fake.api_url,
            "GITHUB_SERVER_URL": self.fake.api_url.rsplit("/api/", 1)[0],
            "GITHUB_REPOSITORY": self.fake.full_name,
            "GITHUB_EVENT_NAME": event_kind.split(".")[0],
            "GITHUB_EVENT_PATH": event_path or str(run_dir / "event.json"),
            "GITHUB_REF": "refs/heads/main",
            "GITHUB_SHA": sha or "",
            "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_OUTPUT": str(run_dir / "output"),
            "GITHUB_STEP_SUMMARY": str(run_dir / "summary"),
            "GITHUB_RUN_ID": "4242",
            "GITHUB_RUN_ATTEMPT": "1",
            "GITHUB_ACTOR": "octocat",
            "GITHUB_WORKFLOW_REF": f"{self.fake.full_name}/{WORKFLOW}@refs/heads/main",
            "RUNNER_TEMP": str(run_dir),
            "RELEASER_SECONDS_BETWEEN_WRITES": "0",
            # Retries keep their count and order; their waits shrink a thousandfold.
            "RELEASER_TEST_RETRY_SCALE": "0.001",
            "INPUT_TOKEN": self.fake.token,
        }
        for name, value in (inputs or {}).items():
            env[f"INPUT_{name.upper()}"] = value
        env.update(extra_env or {})
        return env

    def merged_event(self, number: int) -> dict:
        """The pull_request.closed event GitHub sends for PR `number` as the fake holds it."""
        pull = self.fake.pulls[number]
        data = pull_json(self.fake, pull, full=False)
        return make_event(
            "pull_request.closed",
            repo=self.fake.full_name,
            default_branch="main",
            number=number,
            merged=True,
            merge_commit_sha=pull.merge_commit_sha,
            head_ref=pull.head,
            head_sha=pull.head_sha,
            base_ref=pull.base,
            title=pull.title,
            body=pull.body,
            labels=list(pull.labels),
            user=data["user"],
            author_association=data["author_association"],
            head_repo=data["head"]["repo"],
        )
