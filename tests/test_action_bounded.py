"""Hostile YAML and JSON inputs in Action runs: one `::error` line, before anything is written."""

from __future__ import annotations

import json
import time

import pytest

from tests.action_util import ActionRunner
from tests.test_action_e2e import open_release_prs, seed

CONFIG = ".github/releaser.yml"
# As in tests/test_bounded.py (not imported: these tests must also run against older code).
ALIAS_BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{b}: &{b} [{','.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True)
)
DEEP_FLOW = "[" * 100_000 + "]" * 100_000
# Runs the Action under a 1.5 GiB address-space limit: the unbounded bomb fails fast.
LIMIT = "import resource\nresource.setrlimit(resource.RLIMIT_AS, (3 << 29, 3 << 29))\n"


@pytest.fixture
def action(fakegithub, tmp_path):
    return ActionRunner(fakegithub, tmp_path)


def _memory_capped(tmp_path) -> dict[str, str]:
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(LIMIT)
    return {"PYTHONPATH": str(site)}


def _one_error(result, code: int) -> str:
    errors = [line for line in result.stdout.splitlines() if line.startswith("::error")]
    assert result.code == code, result.stdout + result.stderr[-3000:]
    assert len(errors) == 1, result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert result.summary.startswith("## releaser\n\nFailed: "), result.summary
    return errors[0]


@pytest.mark.parametrize("clone", [True, False], ids=["checkout", "through-the-api"])
@pytest.mark.parametrize(
    ("text", "problem"),
    [
        pytest.param(ALIAS_BOMB + "version-files: *i\n", "expands to more than", id="bomb"),
        pytest.param(DEEP_FLOW, "nested deeper than the limit of 64", id="deep"),
    ],
)
def test_hostile_config_is_one_line_quickly(fakegithub, action, tmp_path, text, problem, clone):
    seed(fakegithub)
    fakegithub.commit("main", "chore: cfg", {CONFIG: text})
    start = time.monotonic()
    result = action.run("push", clone=clone, extra_env=_memory_capped(tmp_path))
    line = _one_error(result, 2)
    assert line.startswith(f"::error file={CONFIG},line="), line
    assert problem in line
    assert time.monotonic() - start < 60
    assert not open_release_prs(fakegithub)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        pytest.param(DEEP_FLOW, "nested deeper than the limit of 64 levels", id="deep"),
        pytest.param(
            '{"pad": "' + "x" * (33 * 1024**2) + '"}', "larger than the 33554432-byte", id="big"
        ),
    ],
)
def test_hostile_event_file_is_one_line(fakegithub, action, tmp_path, content, problem):
    seed(fakegithub)
    event = tmp_path / "hostile-event.json"
    event.write_text(content)
    result = action.run("push", event_path=str(event))
    line = _one_error(result, 2)
    assert f"event file {event}" in line and problem in line, line


def _merged_release(fake, action):
    seed(fake)
    first = action.run("push")
    assert first.code == 0, first.stdout + first.stderr
    (pr,) = open_release_prs(fake)
    fake.merge_pull(pr.number)
    action.clone()
    return action.merged_event(pr.number)


def _deep_sbom(workspace) -> None:
    (workspace / "sbom").mkdir()
    doc = '{"bomFormat": "CycloneDX", "specVersion": "1.6", "x": ' + DEEP_FLOW + "}"
    (workspace / "sbom" / "app.cdx.json").write_text(doc)


def test_deep_sbom_with_fail_on_missing_evidence_stops_before_the_tag(fakegithub, action):
    event = _merged_release(fakegithub, action)
    _deep_sbom(action.workspace)
    inputs = {"sbom": "sbom/*.json", "fail-on-missing-evidence": "true"}
    result = action.run("pull_request.closed", event=event, inputs=inputs, clone=False)
    line = _one_error(result, 1)
    assert "SBOM app.cdx.json:1: nested deeper than the limit of 128 levels" in line, line
    assert "v1.1.0" not in fakegithub.tags()
    assert not fakegithub.releases


def test_deep_sbom_otherwise_is_skipped_and_the_release_published(fakegithub, action):
    event = _merged_release(fakegithub, action)
    _deep_sbom(action.workspace)
    inputs = {"sbom": "sbom/*.json"}
    result = action.run("pull_request.closed", event=event, inputs=inputs, clone=False)
    assert result.code == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    warnings = [line for line in result.stdout.splitlines() if "sbom/app.cdx.json" in line]
    assert len(warnings) == 1 and warnings[0].startswith("::warning::"), result.stdout
    release = fakegithub.release_by_tag("v1.1.0")
    assert release is not None and not release.draft
    evidence = next(a for a in release.assets if a.name == "release-evidence.json")
    skipped = json.loads(evidence.data)["skipped"]
    assert any(s["item"] == "sbom/app.cdx.json" for s in skipped), skipped


def test_an_unexpected_exception_is_one_error_line_and_the_traceback_on_stderr(
    fakegithub, action, tmp_path
):
    """A bug (here: an event whose pull_request is a string) still ends in one `::error` line
    and the summary; the traceback is in the log for the bug report, with the token masked."""
    seed(fakegithub)
    event = {"action": "closed", "pull_request": "not an object"}
    result = action.run("pull_request.closed", event=event)
    errors = [line for line in result.stdout.splitlines() if line.startswith("::error")]
    assert result.code == 1 and len(errors) == 1, result.stdout + result.stderr
    assert "releaser failed unexpectedly (AttributeError" in errors[0]
    assert "this is a bug" in errors[0]
    assert result.summary.startswith("## releaser\n\nFailed: releaser failed unexpectedly")
    assert "Traceback" in result.stderr and "Traceback" not in result.stdout
    shown = [line for line in result.stdout.splitlines() if not line.startswith("::add-mask::")]
    assert fakegithub.token not in "\n".join(shown) + result.stderr
