"""What a model plan costs besides hashing: the git processes it starts, and the digests of
the workspace's weights, hashed in a child process while history is walked."""

from __future__ import annotations

from tests.modelutil import WEIGHTS
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
    from tests.modelutil import sha

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
