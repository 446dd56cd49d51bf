"""The forked runs of tests/action_zygote.py are spawned runs, as far as the Action can tell:
same exit code, stdout, stderr, outputs and summary for the same run, and the run's environment
alone (no variable of the pytest process leaks into it)."""

from __future__ import annotations

import json

import pytest

from tests import action_zygote
from tests.action_util import ActionRunner
from tests.test_action_e2e import seed


@pytest.fixture
def action(fakegithub, tmp_path):
    return ActionRunner(fakegithub, tmp_path)


def _both(action, monkeypatch, **kw):
    monkeypatch.delenv(action_zygote.SPAWN, raising=False)
    forked = action.run(**kw)
    monkeypatch.setenv(action_zygote.SPAWN, "1")
    spawned = action.run(**kw)
    monkeypatch.delenv(action_zygote.SPAWN)
    return forked, spawned


def test_a_dry_run_reads_the_same_forked_as_spawned(fakegithub, action, monkeypatch):
    seed(fakegithub)
    forked, spawned = _both(action, monkeypatch, event_kind="push", inputs={"command": "plan"})
    assert forked.code == 0, forked.stdout + forked.stderr
    assert forked == spawned
    assert forked.outputs and forked.summary


@pytest.mark.parametrize(
    "extra_env",
    [{"GITHUB_REPOSITORY": ""}, {"INPUT_COMMAND": "no-such-command"}],
    ids=["no-repository", "bad-command"],
)
def test_a_refusal_ends_the_same_forked_as_spawned(fakegithub, action, monkeypatch, extra_env):
    seed(fakegithub)
    forked, spawned = _both(action, monkeypatch, event_kind="push", extra_env=extra_env)
    assert forked.code != 0
    assert forked == spawned


PROBE = """\
import json, os, sys
print(json.dumps({
    "env": dict(os.environ), "cwd": os.getcwd(), "argv": sys.argv, "path": sys.path,
    "stdin": sys.stdin.read(), "name": __name__, "encoding": sys.stdout.encoding,
    "pgrp_is_own": os.getpgrp() == os.getpid(),
}))
print("to stderr\\r\\nlast", file=sys.stderr)
sys.exit(3)
"""


@pytest.mark.parametrize("how", ["script", "module"])
def test_a_forked_program_sees_what_a_spawned_one_sees(tmp_path, monkeypatch, how):
    # The probe reports what a program can learn of how it was started; a variable of the
    # pytest process must not leak into the forked run.
    monkeypatch.setenv("RELEASER_ZYGOTE_PROBE", "leaked")
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "probe.py").write_text(PROBE)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "GITHUB_ACTIONS": "true"}
    if how == "script":
        argv, cwd = [str(tmp_path / "bin" / "probe.py"), "an arg"], tmp_path
    else:  # as tests/promotion_util.py runs `python -m releaser`
        argv, cwd = ["-m", "probe", "an arg"], tmp_path / "bin"
        env["PYTHONPATH"] = str(action_zygote.ROOT)
    assert action_zygote.can_serve(env)
    forked = action_zygote.run_python(argv, env, cwd, timeout=60)
    spawned = action_zygote.spawn(argv, env, cwd, timeout=60)
    assert forked[0] == spawned[0] == 3
    assert forked[2] == spawned[2] == "to stderr\nlast\n"
    seen, seen_spawned = json.loads(forked[1]), json.loads(spawned[1])
    assert seen["env"].keys() - env.keys() <= {"LC_CTYPE"}  # Python's locale coercion
    assert seen["pgrp_is_own"] and not seen_spawned["pgrp_is_own"]  # a group for timeouts
    del seen["pgrp_is_own"], seen_spawned["pgrp_is_own"]
    assert seen == seen_spawned


def test_what_the_zygote_cannot_reproduce_is_spawned():
    env = {"PATH": "/usr/bin:/bin"}
    assert action_zygote.can_serve(env)
    assert not action_zygote.can_serve({**env, "PYTHONPATH": "/x"})  # read at start-up
    assert not action_zygote.can_serve({**env, "PYTHONHASHSEED": "0"})
    assert not action_zygote.can_serve({**env, "LANG": "C"})  # decides locale coercion
