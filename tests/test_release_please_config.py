"""release-please-config.json + manifest, read when no .github/releaser.yml exists (plan)."""

from __future__ import annotations

import contextlib
import io
import json
from dataclasses import replace

import pytest

from releaser import config as config_mod
from releaser import release_please
from releaser.cli import main
from tests.gitutil import plan_json
from tests.release_please_fixture import BASE, RELEASER_YML, RP_FILES, TAGS, WORK


def run_plan(path):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["plan", "--repo", str(path), "--json"])
    return code, out.getvalue(), err.getvalue()


def migrated(repo):
    for message, files in BASE:
        repo.commit(message, files)
    repo.commit("chore: release-please config", RP_FILES)
    for tag in TAGS:
        repo.tag(tag)
    for message, files in WORK:
        repo.commit(message, files)
    return repo


def test_release_please_files_plan_what_the_equivalent_releaser_yml_plans(repo):
    migrated(repo)
    from_rp = plan_json(repo.path)
    found = {
        r["component"]: (r["previous_tag"], r["version"], r["tag"]) for r in from_rp["releases"]
    }
    assert found == {
        "api": ("api-v0.3.0", "0.4.0", "api-v0.4.0"),
        "web": ("web@1.1.0", "1.1.1", "web@1.1.1"),
    }
    api = next(r for r in from_rp["releases"] if r["component"] == "api")
    assert "### Dependencies" in api["notes"] and "### Features" in api["notes"]
    rp_config = config_mod.load(None, repo.path, fallback=release_please.load)

    # The same history with the releaser.yml (a commit outside both packages) plans the same.
    repo.commit("chore: releaser config", {".github/releaser.yml": RELEASER_YML})
    assert plan_json(repo.path) == from_rp
    yml_config = config_mod.load(None, repo.path)
    assert replace(rp_config, source=None, warnings=(), manifest=()) == replace(
        yml_config, source=None
    )
    assert rp_config.labels == config_mod.RELEASE_PLEASE_LABELS


def test_a_clean_migration_warns_nothing(repo):
    migrated(repo)
    code, _, err = run_plan(repo.path)
    assert code == 0 and err == ""


def test_each_key_that_does_not_map_is_one_warning_naming_its_path(repo):
    config = {
        "bootstrap-sha": "abc123",
        "plugins": ["node-workspace"],
        "release-as": "2.0.0",
        "draft": False,  # release-please's default: nothing to say
        "packages": {
            ".": {"release-type": "rust", "skip-github-release": True, "frobnicate": 1},
        },
    }
    repo.commit(
        "feat: first",
        {"release-please-config.json": json.dumps(config), ".release-please-manifest.json": "{}"},
    )
    code, out, err = run_plan(repo.path)
    assert code == 0, err
    lines = err.splitlines()
    prefix = "releaser: warning: release-please-config.json: "
    assert all(line.startswith(prefix) for line in lines), lines
    paths = [line[len(prefix) :].split(": ", 1)[0] for line in lines]
    assert sorted(paths) == sorted(
        [
            "bootstrap-sha",
            "plugins[0]",
            "release-as",
            'packages["."].release-type',
            'packages["."].skip-github-release',
            'packages["."].frobnicate',
        ]
    )
    said = dict(zip(paths, lines, strict=True))
    assert "tag" in said["bootstrap-sha"] and "Release-As" in said["release-as"]
    assert "version-files" in said['packages["."].release-type']
    assert json.loads(out)["releases"][0]["tag"] == "v1.0.0"


def test_a_manifest_version_without_its_tag_is_a_warning(repo):
    config = {"packages": {".": {"release-type": "simple", "include-component-in-tag": False}}}
    repo.commit(
        "feat: first",
        {
            "release-please-config.json": json.dumps(config),
            ".release-please-manifest.json": '{".": "2.4.0"}',
            "version.txt": "2.4.0\n",
        },
    )
    code, out, err = run_plan(repo.path)
    assert code == 0
    (line,) = err.splitlines()
    assert line.startswith('releaser: warning: .release-please-manifest.json: ["."]: says 2.4.0')
    assert "v2.4.0" in line
    repo.tag("v2.4.0")
    repo.commit("fix: second")
    code, out, err = run_plan(repo.path)
    assert err == "" and json.loads(out)["releases"][0]["version"] == "2.4.1"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (
            '{"packages": {".": {}},\n  "bump-minor-pre-major": tru}',
            "release-please-config.json:2 is not valid JSON",
        ),
        ('{"packages": {".": {"bump-minor-pre-major": "yes"}}}', "release-please-config.json: "),
        ('{"packages": {"../up": {}}}', "release-please-config.json: "),
        ("[" * 100 + "]" * 100, "release-please-config.json:1: nested deeper"),
        ('{"separate-pull-requests": true}', "release-please-config.json: packages"),
    ],
    ids=["syntax", "wrong-type", "path-escapes", "too-deep", "no-packages"],
)
def test_a_malformed_release_please_config_is_one_error_line_naming_the_file(repo, text, where):
    repo.commit("feat: first", {"release-please-config.json": text})
    code, out, err = run_plan(repo.path)
    assert code == 2 and out == ""
    (line,) = err.splitlines()
    assert line.startswith("releaser: error: " + where), line


def test_releaser_yml_wins_over_release_please_files(repo):
    repo.commit("feat: first", {**RP_FILES, ".github/releaser.yml": "tag-prefix: rel-\n"})
    code, out, err = run_plan(repo.path)
    assert code == 0 and err == ""
    assert json.loads(out)["releases"][0]["tag"] == "rel-1.0.0"
