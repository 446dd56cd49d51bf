"""Opening a repository: when git refuses one, releaser says why, in one line, exit 2."""

from __future__ import annotations

import pytest

from tests.gitutil import Repo


def run_plan(path, capsys) -> tuple[int, str, str]:
    from releaser.cli import main

    code = main(["plan", "--repo", str(path), "--json"])
    out, err = capsys.readouterr()
    return code, out, err


def test_dubious_ownership_is_reported_as_such(repo: Repo, monkeypatch, capsys):
    repo.commit("feat: x")
    # git's own switch for "this repository belongs to someone else" (git >= 2.35.2)
    monkeypatch.setenv("GIT_TEST_ASSUME_DIFFERENT_OWNER", "1")
    monkeypatch.delenv("GIT_CEILING_DIRECTORIES", raising=False)
    code, out, err = run_plan(repo.path, capsys)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"releaser: error: git refuses the repository at {repo.path}: ")
    assert "dubious ownership" in err
    assert f"git config --global --add safe.directory {repo.path}" in err
    assert "not a git repository" not in err


def test_a_plain_directory_is_not_a_git_repository(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    (tmp_path / "plain").mkdir()
    code, out, err = run_plan(tmp_path / "plain", capsys)
    assert (code, out) == (2, "")
    assert err == f"releaser: error: not a git repository: {tmp_path / 'plain'}\n"


@pytest.mark.parametrize("missing", ["nowhere", "nowhere/deeper"])
def test_a_missing_directory(tmp_path, capsys, missing):
    code, _, err = run_plan(tmp_path / missing, capsys)
    assert code == 2 and err.startswith("releaser: error: not a git repository: ")


def test_a_file_is_not_a_directory(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    code, out, err = run_plan(tmp_path / "file", capsys)
    assert (code, out) == (2, "")
    assert err == f"releaser: error: not a git repository: {tmp_path / 'file'} is not a directory\n"
