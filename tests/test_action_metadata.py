"""The Action's metadata, workflows, Dockerfile and lock agree with each other and stay hardened."""

from __future__ import annotations

import importlib
import re
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
ACTION = ROOT / "action.yml"
WORKFLOW_FILES = sorted(
    p for d in (ROOT / ".github" / "workflows", ROOT / "workflows") for p in d.glob("*.y*ml")
)

# The contract users see; releaser.actions.INPUTS/OUTPUTS and the README tables must match it.
INPUTS = (
    "token",
    "config-file",
    "command",
    "target-branch",
    "app-id",
    "app-private-key",
    "test-results",
    "artifacts",
    "sbom",
    "fail-on-missing-evidence",
    "version",
    "environment",
    "strategy",
    "reason",
    "emergency",
    "component",
    "deployment-id",
    "state",
    "environment-url",
    "description",
)
OUTPUTS = (
    "release_created",
    "releases_created",
    "tag_name",
    "version",
    "major",
    "minor",
    "patch",
    "sha",
    "html_url",
    "upload_url",
    "pr",
    "prs_created",
    "paths_released",
    "evidence_url",
    "deployment_id",
    "tag",
    "review_issue",
)
# Read by the promotion commands only; release.yml runs the release commands and passes none.
PROMOTION_INPUTS = INPUTS[INPUTS.index("version") :]
PROMOTION_OUTPUTS = ("deployment_id", "tag", "review_issue")
DEFAULTS = {
    "token": "${{ github.token }}",
    "config-file": ".github/releaser.yml",
    "command": "auto",
    "target-branch": "",
    "fail-on-missing-evidence": "",
    "strategy": "full",
    "emergency": "false",
}
SHA_USES = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"#\s*v\d+(\.\d+){0,2}\b")
IMAGE = "docker://ghcr.io/releaser-dev/releaser:"


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def action() -> dict:
    return _load(ACTION)


def _version() -> str:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return data["project"]["version"]


def _walk(node, key: str):
    """Every value stored under `key` anywhere in a parsed YAML document."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key:
                yield v
            yield from _walk(v, key)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item, key)


def _uses_lines(path: Path) -> list[tuple[str, str]]:
    """(reference, whole line) of every `uses:` line, comments kept (safe_load drops them)."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\s*(?:-\s+)?uses:\s*(\S+)", line)
        if m:
            out.append((m.group(1), line))
    return out


# --- action.yml ----------------------------------------------------------------------------


def test_action_yml_is_a_docker_action_with_branding(action):
    assert action["runs"]["using"] == "docker"
    assert action["name"] and action["description"] and action["author"]
    assert set(action["branding"]) == {"icon", "color"}


def test_action_inputs_and_outputs_are_the_contract(action):
    assert tuple(action["inputs"]) == INPUTS
    assert tuple(action["outputs"]) == OUTPUTS


@pytest.mark.parametrize("kind", ["inputs", "outputs"])
def test_every_input_and_output_has_a_description(action, kind):
    missing = [
        n for n, spec in action[kind].items() if not str(spec.get("description", "")).strip()
    ]
    assert missing == []


def test_input_defaults(action):
    got = {n: spec.get("default") for n, spec in action["inputs"].items() if n in DEFAULTS}
    assert got == DEFAULTS
    allowed = set(re.findall(r"`([a-z-]+)`", action["inputs"]["command"]["description"]))
    assert {"auto", "release-pr", "publish", "plan"} <= allowed
    assert {"promote", "deployment-status", "rollback"} <= allowed


def test_image_line_is_the_released_version_and_marked(action):
    assert action["runs"]["image"] == f"{IMAGE}{_version()}"
    lines = [ln for ln in ACTION.read_text(encoding="utf-8").splitlines() if "image:" in ln]
    image_lines = [ln for ln in lines if not ln.lstrip().startswith("#")]
    assert len(image_lines) == 1
    assert image_lines[0].rstrip().endswith("# x-releaser-version")


def test_code_declares_the_same_inputs_and_outputs():
    try:
        actions = importlib.import_module("releaser.actions")
    except ModuleNotFoundError:
        pytest.skip("releaser/actions.py does not exist yet (the lead adds INPUTS/OUTPUTS)")
    if not hasattr(actions, "INPUTS") or not hasattr(actions, "OUTPUTS"):
        pytest.skip("releaser.actions has no INPUTS/OUTPUTS constants yet")
    assert tuple(actions.INPUTS) == INPUTS
    assert tuple(actions.OUTPUTS) == OUTPUTS


def _readme_table(text: str, heading: str) -> list[str] | None:
    m = re.search(rf"^## {heading}\s*$(.*?)(?=^## |\Z)", text, re.M | re.S)
    if not m:
        return None
    return re.findall(r"^\|\s*`([^`]+)`\s*\|", m.group(1), re.M)


@pytest.mark.parametrize(("heading", "expected"), [("Inputs", INPUTS), ("Outputs", OUTPUTS)])
def test_readme_tables_list_the_same_names(heading, expected):
    readme = ROOT / "README.md"
    if not readme.exists():
        pytest.skip("README.md does not exist yet")
    names = _readme_table(readme.read_text(encoding="utf-8"), heading)
    if names is None:
        pytest.skip(f"README.md has no '## {heading}' section yet")
    assert tuple(names) == expected


# --- workflows -----------------------------------------------------------------------------


def test_there_are_workflows_and_caller_examples():
    names = {p.relative_to(ROOT).as_posix() for p in WORKFLOW_FILES}
    assert {
        ".github/workflows/ci.yml",
        ".github/workflows/release.yml",
        ".github/workflows/self-release.yml",
        "workflows/push-to-main.yml",
        "workflows/github-app-token.yml",
        "workflows/monorepo.yml",
        "workflows/reusable.yml",
        ".github/workflows/promote.yml",
        ".github/workflows/deployment-status.yml",
        "workflows/promote.yml",
    } <= names


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_uses_is_pinned(path):
    refs = _uses_lines(path)
    parsed = [u for u in _walk(_load(path), "uses")]
    assert sorted(r for r, _ in refs) == sorted(parsed), "a uses: line was not recognised"
    for ref, line in refs:
        if ref.startswith("./"):
            continue  # this repository's own reusable workflow, same commit
        if ref.startswith("docker://"):
            # The released image: tag bumped by the release PR in step with action.yml.
            digest = "@sha256:" in ref
            assert digest or (
                ref == f"{IMAGE}{_version()}" and line.rstrip().endswith("# x-releaser-version")
            ), line
            continue
        assert SHA_USES.match(ref), f"not pinned to a full commit SHA: {line.strip()}"
        assert VERSION_COMMENT.search(line), f"no '# vX.Y.Z' comment: {line.strip()}"


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_expressions_inside_run_scripts(path):
    # Expressions are expanded into the script text before the shell sees it; values must
    # reach scripts through env: instead.
    for script in _walk(_load(path), "run"):
        assert "${{" not in str(script), f"expression inside run: {script!r}"


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_top_level_permissions_are_read_only(path):
    assert _load(path).get("permissions") == {"contents": "read"}


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_checkouts_do_not_persist_credentials(path):
    for step in _walk(_load(path), "steps"):
        for s in step:
            if str(s.get("uses", "")).startswith("actions/checkout@"):
                assert s.get("with", {}).get("persist-credentials") is False


def test_reusable_workflow_passes_every_input_and_reexports_every_output(action):
    wf = _load(ROOT / ".github" / "workflows" / "release.yml")
    call = wf[True]["workflow_call"]  # YAML 1.1 reads the key `on` as True
    job = wf["jobs"]["release"]
    step = next(s for s in job["steps"] if s.get("id") == "releaser")
    # A docker:// step gets no action.yml defaults, so every input must be passed.
    assert set(step["with"]) == set(INPUTS) - set(PROMOTION_INPUTS)
    assert set(call["outputs"]) == set(OUTPUTS) - set(PROMOTION_OUTPUTS) == set(job["outputs"])
    assert {"app-id", "app-private-key", "token"} <= set(call["secrets"])
    assert "artifact-name" in call["inputs"]
    assert wf["concurrency"] == {
        "group": "releaser-${{ github.repository }}-${{ inputs.target-branch }}",
        "cancel-in-progress": False,
    }


def test_the_release_jobs_grant_what_an_app_token_for_auto_is_minted_with():
    """One table (releaser.github.permissions) says what releaser needs; the job tokens of the
    reusable workflow and of self-release grant exactly that, no more."""
    from releaser.github.permissions import permissions_for

    wanted = {k.replace("_", "-"): v for k, v in permissions_for("auto").items()}
    release = _load(ROOT / ".github" / "workflows" / "release.yml")["jobs"]["release"]
    caller = _load(ROOT / ".github" / "workflows" / "self-release.yml")["jobs"]["release"]
    assert release["permissions"] == wanted
    assert caller["permissions"] == wanted


# --- Dockerfile and lock -------------------------------------------------------------------


def test_dockerfile_is_pinned_and_hash_locked():
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^ARG BASE=python:3\.12-slim@sha256:[0-9a-f]{64}$", text, re.M)
    assert "--require-hashes" in text and "--no-deps" in text
    assert "safe.directory /github/workspace" in text
    assert "safe.directory '*'" not in text and "safe.directory *" not in text
    assert not re.search(r"^USER\b", text, re.M)
    assert 'ENTRYPOINT ["python", "/app/entrypoint.py"]' in text


def _lock(path: Path) -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) for a pip-compile --generate-hashes file."""
    out: dict[str, tuple[str, int]] = {}
    text = path.read_text(encoding="utf-8")
    for block in re.split(r"\n(?=[a-z0-9])", text):
        m = re.match(r"([a-z0-9][a-z0-9._-]*)==(\S+)", block)
        if m:
            out[m.group(1)] = (m.group(2), len(re.findall(r"--hash=sha256:[0-9a-f]{64}", block)))
    return out


def test_lock_pins_every_runtime_dependency_with_hashes():
    locked = _lock(ROOT / "requirements.lock")
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for req in deps["dependencies"]:
        name, version = req.split("==")
        key = re.sub(r"[-_.]+", "-", name).lower()
        assert locked.get(key, (None,))[0] == version, f"{req} not locked at that version"
    assert all(n > 0 for _, n in locked.values())
    assert len(locked) > len(deps["dependencies"])  # the transitive ones are there too
    assert _lock(ROOT / "requirements" / "bootstrap.txt")["pip"][1] > 0
