"""scripts/image-tag-is-free.sh: a released version's image is never pushed over (self-release)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "image-tag-is-free.sh"
IMAGE = "ghcr.io/releaser-dev/releaser"
DIGEST = "sha256:" + "ab" * 32

# A stand-in for `docker buildx imagetools inspect`: it logs its arguments, then answers as
# FAKE_REGISTRY says the registry would.
FAKE_DOCKER = r"""#!/usr/bin/env bash
printf '%s\n' "$*" >> "$FAKE_DOCKER_LOG"
case "$FAKE_REGISTRY" in
  exists) printf '"%s"\n' "$FAKE_DIGEST"; exit 0 ;;
  missing) echo "ERROR: $4: not found" >&2; exit 1 ;;
  unknown) echo "ERROR: unexpected status: 404 MANIFEST_UNKNOWN" >&2; exit 1 ;;
  denied) echo "ERROR: failed to authorize: 403 Forbidden" >&2; exit 1 ;;
  offline) echo "ERROR: dial tcp: lookup ghcr.io: no such host" >&2; exit 1 ;;
esac
exit 99
"""


def run(tmp_path: Path, registry: str, *args: str) -> subprocess.CompletedProcess[str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    docker = bin_dir / "docker"
    docker.write_text(FAKE_DOCKER)
    docker.chmod(0o755)
    env = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "FAKE_REGISTRY": registry,
        "FAKE_DIGEST": DIGEST,
        "FAKE_DOCKER_LOG": str(tmp_path / "docker.log"),
        "GITHUB_OUTPUT": str(tmp_path / "output"),
    }
    return subprocess.run(
        ["bash", str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=30
    )


def decision(tmp_path: Path) -> str | None:
    output = tmp_path / "output"
    return output.read_text() if output.exists() else None


def test_an_existing_version_is_refused(tmp_path):
    result = run(tmp_path, "exists", IMAGE, "0.1.0")
    assert result.returncode == 1
    assert result.stdout.startswith(f"::error::{IMAGE}:0.1.0 already exists ({DIGEST})")
    assert "never overwritten" in result.stdout
    assert decision(tmp_path) == "push=false\n"
    logged = (tmp_path / "docker.log").read_text().split()
    assert logged[:3] == ["buildx", "imagetools", "inspect"] and logged[-1] == f"{IMAGE}:0.1.0"


def test_an_existing_version_can_be_kept_without_failing_the_job(tmp_path):
    # On push, a version whose image an earlier run pushed keeps that image, and releases.
    result = run(tmp_path, "exists", "--skip-existing", IMAGE, "0.1.0")
    assert result.returncode == 0
    assert result.stdout.startswith(f"::warning::{IMAGE}:0.1.0 already exists ({DIGEST})")
    assert decision(tmp_path) == "push=false\n"


@pytest.mark.parametrize("registry", ["missing", "unknown"])
def test_a_version_without_an_image_may_be_pushed(tmp_path, registry):
    result = run(tmp_path, registry, IMAGE, "0.2.0-rc.1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "does not exist yet" in result.stdout
    assert decision(tmp_path) == "push=true\n"


@pytest.mark.parametrize("registry", ["denied", "offline"])
def test_when_the_registry_cannot_tell_nothing_is_pushed(tmp_path, registry):
    result = run(tmp_path, registry, IMAGE, "0.2.0")
    assert result.returncode == 1
    assert result.stdout.startswith(f"::error::cannot tell whether {IMAGE}:0.2.0 exists")
    assert decision(tmp_path) == "push=false\n"


@pytest.mark.parametrize(
    "args",
    [
        (IMAGE, "latest"),
        (IMAGE, "0.1.0\n::warning::x"),
        (IMAGE, "v0.1.0"),
        ("ghcr.io/Releaser/x y", "0.1.0"),
        (IMAGE,),
    ],
)
def test_odd_arguments_are_refused_before_the_registry_is_asked(tmp_path, args):
    result = run(tmp_path, "missing", *args)
    assert result.returncode == 2
    assert not (tmp_path / "docker.log").exists()
    assert decision(tmp_path) is None
    assert "::warning::" not in result.stdout


def _steps():
    wf = yaml.safe_load((ROOT / ".github" / "workflows" / "self-release.yml").read_text())
    return wf["jobs"]["image"]["steps"]


def test_self_release_checks_the_tag_before_it_pushes():
    steps = _steps()
    check = next(
        i for i, s in enumerate(steps) if "scripts/image-tag-is-free.sh" in s.get("run", "")
    )
    push = next(
        i for i, s in enumerate(steps) if str(s.get("uses", "")).startswith("docker/build-push")
    )
    assert check < push
    # The check is not skippable: no continue-on-error, and the push runs only after it passed.
    assert not steps[check].get("continue-on-error")
    assert steps[check].get("id") == "free"
    assert "steps.free.outputs.push == 'true'" in str(steps[push].get("if", ""))
    # Every push is checked: no step pushes by other means.
    pushing = [s for s in steps if "docker push" in s.get("run", "")]
    assert pushing == []
