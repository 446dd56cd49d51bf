"""What a model plan costs besides hashing: the git processes it starts, what `releaser plan`
loads before it forks its planner and after, and the planner's answers, which print exactly
as planning in-process does. The child processes themselves: test_model_plan_children."""

from __future__ import annotations

import json

import pytest

from tests.gitutil import Repo
from tests.modelutil import WEIGHTS, sha, write_model
from tests.test_model_plan_e2e import (
    MODEL,
    NEW_WEIGHTS,
    base,
    change,
    churn,
    commit_all,
    edited,
    released,
    rules,
)


def git_commands(trace) -> list[str]:
    """The git commands a run started, from GIT_TRACE's log (`git cat-file blob <oid>`...)."""
    marker = "trace: built-in: git "
    return [
        line.split(marker, 1)[1].replace("'", "")
        for line in trace.read_text().splitlines()
        if marker in line
    ]


def test_the_baseline_is_read_at_the_tag_with_one_listing_and_no_process_per_file(
    tmp_path, monkeypatch
):
    repo = released(tmp_path)  # model.yaml and small weights committed at churn@v1.0.0
    change(repo, base(), NEW_WEIGHTS)
    trace = tmp_path / "trace"
    monkeypatch.setenv("GIT_TRACE", str(trace))
    release = churn(repo)
    assert release["model"]["flags"] == ["unexplained-artifact-change"]
    commands = git_commands(trace)
    listings = [c for c in commands if c.startswith("ls-tree")]
    assert listings == [f"ls-tree -r -z --long {repo.git('rev-parse', 'churn@v1.0.0')} -- {MODEL}"]
    assert not [c for c in commands if c.startswith("cat-file blob") or c.startswith("show")]


def test_lfs_pointers_at_the_tag_are_read_without_a_process_each(tmp_path, monkeypatch):
    data = base()
    data["artifact"]["files"][0]["sha256"] = sha(WEIGHTS)
    repo = released(tmp_path, data=data)
    pointer = (
        "version https://git-lfs.github.com/spec/v1\n"
        f"oid sha256:{sha(WEIGHTS)}\nsize {len(WEIGHTS)}\n"
    )
    (repo.path / MODEL / "model.safetensors").write_text(pointer)
    commit_all(repo, "chore: weights to lfs")
    repo.git("tag", "-f", "churn@v1.0.0")
    change(repo, edited(card={"license": "MIT"}))
    trace = tmp_path / "trace"
    monkeypatch.setenv("GIT_TRACE", str(trace))
    release = churn(repo)
    assert rules(release) == ["config-changed"] and release["version"] == "1.0.1"
    assert not [c for c in git_commands(trace) if c.startswith(("cat-file blob", "ls-tree -z"))]


def test_the_range_s_changed_paths_come_from_the_plan_s_walk_not_a_second_log(
    tmp_path, monkeypatch
):
    repo = released(tmp_path)
    (repo.path / MODEL / "train.py").write_text("fit(depth=6)\n")
    change(repo, base(), NEW_WEIGHTS)
    trace = tmp_path / "trace"
    monkeypatch.setenv("GIT_TRACE", str(trace))
    release = churn(repo)
    assert rules(release) == ["retrained"] and release["model"]["flags"] == []
    logs = [c for c in git_commands(trace) if c.startswith("log")]
    assert any("--raw" in c for c in logs)  # the one walk, with each commit's paths
    assert not [c for c in logs if "--name-only" in c]


def returns(monkeypatch, owner, name: str) -> list:
    """What each call of `owner.name` returns, in order, as the test runs."""
    seen: list = []
    real = getattr(owner, name)

    def spy(self, *args):
        seen.append(real(self, *args))
        return seen[-1]

    monkeypatch.setattr(owner, name, spy)
    return seen


def test_plan_forks_its_planner_once_before_the_config_parser_and_validator_load(tmp_path):
    """`releaser plan` forks the planner from the config's bytes, before PyYAML, jsonschema
    and the engine load: the fewer pages the parent has then, the fewer it copies once it
    writes them (see releaser.models.planner). The planner loads what it needs itself."""
    import subprocess
    import sys

    repo = released(tmp_path)
    change(repo, base(), NEW_WEIGHTS)
    heavy = ("yaml", "jsonschema", "releaser.config", "releaser.engine", "releaser.models.planning")
    code = (
        "import json, sys\n"
        "from releaser.models import planner\n"
        "seen, real = [], planner.fork\n"
        "def spy(*args, **kwargs):\n"
        f"    seen.append(sorted(m for m in {heavy!r} if m in sys.modules))\n"
        "    return real(*args, **kwargs)\n"
        "planner.fork = spy\n"
        "from releaser.cli import main\n"
        f"main(['plan', '--json', '--repo', {str(repo.path)!r}])\n"
        "print(json.dumps(seen))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    *printed, seen = out.stdout.strip().splitlines()
    assert json.loads(seen) == [[]]
    (release,) = [
        r for r in json.loads("\n".join(printed))["releases"] if r["component"] == "churn"
    ]
    assert release["model"]["flags"] == ["unexplained-artifact-change"]


LOADED = (
    "import sys\n"
    "print(sorted(m for m in sys.modules if m == 'rfc8785' or m.startswith(('releaser.model',"
    " 'releaser.domain.model'))))\n"
)


def test_plan_json_leaves_the_model_to_the_child_and_loads_no_planning_module(tmp_path):
    """The child plans the model while history is walked; the parent prints its answer and
    loads none of the model modules (~25 ms of imports), only the child's light ones."""
    import subprocess
    import sys

    repo = released(tmp_path)
    (repo.path / MODEL / "train.py").write_text("fit(depth=6)\n")
    change(repo, base(), NEW_WEIGHTS)
    code = (
        "import json\n"
        "from releaser.cli import main\n"
        f"main(['plan', '--json', '--repo', {str(repo.path)!r}])\n" + LOADED
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    *printed, loaded = out.stdout.strip().splitlines()
    (release,) = [
        r for r in json.loads("\n".join(printed))["releases"] if r["component"] == "churn"
    ]
    assert rules(release) == ["retrained"] and release["version"] == "1.0.1"
    assert eval(loaded) == [  # noqa: S307 - a list of module names this test printed
        "releaser.domain.model_view",
        "releaser.models",
        "releaser.models.planner",
        "releaser.models.prehash",
    ]


def both_ways(repo, monkeypatch, argv):
    """(stdout, stderr, exit code) of `argv` planned in the child, then in-process."""
    import contextlib
    import io

    from releaser.cli import main
    from releaser.models import planner

    runs = []
    for in_process in (False, True):
        if in_process:
            monkeypatch.setattr(planner.ModelWork, "ask", lambda self, asked: None)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main([*argv, "--repo", str(repo.path)])
        runs.append((out.getvalue(), err.getvalue(), code))
    return runs


SCENARIOS = {
    "new weights and code": ("train.py", base(), NEW_WEIGHTS),
    "new weights alone": (None, base(), NEW_WEIGHTS),
    "card only": (None, edited(card={"license": "MIT"}), WEIGHTS),
    "interface and a failing gate": (
        None,
        edited(interface__version=2, gates=[{"metric": "auc", "min": 0.99}]),
        NEW_WEIGHTS,
    ),
}


@pytest.mark.parametrize("argv", [["plan"], ["plan", "--json"]], ids=["text", "json"])
@pytest.mark.parametrize("scenario", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_the_child_s_plan_prints_exactly_what_planning_in_process_prints(
    tmp_path, monkeypatch, argv, scenario
):
    code_file, data, weights = scenario
    repo = released(tmp_path)
    if code_file:
        (repo.path / MODEL / code_file).write_text("fit(depth=6)\n")
    change(repo, data, weights)
    from releaser.models import planner

    answered = returns(monkeypatch, planner.ModelWork, "printed")
    child, in_process = both_ways(repo, monkeypatch, argv)
    assert child == in_process and child[2] == 0
    # The first run printed the child's answer; the second was not asked for one.
    assert len(answered) == 2 and answered[0] is not None and answered[1] is None


def test_an_answer_for_another_newest_tag_is_not_used(tmp_path):
    from releaser import config as config_mod
    from releaser.domain.release import Tag
    from releaser.domain.version import parse_version
    from releaser.git import GitRepo
    from releaser.models import planner

    repo = released(tmp_path)
    change(repo, base(), NEW_WEIGHTS)
    config = config_mod.load(None, repo.path)
    (component,) = [c for c in config.components if c.model is not None]
    sha = repo.git("rev-parse", "churn@v1.0.0")
    tag = Tag("churn@v1.0.0", parse_version("1.0.0"), sha)
    other = Tag("churn@v0.9.0", parse_version("0.9.0"), sha)
    git = GitRepo(repo.path)
    running = planner.fork(repo.path, None)
    assert running is not None
    running.ask([("churn", component, tag)])
    try:
        assert running.printed(git, component, other, other, frozenset()) is None
        printed = running.printed(git, component, tag, tag, frozenset())
        assert printed is not None and printed.as_json()["baseline"]["tag"] == "churn@v1.0.0"
    finally:
        running.close()
        git.close()


def sharded(tmp_path) -> Repo:
    """A released model whose weights were then split into six files (new weights)."""
    repo = released(tmp_path)
    weights = {f"shard-{i}.safetensors": bytes([i]) * (5000 * (i + 1)) for i in range(6)}
    data = base()
    data["artifact"]["files"] = [
        {"path": name, "sha256": sha(blob), "size": len(blob)} for name, blob in weights.items()
    ]
    write_model(repo.path / MODEL, data, weights)
    (repo.path / MODEL / "model.safetensors").unlink()
    commit_all(repo, "chore: shard the weights")
    return repo


def test_a_model_of_many_files_plans_the_same_in_the_child_and_in_process(tmp_path, monkeypatch):
    repo = sharded(tmp_path)
    child, in_process = both_ways(repo, monkeypatch, ["plan", "--json"])
    assert child == in_process and child[2] == 0
    (release,) = [r for r in json.loads(child[0])["releases"] if r["component"] == "churn"]
    assert release["model"]["flags"] == ["unexplained-artifact-change"]
