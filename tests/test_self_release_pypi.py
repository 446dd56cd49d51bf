"""The project's own release publishes the verifier to PyPI: built once, in the evidence, then
uploaded with trusted publishing from one job that alone can mint the OIDC token."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "self-release.yml"


def _jobs() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())["jobs"]


def _run(job: dict) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def test_wheel_and_sdist_are_built_once_from_hash_pinned_tools():
    dist = _jobs()["dist"]
    assert _run(dist).count("python -m build ") == 1
    assert "--no-isolation" in _run(dist)  # no unpinned build backend fetched
    assert re.search(r"pip install --require-hashes .*-r requirements/build.txt", _run(dist))
    pins = (ROOT / "requirements" / "build.txt").read_text()
    names = re.findall(r"^([a-z0-9-]+)==\S+ \\\n +--hash=sha256:[0-9a-f]{64}$", pins, re.M)
    assert {"build", "setuptools"} <= set(names)
    backend = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    assert backend == ["setuptools>=68"]
    upload = next(s for s in dist["steps"] if s.get("uses", "").startswith("actions/upload"))
    assert upload["with"]["name"] == "dist"


def test_the_release_attaches_the_built_files_as_evidenced_artifacts():
    release = _jobs()["release"]
    assert "dist" in release["needs"]
    assert release["with"]["artifact-name"] == "dist"
    # release.yml downloads artifact <name> into releaser-evidence/<name>/.
    assert release["with"]["artifacts"] == "releaser-evidence/dist/*"


def test_pypi_job_uses_trusted_publishing_pinned_and_alone_holds_id_token():
    jobs = _jobs()
    pypi = jobs["pypi"]
    assert set(pypi["needs"]) == {"dist", "release"}
    assert pypi["if"] == "needs.release.outputs.release_created == 'true'"
    assert pypi["environment"]["name"] == "pypi"
    assert pypi["permissions"] == {"contents": "read", "id-token": "write"}
    others = [name for name, job in jobs.items() if "id-token" in job.get("permissions", {})]
    assert others == ["pypi"]
    (publish,) = [s for s in pypi["steps"] if "gh-action-pypi-publish" in s.get("uses", "")]
    assert re.fullmatch(r"pypa/gh-action-pypi-publish@[0-9a-f]{40}", publish["uses"])
    assert "password" not in publish.get("with", {})  # OIDC, no stored token
    # The same files the evidence lists: checked against SHA256SUMS before the upload.
    steps = [s.get("uses", s.get("run", "")) for s in pypi["steps"]]
    check = next(i for i, s in enumerate(steps) if "SHA256SUMS" in s)
    assert check < steps.index(publish["uses"])
    assert "id-token" not in yaml.safe_load(WORKFLOW.read_text()).get("permissions", {})
