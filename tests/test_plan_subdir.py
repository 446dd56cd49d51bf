"""`releaser plan` started below the top level plans the repository, not the subdirectory."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.gitutil import Repo, plan_json

TOP = "tag-prefix: rel-\n"
DECOY = "tag-prefix: decoy-\n"  # a config a subdirectory happens to hold; never the one read


@pytest.fixture
def nested(repo: Repo) -> Repo:
    repo.commit(
        "chore: init", {".github/releaser.yml": TOP, "sub/deeper/.github/releaser.yml": DECOY}
    )
    repo.tag("rel-1.0.0")
    repo.tag("decoy-9.0.0")
    repo.commit("feat: top-level thing")
    return repo


@pytest.mark.parametrize("where", ["sub", "sub/deeper", "sub/deeper/.github"])
def test_repo_option_pointing_below_the_top_level(nested, where):
    (release,) = plan_json(nested.path / where)["releases"]
    assert (release["previous_tag"], release["version"], release["tag"]) == (
        "rel-1.0.0",
        "1.1.0",
        "rel-1.1.0",
    )


def test_started_in_a_subdirectory(nested, monkeypatch, capsys):
    from releaser.cli import main

    monkeypatch.chdir(nested.path / "sub" / "deeper")
    assert main(["plan", "--json"]) == 0
    (release,) = json.loads(capsys.readouterr().out)["releases"]
    assert release["tag"] == "rel-1.1.0"


def test_component_paths_are_from_the_top_level(repo):
    cfg = "components:\n  - {name: api, path: api}\n  - {name: web, path: web}\n"
    repo.commit("chore: init", {".github/releaser.yml": cfg, "api/a": "1", "web/w": "1"})
    repo.tag("api-v1.0.0")
    repo.tag("web-v1.0.0")
    repo.commit("feat: api thing", {"api/a": "2"})
    repo.commit("fix: web thing", {"web/w": "2"})
    api, web = plan_json(repo.path / "web")["releases"]
    assert [c["subject"] for c in api["commits"]] == ["api thing"]
    assert [c["subject"] for c in web["commits"]] == ["web thing"]
    assert (api["version"], web["version"]) == ("1.1.0", "1.0.1")


def test_a_bare_repository_still_plans(nested, tmp_path):
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(nested.path), str(bare)], check=True)
    (release,) = plan_json(bare)["releases"]
    # no working tree, so no config: the defaults, whose v-prefix matches no tag here
    assert (release["previous_tag"], release["version"]) == (None, "1.0.0")
