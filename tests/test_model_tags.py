"""A model release's tag is annotated, GTO's way: the fake GitHub makes the tag object and the
ref, and `gto show` in a clone lists the version."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from releaser.errors import StateConflict
from releaser.github import GitHub
from releaser.models.release import digest_in_message

DIGEST = "d" * 64
MESSAGE = f"Registering artifact churn version v1.3.0\n\nmanifest_sha256: {DIGEST}\n"


def _client(fake) -> GitHub:
    return GitHub(fake.token, fake.api_url, fake.full_name, write_interval=0)


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def _tagged(fakegithub) -> tuple[GitHub, str]:
    sha = fakegithub.commit("main", "feat: churn model", {"models/churn/model.yaml": "name: c\n"})
    gh = _client(fakegithub)
    gh.create_annotated_tag("churn@v1.3.0", sha, MESSAGE)
    return gh, sha


def test_the_tag_is_an_annotated_tag_object_at_the_commit(fakegithub):
    gh, sha = _tagged(fakegithub)
    bare = fakegithub.bare_path
    assert _git(bare, "cat-file", "-t", "refs/tags/churn@v1.3.0") == "tag"
    assert _git(bare, "rev-parse", "refs/tags/churn@v1.3.0^{commit}") == sha
    assert gh.ref_sha("tags/churn@v1.3.0") == sha
    assert gh.tag_message("churn@v1.3.0") == MESSAGE
    assert digest_in_message(gh.tag_message("churn@v1.3.0")) == DIGEST


def test_a_rerun_at_the_same_commit_is_done_and_another_commit_is_refused(fakegithub):
    gh, sha = _tagged(fakegithub)
    gh.create_annotated_tag("churn@v1.3.0", sha, MESSAGE)  # a re-run: nothing to do
    other = fakegithub.commit("main", "fix: other", {"x.txt": "x\n"})
    with pytest.raises(StateConflict, match="already exists at"):
        gh.create_annotated_tag("churn@v1.3.0", other, MESSAGE)
    assert _git(fakegithub.bare_path, "rev-parse", "refs/tags/churn@v1.3.0^{commit}") == sha


def test_a_lightweight_tag_has_no_message(fakegithub):
    fakegithub.commit("main", "feat: x", {"x.txt": "x\n"})
    fakegithub.tag("churn@v1.2.0")
    assert _client(fakegithub).tag_message("churn@v1.2.0") is None
    assert _client(fakegithub).tag_message("churn@v9.9.9") is None


def test_gto_show_reads_the_annotated_tag(fakegithub, tmp_path):
    gto = shutil.which("gto") or str(Path(__import__("sys").executable).parent / "gto")
    _tagged(fakegithub)
    fakegithub.commit("main", "feat: more", {"y.txt": "y\n"})
    fakegithub.tag("churn@v1.4.0")  # lightweight: GTO does not count it as a registration
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(fakegithub.bare_path), str(clone)], check=True)
    shown = subprocess.run(
        [gto, "show", "--json", "--repo", str(clone)], check=True, capture_output=True, text=True
    )
    registry = json.loads(shown.stdout)
    assert registry["churn"]["version"] == "v1.3.0", shown.stdout
    versions = subprocess.run(
        [gto, "show", "churn", "--json", "--repo", str(clone)],
        check=True,
        capture_output=True,
        text=True,
    )
    listed = json.loads(versions.stdout)
    assert [v["version"] for v in listed] == ["v1.3.0"], versions.stdout
