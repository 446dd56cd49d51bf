"""Published releases with real evidence (the Action's publish flow), and the promotion CLI
run as a user runs it, against the fake GitHub."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from tests.action_util import ROOT
from tests.action_zygote import run_python
from tests.test_action_e2e import open_release_prs

POLICY = """environments:
  staging: {}
  production:
    after: staging
    soak: 24h
    max-active: 2
"""


def publish(fake, action, message: str, path: str) -> str:
    """Land `message` on main, run the Action (release PR), merge it, run it again (publish);
    returns the new tag."""
    fake.commit("main", message, {path: message + "\n"})
    assert action.run("push").code == 0
    (pr,) = open_release_prs(fake)
    fake.merge_pull(pr.number)
    done = action.run("pull_request.closed", event=action.merged_event(pr.number))
    assert done.code == 0, done.stdout + done.stderr
    return done.outputs["tag_name"]


def releases(fake, action, count: int) -> list[str]:
    fake.commit("main", "chore: init", {"README.md": "hi\n"})
    fake.tag("v1.0.0")
    return [publish(fake, action, f"feat: feature {i}", f"src/f{i}.py") for i in range(count)]


@dataclass
class Cli:
    code: int
    stdout: str
    stderr: str

    @property
    def outputs(self) -> dict[str, str]:
        return dict(line.split("=", 1) for line in self.stdout.splitlines() if "=" in line)


class Promoter:
    def __init__(self, fake, tmp_path: Path, policy: str = POLICY) -> None:
        self.fake = fake
        self.checkout = tmp_path / "checkout"
        (self.checkout / ".github").mkdir(parents=True, exist_ok=True)
        (self.checkout / ".github" / "releaser.yml").write_text(policy)
        self.env = {
            "PATH": os.environ["PATH"],
            "HOME": str(tmp_path),
            "GITHUB_TOKEN": fake.token,
            "GITHUB_API_URL": fake.api_url,
            "GITHUB_REPOSITORY": fake.full_name,
            "GITHUB_ACTOR": "octocat",
            "RELEASER_SECONDS_BETWEEN_WRITES": "0",
            "RELEASER_TEST_RETRY_SCALE": "0.001",
            "PYTHONPATH": str(ROOT),
        }

    def __call__(self, *args: str, **env: str) -> Cli:
        # `python -m releaser ARGS`, forked from a pre-imported Python (tests/action_zygote.py).
        code, stdout, stderr = run_python(
            ["-m", "releaser", *args], {**self.env, **env}, self.checkout, timeout=120
        )
        return Cli(code, stdout, stderr)

    def ok(self, *args: str, **env: str) -> Cli:
        result = self(*args, **env)
        assert result.code == 0, result.stdout + result.stderr
        return result

    def history(self, *args: str) -> list[dict]:
        return json.loads(self.ok("history", "--json", *args).stdout)

    def deploy(self, tag: str, env: str, *args: str, state: str = "success") -> int:
        deployment = int(self.ok("promote", tag, "--to", env, *args).outputs["deployment_id"])
        self.ok("deployment-status", str(deployment), state)
        return deployment


MODEL_CONFIG = 'components:\n  - {name: churn, path: models/churn, tag-prefix: "churn@v"}\n'


def model_files(auc: float, round_: int) -> dict[str, str | bytes]:
    """models/churn: model.yaml declaring `auc`, and weights that differ each round."""
    import yaml

    from tests.modelutil import manifest, sha

    weights = f"weights {round_}\n".encode() * 50
    # Declared digests: read at a tag (no manifest asset), model.yaml's files are not hashed.
    entry = {"path": "model.safetensors", "sha256": sha(weights), "size": len(weights)}
    data = manifest(
        artifact={"format": "safetensors", "files": [entry]},
        metrics=[{"name": "auc", "value": auc, "dataset": "holdout"}],
    )
    return {
        "models/churn/model.yaml": yaml.safe_dump(data, sort_keys=False),
        "models/churn/model.safetensors": weights,
    }


def annotate(fake, tag: str) -> None:
    """Make `tag` annotated, as GTO's registry tags are (GTO ignores lightweight ones)."""
    from tests.fakegithub.gitbackend import Person

    commit = fake.tags()[tag]
    who = Person("releaser", "bot@example.com", "1700000000 +0000")
    obj = fake.git.mktag(tag, commit, "commit", f"Registering churn {tag}\n", who)
    fake.git.update_ref(f"refs/tags/{tag}", obj)


def model_releases(fake, action, aucs: list[float]) -> list[str]:
    """churn@v1.0.0, then one released (feat) model version per `auc`: their tags."""
    fake.commit(
        "main", "chore: init", {".github/releaser.yml": MODEL_CONFIG, **model_files(0.5, -1)}
    )
    fake.tag("churn@v1.0.0")
    tags = []
    for index, auc in enumerate(aucs):
        before = set(fake.tags())
        fake.commit("main", f"feat(churn): retrain {index}", model_files(auc, index))
        assert action.run("push").code == 0
        (pr,) = open_release_prs(fake)
        fake.merge_pull(pr.number)
        done = action.run("pull_request.closed", event=action.merged_event(pr.number))
        assert done.code == 0, done.stdout + done.stderr
        (tag,) = set(fake.tags()) - before
        annotate(fake, tag)
        tags.append(tag)
    return tags
