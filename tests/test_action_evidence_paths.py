"""Evidence inputs never publish the checkout's credentials: links and .git are refused, and
an asset that carries the token in any form is never uploaded."""

from __future__ import annotations

import base64
import json
import subprocess

import pytest

from tests.action_util import ActionRunner
from tests.test_action_e2e import open_release_prs

JUNIT = '<testsuite name="u" tests="1"><testcase classname="t" name="{name}"/></testsuite>\n'


@pytest.fixture
def action(fakegithub, tmp_path):
    return ActionRunner(fakegithub, tmp_path)


def _merged_release(fake, action):
    fake.commit("main", "chore: init", {"README.md": "hi\n"})
    fake.tag("v1.0.0")
    fake.commit("main", "feat: widgets", {"src/a.py": "A = 1\n"})
    assert action.run("push").code == 0
    (release_pr,) = open_release_prs(fake)
    fake.merge_pull(release_pr.number)
    action.clone()
    # What actions/checkout leaves behind with persist-credentials (its default).
    basic = base64.b64encode(f"x-access-token:{fake.token}".encode()).decode()
    subprocess.run(
        ["git", "-C", str(action.workspace), "config", "--local",
         "http.https://github.com/.extraheader", f"AUTHORIZATION: basic {basic}"],
        check=True,
    )  # fmt: skip
    (action.workspace / "dist").mkdir()
    (action.workspace / "dist" / "app-1.1.0.tar.gz").write_bytes(b"app\n")
    return action.merged_event(release_pr.number)


def _publish(action, event, **inputs):
    inputs = {"artifacts": "dist/*", **inputs}
    return action.run("pull_request.closed", event=event, inputs=inputs, clone=False)


def _evidence(release) -> dict:
    return json.loads(next(a.data for a in release.assets if a.name == "release-evidence.json"))


def test_a_symlink_into_git_is_refused_and_listed(fakegithub, action):
    fake = fakegithub
    event = _merged_release(fake, action)
    (action.workspace / "dist" / "build-info.txt").symlink_to("../.git/config")
    result = _publish(action, event)
    assert result.code == 0, result.stdout + result.stderr
    release = fake.release_by_tag("v1.1.0")
    assert not release.draft
    assert "build-info.txt" not in {a.name for a in release.assets}
    assert all(fake.token.encode() not in a.data for a in release.assets)
    warnings = [line for line in result.stdout.splitlines() if "build-info" in line]
    assert warnings == [
        "::warning::evidence: dist/build-info.txt: refused: a symlink; releaser never follows"
        " links in files you name"
    ]
    skipped = {n["item"]: n["reason"] for n in _evidence(release)["skipped"]}
    assert skipped["dist/build-info.txt"].startswith("refused: a symlink")


def test_strict_mode_fails_on_a_refused_path_before_any_write(fakegithub, action):
    fake = fakegithub
    event = _merged_release(fake, action)
    (action.workspace / "dist" / "build-info.txt").symlink_to("../.git/config")
    result = _publish(action, event, **{"fail-on-missing-evidence": "true"})
    assert result.code != 0
    errors = [line for line in result.stdout.splitlines() if line.startswith("::error")]
    assert len(errors) == 1 and "dist/build-info.txt: refused: a symlink" in errors[0], errors
    assert "v1.1.0" not in fake.tags() and fake.release_by_tag("v1.1.0") is None


def _b64_at(token: str, offset: int) -> bytes:
    return base64.b64encode(b"x" * offset + token.encode() + b"\n")


LEAKS = {
    "raw": lambda t: b"built with " + t.encode() + b"\n",
    "basic-auth": lambda t: (
        b"AUTHORIZATION: basic " + base64.b64encode(b"x-access-token:" + t.encode())
    ),
    "base64-0": lambda t: _b64_at(t, 0),
    "base64-1": lambda t: _b64_at(t, 1),
    "base64-2": lambda t: _b64_at(t, 2),
}


@pytest.mark.parametrize("form", sorted(LEAKS))
def test_an_artifact_holding_the_token_is_refused_before_anything_is_public(
    fakegithub, action, form
):
    fake = fakegithub
    event = _merged_release(fake, action)
    (action.workspace / "dist" / "config.txt").write_bytes(b"\0" * 5000 + LEAKS[form](fake.token))
    result = _publish(action, event)
    assert result.code != 0
    shown = [line for line in result.stdout.splitlines() if not line.startswith("::add-mask::")]
    output = "\n".join(shown) + result.stderr + result.summary
    errors = [line for line in result.stdout.splitlines() if line.startswith("::error")]
    assert errors == [
        "::error::release asset 'config.txt' contains the token; refusing to upload it (nothing"
        " more was uploaded; rebuild it without the credentials and revoke the token if the"
        " file was shared)"
    ]
    assert fake.token not in output
    assert "v1.1.0" not in fake.tags() and fake.release_by_tag("v1.1.0") is None


def test_a_generated_asset_holding_the_token_is_not_uploaded(fakegithub, action):
    """A test named after the token lands in the evidence JSON: the last check, at upload."""
    fake = fakegithub
    event = _merged_release(fake, action)
    (action.workspace / "reports").mkdir()
    (action.workspace / "reports" / "unit.xml").write_text(JUNIT.format(name=fake.token))
    fake.reset_requests()
    result = _publish(action, event, **{"test-results": "reports/*.xml"})
    assert result.code != 0
    assert "::error::release asset 'release-evidence.json' contains the token" in result.stdout
    release = fake.release_by_tag("v1.1.0")
    assert release.draft and release.assets == []
    uploads = [c for c in fake.reset_requests() if c.path.endswith("/assets")]
    assert [c for c in uploads if c.method == "POST"] == []
