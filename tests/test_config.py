"""Config loading: schema-validated, errors name the path and the line."""

from __future__ import annotations

import pytest

from releaser import config
from releaser.domain.evidence import RequiredCheck
from releaser.errors import ConfigError


def load_text(tmp_path, text: str):
    path = tmp_path / "releaser.yml"
    path.write_text(text)
    return config.load(path, tmp_path, explicit=True)


def test_defaults_when_no_file(tmp_path):
    cfg = config.load(None, tmp_path)
    (component,) = cfg.components
    assert component.policy.tag_prefix == "v"
    assert str(component.policy.initial_version) == "1.0.0"
    assert component.changelog_path == "CHANGELOG.md"
    assert cfg.squash_bullets.value == "auto"


def test_full_config(tmp_path):
    cfg = load_text(
        tmp_path,
        """# yaml-language-server: $schema=https://releaser.dev/schemas/releaser-config/v1.json
tag-prefix: release-
initial-version: 0.1.0
prerelease: rc
bump-minor-pre-major: true
squash-bullets: never
changelog-sections:
  - {type: feat, section: New}
  - {type: docs, section: Docs, hidden: false}
version-files: [pyproject.toml, {path: VERSION, type: plain}]
repository-url: https://github.com/acme/widgets/
""",
    )
    (c,) = cfg.components
    assert c.policy.tag_prefix == "release-" and c.policy.prerelease == "rc"
    assert c.policy.bump.bump_minor_pre_major
    assert [f.path for f in c.version_files] == ["pyproject.toml", "VERSION"]
    assert cfg.repository_url == "https://github.com/acme/widgets"
    assert cfg.squash_bullets.value == "never"


def test_components(tmp_path):
    cfg = load_text(
        tmp_path,
        "components:\n  - {name: api, path: services/api/}\n  - {name: web, path: web,"
        " version-files: [package.json]}\n",
    )
    api, web = cfg.components
    assert api.policy.tag_prefix == "api-v" and api.policy.path == "services/api"
    assert web.version_files[0].path == "web/package.json"
    assert web.changelog_path == "web/CHANGELOG.md"
    assert cfg.monorepo


@pytest.mark.parametrize(
    "text, expected",
    [
        ("titel: x\n", "releaser.yml:1: unknown key 'titel'"),
        (
            "changelog-sections:\n  - {type: feat, section: A}\n  - {type: fix, section: B}\n"
            "  - type: docs\n    section: C\n    titel: x\n",
            "releaser.yml:6: changelog-sections[2]: unknown key 'titel'",
        ),
        ("bump-minor-pre-major: yes please\n", "releaser.yml:1: bump-minor-pre-major: "),
        ("squash-bullets: sometimes\n", "releaser.yml:1: squash-bullets: 'sometimes' is not one"),
        (
            "initial-version: 1.0\n",
            'releaser.yml:1: initial-version: 1.0 is a number; quote it: "1.0.0"',
        ),
        (  # YAML reads 1.10 as 1.1: the advice quotes what was typed
            "components:\n  - name: api\n    path: api\n    initial-version: 1.10\n",
            'releaser.yml:4: components[0].initial-version: 1.10 is a number; quote it: "1.10.0"',
        ),
        ("tag-prefix: 2\n", 'releaser.yml:1: tag-prefix: 2 is a number; quote it: "2"'),
        ("components:\n  - name: api\n", "releaser.yml:2: components[0]: 'path' is a required"),
        ("- just\n- a list\n", "releaser.yml:1: (top level): "),
        ("key: [unclosed\n", "releaser.yml:2: invalid YAML"),
        (
            "required-checks:\n  - build\n  - {name: tests, ap: github-actions}\n",
            "releaser.yml:3: required-checks[1]: invalid value",
        ),
        (
            "required-checks:\n  - {name: tests, app: 'evil[bot]'}\n",
            "releaser.yml:2: required-checks[0]: invalid value",
        ),
        (
            "policies:\n  second-person-review: error\n",
            "releaser.yml:2: policies.second-person-review: 'error' is not one of",
        ),
        ("policies:\n  reviews: fail\n", "releaser.yml:2: policies: unknown key 'reviews'"),
        ("policies: fail\n", "releaser.yml:1: policies: "),
    ],
)
def test_errors_name_path_and_line(tmp_path, text, expected):
    with pytest.raises(ConfigError) as info:
        load_text(tmp_path, text)
    message = info.value.one_line()
    assert expected in message, message
    assert info.value.line is not None


def test_policies_default_to_warn_and_take_fail(tmp_path):
    assert config.from_dict({}).policies == config.Policies("warn", "warn")
    cfg = load_text(tmp_path, "policies:\n  second-person-review: fail\n")
    assert cfg.policies == config.Policies("fail", "warn")


def test_required_checks_take_names_and_app_pins(tmp_path):
    cfg = load_text(
        tmp_path, "required-checks:\n  - build\n  - {name: tests, app: github-actions}\n"
    )
    assert cfg.required_checks == (RequiredCheck("build"), RequiredCheck("tests", "github-actions"))


def test_duplicate_component_names(tmp_path):
    with pytest.raises(ConfigError, match="duplicate name 'a'"):
        load_text(tmp_path, "components: [{name: a, path: x}, {name: a, path: y}]\n")


def test_missing_explicit_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        config.load(tmp_path / "nope.yml", tmp_path, explicit=True)


def test_non_utf8_config(tmp_path):
    path = tmp_path / "c.yml"
    path.write_bytes(b"tag-prefix: \xff\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        config.load(path, tmp_path, explicit=True)


def test_unsafe_yaml_tags_are_rejected(tmp_path):
    with pytest.raises(ConfigError, match="invalid YAML"):
        load_text(tmp_path, "tag-prefix: !!python/object/apply:os.system ['true']\n")


@pytest.mark.parametrize(
    "text, expected",
    [
        ('initial-version: "1.0.0-01"\n', "releaser.yml:1: initial-version: '1.0.0-01' is not"),
        (
            "tag-prefix: v\ncomponents:\n  - name: api\n    path: api\n"
            '    initial-version: "1.0.0-a..b"\n',
            "releaser.yml:5: components[0].initial-version: '1.0.0-a..b' is not a SemVer",
        ),
        ('prerelease: "01"\n', "releaser.yml:1: prerelease: '01' would give versions like"),
        (
            'components:\n  - {name: a, path: a}\n  - {name: b, path: b, prerelease: "007"}\n',
            "releaser.yml:3: components[1].prerelease: '007' would give",
        ),
    ],
    ids=["initial-version", "component-initial-version", "prerelease", "component-prerelease"],
)
def test_values_the_schema_admits_but_semver_rejects(tmp_path, text, expected):
    with pytest.raises(ConfigError) as info:
        load_text(tmp_path, text)
    message = info.value.one_line()
    assert message.startswith(f"{tmp_path}/{expected}"), message
    assert "\n" not in message


def test_cli_reports_a_bad_initial_version_in_one_line(repo, capsys):
    from releaser.cli import main

    repo.commit("feat: x", {".github/releaser.yml": 'initial-version: "1.0.0-01"\n'})
    assert main(["plan", "--repo", str(repo.path), "--json"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "releaser: error: .github/releaser.yml:1: initial-version: '1.0.0-01' is not a SemVer"
        " version (see semver.org; e.g. 1.0.0 or 1.0.0-rc.1)\n"
    )


@pytest.mark.parametrize("channel", ["rc", "0", "10", "beta-2", "0a"])
def test_prerelease_channels_that_make_semver(tmp_path, channel):
    (c,) = load_text(tmp_path, f'prerelease: "{channel}"\n').components
    assert c.policy.prerelease == channel


def test_from_dict_reports_a_bad_version_as_a_config_error():
    with pytest.raises(ConfigError, match="initial-version: '1.0.0-01' is not"):
        config.from_dict({"initial-version": "1.0.0-01"})


@pytest.mark.parametrize(
    "paths, expected",
    [
        (["/srv/api"], "releaser.yml:4: components[0].path: '/srv/api' is absolute"),
        (["api", "../other"], "releaser.yml:6: components[1].path: '../other' has a '..' segment"),
        (["a/../../b"], "releaser.yml:4: components[0].path: 'a/../../b' has a '..' segment"),
        ([":(exclude)api"], "releaser.yml:4: components[0].path: ':(exclude)api' starts with ':'"),
        (["packages/*"], "releaser.yml:4: components[0].path: 'packages/*' has '*', which git"),
        (["a?c"], "releaser.yml:4: components[0].path: 'a?c' has '?'"),
        (["[ab]"], "releaser.yml:4: components[0].path: '[ab]' has '['"),
        (
            ["a", "a/b"],
            "releaser.yml:6: components[1].path: 'a/b' overlaps components[0].path 'a'; ",
        ),
        (["pkgs/x/", "web", "pkgs"], "releaser.yml:8: components[2].path: 'pkgs' overlaps comp"),
        (["api", "./api/"], "releaser.yml:6: components[1].path: './api/' overlaps components[0]"),
    ],
    ids=lambda v: "+".join(v) if isinstance(v, list) else "",
)
def test_component_paths_git_would_misread_or_that_overlap(tmp_path, paths, expected):
    items = "".join(f"  - name: c{i}\n    path: '{p}'\n" for i, p in enumerate(paths))
    with pytest.raises(ConfigError) as info:
        load_text(tmp_path, "tag-prefix: v\ncomponents:\n" + items)
    message = info.value.one_line()
    assert message.startswith(f"{tmp_path}/{expected}"), message


def test_component_paths_that_are_fine(tmp_path):
    items = ["{name: root, path: .}", "{name: a, path: a}", "{name: ab, path: ab/}"]
    items += ["{name: b, path: libs/b}", "{name: c, path: libs/c.d-e_f}"]
    cfg = load_text(tmp_path, f"components: [{', '.join(items)}]\n")
    assert [c.policy.path for c in cfg.components] == [".", "a", "ab", "libs/b", "libs/c.d-e_f"]


def test_labels_given_in_part_keep_releasers_default_for_the_rest():
    # A slotted dataclass's class attribute is a descriptor, not the field's default.
    loaded = config.from_dict({"labels": {"pending": "release: open"}})
    assert (loaded.labels.pending, loaded.labels.released) == (
        "release: open",
        "releaser: released",
    )
