"""The promotion workflows: the reusable promote.yml and deployment-status.yml, and the example
workflow_dispatch caller. Their shape is what keeps a promotion gated and least-privileged."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from releaser.actions import INPUTS
from releaser.github.permissions import permissions_for

ROOT = Path(__file__).resolve().parent.parent
PROMOTE = ROOT / ".github" / "workflows" / "promote.yml"
STATUS = ROOT / ".github" / "workflows" / "deployment-status.yml"
CALLER = ROOT / "workflows" / "promote.yml"
UNTRUSTED = re.compile(r"\$\{\{[^}]*\b(inputs|github\.event)\.")


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _wanted(command: str, **kw: bool) -> dict[str, str]:
    return {k.replace("_", "-"): v for k, v in permissions_for(command, **kw).items()}


def _releaser_step(job: dict) -> dict:
    (step,) = [s for s in job["steps"] if str(s.get("uses", "")).startswith("docker://")]
    return step


def _where(node, path: str = ""):
    """(path, string) of every string in a parsed YAML document."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _where(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _where(v, f"{path}[{i}]")
    elif isinstance(node, str):
        yield path, node


def test_promote_runs_in_the_environment_with_exactly_the_promote_permissions():
    wf = _load(PROMOTE)
    call = wf[True]["workflow_call"]
    assert {"version", "environment", "strategy", "reason", "emergency"} <= set(call["inputs"])
    assert call["inputs"]["version"]["required"] is True
    assert call["inputs"]["environment"]["required"] is True
    assert call["inputs"]["emergency"]["type"] == "boolean"
    assert {"deployment_id", "version", "tag", "review_issue"} <= set(call["outputs"])
    assert {"token", "app-id", "app-private-key"} <= set(call["secrets"])
    jobs = wf["jobs"]
    cases = {  # job -> (break glass, model)
        "promote": (False, False),
        "break_glass": (True, False),
        "promote_model": (False, True),
        "break_glass_model": (True, True),
    }
    assert set(jobs) == set(cases)
    for name, job in jobs.items():
        # GitHub's required reviewers of the environment gate the job before promote runs.
        assert job["environment"] == "${{ inputs.environment }}", name
        step = _releaser_step(job)
        assert set(step["with"]) <= set(INPUTS)
        assert step["with"]["command"] == "promote"
        assert step["with"]["version"] == "${{ inputs.version }}"
        # issues: write only where break glass is asked for, contents: write only for a
        # model (GTO's stage tag): each job holds exactly what its case needs.
        glass, model = cases[name]
        assert job["permissions"] == _wanted("promote", break_glass=glass, stage_tag=model), name
        assert ("emergency" in step["with"]) is glass, name
        if glass:
            assert step["with"]["emergency"] == "true"
    assert _wanted("promote")["contents"] == "read"
    assert "issues" not in jobs["promote"]["permissions"]
    # Exactly one job runs for every version and emergency input.
    for version in ("v1.4.0", "api-v1.4.0", "churn@v1.3.0", "churn@v1.3.0-rc.1"):
        for emergency in (False, True):
            ran = [n for n, j in jobs.items() if _runs(j["if"], version, emergency)]
            want = [n for n, c in cases.items() if c == (emergency, "@v" in version)]
            assert ran == want, (version, emergency, ran)
    # The workflow's outputs come from whichever job ran.
    for output in ("deployment_id", "version", "tag", "review_issue"):
        value = call["outputs"][output]["value"]
        runs = [n for n in jobs if f"jobs.{n}.outputs.{output}" in value]
        assert runs == [n for n in jobs if output in jobs[n]["outputs"]], output
        assert len(runs) == (2 if output == "review_issue" else 4)
    # One promotion per environment at a time, none cancelled.
    assert wf["concurrency"]["cancel-in-progress"] is False
    assert "inputs.environment" in wf["concurrency"]["group"]


def _runs(condition: str, version: str, emergency: bool) -> bool:
    """A job's `if:` as GitHub evaluates it, for the few forms promote.yml uses."""
    inner = condition.removeprefix("${{").removesuffix("}}").strip()
    assert re.fullmatch(r"[!a-z.()', @&-]+", inner), condition  # nothing else to evaluate
    py = inner.replace("contains(inputs.version, '@v')", repr("@v" in version))
    py = py.replace("inputs.emergency", repr(emergency)).replace("&&", " and ")
    py = re.sub(r"!(?!=)", " not ", py)
    return bool(eval(py, {"__builtins__": {}}))  # noqa: S307 - two booleans, checked above


def test_deployment_status_needs_only_deployments_write_and_no_environment():
    wf = _load(STATUS)
    call = wf[True]["workflow_call"]
    assert {"deployment-id", "state", "environment-url", "description"} <= set(call["inputs"])
    (job,) = wf["jobs"].values()
    assert job["permissions"] == _wanted("deployment-status") == {"deployments": "write"}
    assert "environment" not in job  # a second review for the report would stall it
    step = _releaser_step(job)
    assert set(step["with"]) <= set(INPUTS) and step["with"]["command"] == "deployment-status"


def test_untrusted_values_never_reach_a_script():
    for path in (PROMOTE, STATUS, CALLER):
        for where, text in _where(_load(path)):
            if UNTRUSTED.search(text):
                assert not where.endswith(".run"), (path.name, where, text)
                assert re.search(r"\.(with|env|if|environment|group|value)\b", where) or (
                    ".with." in where or ".env." in where
                ), (path.name, where)


def test_the_caller_promotes_deploys_and_always_reports():
    wf = _load(CALLER)
    assert "workflow_dispatch" in wf[True]
    jobs = wf["jobs"]
    promote, deploy, report = jobs["promote"], jobs["deploy"], jobs["report"]
    assert promote["uses"] == "./.github/workflows/promote.yml"
    # A called workflow's token gets at most what the calling job grants: the ceiling of the
    # jobs in promote.yml (issues: write reaches only its break-glass jobs, contents: write
    # only its model jobs).
    assert promote["permissions"] == _wanted("promote", break_glass=True, stage_tag=True)
    assert deploy["needs"] == "promote"
    assert "issues" not in deploy["permissions"] and "deployments" not in deploy["permissions"]
    env = {k: v for step in deploy["steps"] for k, v in (step.get("env") or {}).items()}
    assert env["TAG"] == "${{ needs.promote.outputs.tag }}"
    assert report["uses"] == "./.github/workflows/deployment-status.yml"
    assert report["needs"] == ["promote", "deploy"]
    assert "always()" in report["if"] and "needs.promote.outputs.deployment_id" in report["if"]
    assert report["permissions"] == _wanted("deployment-status")
    assert report["with"]["deployment-id"] == "${{ needs.promote.outputs.deployment_id }}"
    assert "needs.deploy.result == 'success'" in report["with"]["state"]


def test_the_caller_is_copied_under_a_name_no_reusable_workflow_has():
    saved = re.search(r"Copy to (\S+)", CALLER.read_text(encoding="utf-8")).group(1)
    reusable = {f".github/workflows/{p.name}" for p in (PROMOTE, STATUS)}
    assert saved.startswith(".github/workflows/") and saved not in reusable
