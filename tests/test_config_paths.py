"""Files the config names stay in the workspace, and the config file itself is no link."""

from __future__ import annotations

import pytest

from releaser import config
from releaser.errors import ConfigError
from tests.action_util import ActionRunner

SECRET = "root:x:0:0:SECRET-7f3a9c-must-not-be-echoed:/root:/bin/bash"


def load_text(tmp_path, text: str):
    path = tmp_path / "releaser.yml"
    path.write_text(text)
    return config.load(path, tmp_path, explicit=True)


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "version-files: [../x.toml]\n",
            "releaser.yml:1: version-files[0]: '../x.toml' has a '..'",
        ),
        (
            "version-files: [/etc/passwd]\n",
            "releaser.yml:1: version-files[0]: '/etc/passwd' is abs",
        ),
        (
            "tag-prefix: v\nversion-files:\n  - path: .git/config\n",
            "releaser.yml:3: version-files[0].path: '.git/config' inside .git",
        ),
        ("changelog-path: ../CHANGELOG.md\n", "releaser.yml:1: changelog-path: '../CHANGELOG.md'"),
        (
            "components:\n  - name: a\n    path: a\n    changelog-path: /tmp/log.md\n",
            "releaser.yml:4: components[0].changelog-path: '/tmp/log.md' is absolute",
        ),
        (
            "components:\n  - name: a\n    path: a\n    version-files:\n      - ok.toml\n"
            "      - ../../user\n",
            "releaser.yml:6: components[0].version-files[1]: '../../user' has a '..' segment",
        ),
        (
            "components:\n  - name: a\n    path: .Git\n",
            "releaser.yml:3: components[0].path: '.Git' inside .git",
        ),
    ],
    ids=["dotdot", "absolute", "git", "changelog", "comp-changelog", "comp-version", "comp-git"],
)
def test_named_files_outside_the_workspace_fail_at_load(tmp_path, text, expected):
    with pytest.raises(ConfigError) as info:
        load_text(tmp_path, text)
    assert info.value.exit_code == 2
    message = info.value.one_line()
    assert message.startswith(f"{tmp_path}/{expected}"), message
    assert info.value.line is not None


def test_from_dict_refuses_them_too():
    with pytest.raises(ConfigError, match="version-files\\[0\\]: '../x' has a '..'"):
        config.from_dict({"version-files": ["../x"]})


@pytest.mark.parametrize("target", ["outside", "inside"])
def test_a_config_that_is_a_symlink_is_refused_unread(tmp_path, target):
    repo = tmp_path / "repo"
    (repo / ".github").mkdir(parents=True)
    secret = tmp_path / "secret.yml" if target == "outside" else repo / "other.yml"
    secret.write_text(SECRET + "\n")
    (repo / ".github" / "releaser.yml").symlink_to(secret)
    for path in (None, repo / ".github" / "releaser.yml"):
        with pytest.raises(ConfigError) as info:
            config.load(path, repo, explicit=path is not None)
        message = info.value.one_line()
        assert message.startswith("cannot read config ") and "symlink" in message, message
        assert "SECRET" not in message


def test_a_config_under_a_linked_directory_is_refused(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "releaser.yml").write_text(SECRET + "\n")
    (repo / ".github").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(ConfigError, match="symlink") as info:
        config.load(None, repo)
    assert "SECRET" not in info.value.one_line()


@pytest.fixture
def action(fakegithub, tmp_path):
    return ActionRunner(fakegithub, tmp_path)


def _run_all_output(result) -> str:
    return result.stdout + result.stderr + result.summary


def test_the_action_refuses_a_symlinked_config_without_echoing_it(fakegithub, action, tmp_path):
    fakegithub.commit("main", "feat: x", {"README.md": "hi\n"})
    action.clone()
    (tmp_path / "secret.yml").write_text(SECRET + "\n")
    (action.workspace / ".github").mkdir()
    (action.workspace / ".github" / "releaser.yml").symlink_to(tmp_path / "secret.yml")
    result = action.run("push", clone=False)
    assert result.code == 2
    assert "SECRET" not in _run_all_output(result)
    assert "::error" in result.stdout and "a symlink" in result.stdout, result.stdout
    assert fakegithub.pulls == {}


@pytest.mark.parametrize("name", ["../secret.yml", "/etc/passwd", ".git/config"])
def test_the_config_file_input_must_stay_in_the_workspace(fakegithub, action, tmp_path, name):
    fakegithub.commit("main", "feat: x", {"README.md": "hi\n"})
    (tmp_path / "secret.yml").write_text(SECRET + "\n")
    result = action.run("push", inputs={"config-file": name})
    assert result.code == 2
    assert "SECRET" not in _run_all_output(result) and "root:x:0" not in _run_all_output(result)
    assert f"::error::input config-file {name!r}" in result.stdout, result.stdout
    assert fakegithub.pulls == {}
