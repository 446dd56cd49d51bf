"""The child processes of a model plan: the Action's hashing child, releaser plan's planner
and the helper it forks for a large model. Their digests are the plan's, a failing child
leaves the model to the plan in-process, and none outlives the plan."""

from __future__ import annotations

import os

import pytest

from releaser.models.sources import WorkspaceFiles
from tests.modelutil import sha
from tests.test_model_plan_e2e import (
    MODEL,
    NEW_WEIGHTS,
    base,
    change,
    churn,
    plan_text,
    released,
    rules,
)
from tests.test_model_plan_speed import both_ways, returns, sharded


def pids(monkeypatch, owner) -> list[int]:
    """The pid of every child process `owner` (a prehash.Child) is made for, in order."""
    started: list[int] = []
    real = owner.__init__

    def spy(self, pid, *pipes):
        started.append(pid)
        real(self, pid, *pipes)

    monkeypatch.setattr(owner, "__init__", spy)
    return started


@pytest.fixture
def children(monkeypatch):
    """Every hashing child the plans of a test start (pids), the threshold lowered so the
    small weights of these repositories are worth one."""
    from releaser.models import prehash

    monkeypatch.setattr(prehash, "MIN_BYTES", 0)
    return pids(monkeypatch, prehash.Prehash)


@pytest.fixture
def planners(monkeypatch):
    """Every planning child `releaser plan` forks in a test (pids)."""
    from releaser.models import planner

    return pids(monkeypatch, planner.Planner)


def reaped(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def test_the_child_s_digests_are_the_plan_s_and_it_is_reaped(tmp_path, planners, monkeypatch):
    """Where the planner is asked nothing (the model is planned in-process), the digests it
    hashed are what the plan uses."""
    from releaser.domain.model import manifest_digest
    from releaser.models import planner

    monkeypatch.setattr(planner.ModelWork, "ask", lambda self, asked: None)

    answers = []
    real = planner.ModelWork.known

    def spy(self, rel, ident):
        answers.append((rel, real(self, rel, ident)))
        return answers[-1][1]

    monkeypatch.setattr(planner.ModelWork, "known", spy)
    repo = released(tmp_path)
    (repo.path / MODEL / "train.py").write_text("fit(depth=6)\n")
    change(repo, base(), NEW_WEIGHTS)
    release = churn(repo)
    assert len(planners) == 1 and reaped(planners[0])
    assert answers == [(f"{MODEL}/model.safetensors", (sha(NEW_WEIGHTS), len(NEW_WEIGHTS)))]
    assert rules(release) == ["retrained"]
    digest = manifest_digest([("model.safetensors", sha(NEW_WEIGHTS))])
    assert release["model"]["manifest_sha256"] == digest


def test_no_child_when_there_is_little_to_hash(tmp_path, children, monkeypatch):
    """Where nothing started a planning child before the engine (the Action), the engine
    forks one only for enough bytes to hash."""
    from releaser.models import planner, prehash

    monkeypatch.setattr(planner, "start_for_config", lambda raw, top: None)
    monkeypatch.setattr(prehash, "MIN_BYTES", len(NEW_WEIGHTS) + 1)
    repo = released(tmp_path)
    change(repo, base(), NEW_WEIGHTS)
    assert churn(repo)["model"]["flags"] == ["unexplained-artifact-change"]
    assert children == []


def test_a_refused_plan_kills_and_reaps_the_child(tmp_path, planners):
    repo = released(tmp_path, ", strict: true")
    change(repo, base(), NEW_WEIGHTS)
    code, _out, err = plan_text(repo)
    assert code == 2 and "unexplained" in err
    assert len(planners) == 1 and reaped(planners[0])


def one_file_hashed(tmp_path, data: bytes):
    """(the model directory `m`, the Action's hashing child over it): one file, w.bin."""
    from releaser.models import prehash

    model = tmp_path / "m"
    model.mkdir()
    (model / "model.yaml").write_text("artifact:\n  files:\n    - {path: w.bin}\n")
    (model / "w.bin").write_bytes(data)
    running = prehash.start(tmp_path, ["m"])
    assert running is not None
    return model, running


def test_a_file_changed_after_the_child_hashed_it_is_hashed_again(tmp_path, children):
    from releaser.models.hashing import hash_file

    model, running = one_file_hashed(tmp_path, b"old" * 1000)
    try:
        assert hash_file(tmp_path, "m/w.bin", running.known) == (sha(b"old" * 1000), 3000)
        (model / "w.bin").write_bytes(b"new" * 1000)  # same size, another identity
        assert hash_file(tmp_path, "m/w.bin", running.known) == (sha(b"new" * 1000), 3000)
        # Keyed by the exact path: another spelling of it gets no answer from the child.
        assert running.known("m//w.bin", (0, 0, 0, 0, 0)) is None
    finally:
        running.close()
    assert reaped(children[0])


def test_a_file_the_child_could_not_read_is_reported_as_without_it(tmp_path, children):
    from releaser.paths import PathRefused

    model, running = one_file_hashed(tmp_path, b"x" * 10)
    (model / "w.bin").unlink()
    (model / "w.bin").symlink_to(tmp_path / "elsewhere")
    files = WorkspaceFiles(tmp_path, "m", running.known)
    try:
        with pytest.raises(PathRefused) as refused:
            files.hash("w.bin")
    finally:
        running.close()
    with pytest.raises(PathRefused) as alone:
        WorkspaceFiles(tmp_path, "m").hash("w.bin")
    assert str(refused.value) == str(alone.value)


def test_a_planner_that_dies_leaves_the_model_to_the_plan(tmp_path, planners, monkeypatch):
    """The planning child fails: the model is planned in-process, its files hashed again,
    so the plan is right."""
    from releaser.models import planner

    def dies(*args):
        raise RuntimeError("the planner fails")

    monkeypatch.setattr(planner, "_plan", dies)  # the child forks with it
    answered = returns(monkeypatch, planner.ModelWork, "printed")
    digests = returns(monkeypatch, planner.ModelWork, "known")
    repo = released(tmp_path)
    change(repo, base(), NEW_WEIGHTS)
    assert churn(repo)["model"]["flags"] == ["unexplained-artifact-change"]
    assert answered == [None] and len(planners) == 1 and reaped(planners[0])
    assert digests == [None]  # nothing forwarded: hashed again in-process


def test_a_refused_plan_is_made_again_with_the_forwarded_digests(tmp_path, monkeypatch):
    from releaser.models import planner

    digests = returns(monkeypatch, planner.ModelWork, "known")
    repo = released(tmp_path, ", strict: true")
    change(repo, base(), NEW_WEIGHTS)
    code, _out, err = plan_text(repo)
    assert code == 2 and "unexplained" in err and err.count("\n") == 1
    assert digests == [(sha(NEW_WEIGHTS), len(NEW_WEIGHTS))]  # forwarded by the planner


def test_the_hashing_child_hashes_every_file_the_manifest_lists(tmp_path, children):
    from releaser.models import prehash
    from releaser.models.hashing import hash_file, identity

    model = tmp_path / "m"
    model.mkdir()
    files = {f"w{i}.bin": bytes([i]) * (100 * (i + 1)) for i in range(5)}
    listing = "".join(f"    - {{path: {name}}}\n" for name in files)
    (model / "model.yaml").write_text(f"artifact:\n  files:\n{listing}")
    for name, data in files.items():
        (model / name).write_bytes(data)
    running = prehash.start(tmp_path, ["m"])
    assert running is not None
    try:
        for name, data in files.items():
            with open(model / name, "rb") as handle:
                assert running.known(f"m/{name}", identity(handle)) == (sha(data), len(data))
            assert hash_file(tmp_path, f"m/{name}", running.known) == (sha(data), len(data))
    finally:
        running.close()
    assert reaped(children[0])


def test_plan_forks_one_child_that_hashes_the_files_itself(tmp_path, planners, monkeypatch):
    """`releaser plan` starts no hashing child beside its planner: a second fork would cost
    the parent more page copies than the hashing it takes off the planner."""
    from releaser.domain.model import manifest_digest
    from releaser.models import prehash

    started = pids(monkeypatch, prehash.Prehash)
    repo = released(tmp_path)
    change(repo, base(), NEW_WEIGHTS)
    release = churn(repo)
    assert release["model"]["flags"] == ["unexplained-artifact-change"]
    assert started == [] and len(planners) == 1 and reaped(planners[0])
    digest = manifest_digest([("model.safetensors", sha(NEW_WEIGHTS))])
    assert release["model"]["manifest_sha256"] == digest


def test_a_question_larger_than_the_pipe_holds_is_answered_whole(tmp_path):
    """Planner.ask writes what the pipe takes without waiting; the rest is sent once the
    parent waits for the answer, and the child plans every component it was asked."""
    from releaser import config as config_mod
    from releaser.git import GitRepo
    from releaser.models import planner

    repo = released(tmp_path)
    change(repo, base(), NEW_WEIGHTS)
    (component,) = [c for c in config_mod.load(None, repo.path).components if c.model]
    asked = [(f"model-{i:05d}-{'x' * 200}", component, None) for i in range(600)]
    running = planner.fork(repo.path, None)
    assert running is not None
    git = GitRepo(repo.path)
    try:
        running.ask(asked)
        assert running._unsent  # ~150 KB: more than a pipe holds unread
        printed = running.printed(git, component, None, None, frozenset())
        assert printed is None  # planned as `model-00000-...`, not as `churn`
        plans = running._answer()["plans"]
        assert sorted(plans) == sorted(name for name, _c, _t in asked)
        assert all(plan["summary"]["forms"]["false"] for plan in plans.values())
    finally:
        running.close()
        git.close()


def shared_hashing(tmp_path, files: dict[str, bytes]) -> list[list]:
    """What this process and a prehash.start_shared child each hashed of `files`."""
    from releaser.models import prehash

    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    listing = [(name, len(data)) for name, data in files.items()]
    started = prehash.start_shared(tmp_path, listing)
    assert started is not None
    child, queue = started
    here: list = []
    try:
        prehash.share(queue, list(files), tmp_path, here.append)
    finally:
        os.close(queue)
    return [here, child.entries()]


def test_two_processes_sharing_the_files_hash_each_once(tmp_path):
    """prehash.share: each 4-byte index is read whole by one reader, so the helper and the
    planner never hash the same file, and together they hash all of them."""
    files = {f"w{i}.bin": bytes([i]) * (1000 + i) for i in range(40)}
    taken = shared_hashing(tmp_path, files)
    hashed = [entry[0] for entries in taken for entry in entries]
    assert sorted(hashed) == sorted(files)  # every file once, none twice
    for name, digest, size, *_ in (entry for entries in taken for entry in entries):
        assert (digest, size) == (sha(files[name]), len(files[name]))


def test_files_past_the_queue_are_hashed_by_the_helper_all_the_same(tmp_path, monkeypatch):
    from releaser.models import prehash

    monkeypatch.setattr(prehash, "MAX_QUEUED", 2)
    files = {f"w{i}.bin": bytes([i]) * (100 * (i + 1)) for i in range(5)}
    here, helper = shared_hashing(tmp_path, files)
    assert sorted(e[0] for e in here + helper) == sorted(files)
    # The two largest were queued; the other three only the helper hashes, after.
    assert {e[0] for e in here} <= {"w4.bin", "w3.bin"}
    assert {"w0.bin", "w1.bin", "w2.bin"} <= {e[0] for e in helper}


def test_a_large_model_is_hashed_by_the_planner_and_its_helper_alike(tmp_path, monkeypatch):
    """Past SHARED_BYTES the planner forks a helper and both hash: what it prints is what
    planning in-process prints, and the planner's group is gone once the plan is."""
    from releaser.models import planner

    monkeypatch.setattr(planner, "SHARED_BYTES", 0)
    started = pids(monkeypatch, planner.Planner)
    answered = returns(monkeypatch, planner.ModelWork, "printed")
    repo = sharded(tmp_path)
    child, in_process = both_ways(repo, monkeypatch, ["plan", "--json"])
    assert child == in_process and child[2] == 0
    assert answered[0] is not None  # the first run printed the planner's answer
    assert len(started) == 2 and all(reaped(pid) and not group(pid) for pid in started)


def group(pgid: int) -> list[int]:
    """The processes of process group `pgid` that have not exited (Linux's /proc)."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(entry))
    return members


def test_a_planner_stopped_early_takes_its_helper_with_it(tmp_path, monkeypatch):
    """The parent stops the planner while its helper still hashes (a plan that failed):
    the whole group goes, so no process outlives the plan."""
    import time

    from releaser.models import planner

    monkeypatch.setattr(planner, "SHARED_BYTES", 0)
    model = tmp_path / "m"
    model.mkdir()
    names = [f"w{i}.bin" for i in range(2)]
    for name in names:
        with open(model / name, "wb") as handle:
            handle.truncate(4 * 1024**3)  # sparse: seconds to hash, no disk used
    listing = "".join(f"    - {{path: {name}}}\n" for name in names)
    (model / "model.yaml").write_text(f"artifact:\n  files:\n{listing}")
    config = b"components:\n  - {name: m, path: m, type: model}\n"
    running = planner.fork(tmp_path, config)
    assert running is not None
    pid = running._pid
    assert pid is not None
    deadline = time.monotonic() + 30
    while len(group(pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(group(pid)) == 2  # the planner and its helper, both hashing
    running.close()
    assert reaped(pid)
    # Killed, not left to finish: hashing the rest of 4 GiB would take seconds.
    deadline = time.monotonic() + 1.5
    while group(pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert group(pid) == []


def test_the_planner_leaves_the_terminal_alone(tmp_path):
    """The planner leads a process group of its own (the parent stops it whole) and, out of
    the terminal's group, reads and writes none of it: its standard streams are
    /dev/null, so `stty tostop` or a read could never stop it while the parent waits."""
    import time

    from releaser.models import planner

    running = planner.fork(tmp_path, None)  # asked nothing yet: it waits
    assert running is not None
    pid = running._pid
    assert pid is not None
    try:
        deadline = time.monotonic() + 10
        streams = []
        while time.monotonic() < deadline:
            streams = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in (0, 1, 2)]
            if streams == [os.devnull] * 3:
                break
            time.sleep(0.01)
        assert streams == [os.devnull] * 3
        assert os.getpgid(pid) == pid
    finally:
        running.close()
    assert reaped(pid)
