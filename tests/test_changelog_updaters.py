"""CHANGELOG.md prepending and version-file updaters: only the version changes."""

from __future__ import annotations

import pytest

from releaser.domain.changelog import newest_versions, prepend_entry
from releaser.domain.updaters import UPDATERS, UpdateError, updater_for

ENTRY = "## [1.1.0](u) (2026-12-01)\n\n\n### Features\n\n* x\n"


def test_new_changelog_gets_a_title():
    assert prepend_entry(None, ENTRY) == "# Changelog\n\n" + ENTRY


@pytest.mark.parametrize(
    "existing",
    [
        "# Changelog\n\n## 1.0.0 (2020-01-01)\n\n* first\n",
        "# Changelog\r\n\r\nintro text\r\n\r\n## 1.0.0\r\n* crlf kept\r\n",
        "## 1.0.0\n\nno title, no trailing newline",
        "# Changelog\n\nonly an intro\n",
        "# Changelog\n## 1.0.0\n\ttabs\u00a0and nbsp   \n",
    ],
)
def test_prepend_keeps_everything_below_byte_for_byte(existing):
    result = prepend_entry(existing, ENTRY)
    index = result.index(ENTRY)
    tail = result[index + len(ENTRY) :].lstrip("\n")
    old_releases = existing[existing.index("## ") :] if "## " in existing else ""
    assert tail.endswith(old_releases)
    if old_releases:
        assert result.endswith(old_releases)
    assert result.startswith(existing[: existing.find("## ")] if "## " in existing else existing)


PYPROJECT = """[build-system]
requires = ["setuptools"]
version = "9.9.9"

[project]
name = "x"
version = "1.0.0"  # keep this comment
dynamic = []

[tool.other]
version = "5.5.5"
"""

POETRY = """[tool.poetry]
name = "x"
version = '0.3.0'
"""

PACKAGE_JSON = """{
  "name": "x",
  "dependencies": {"version": "1.0.0", "y": {"version": "3.0.0"}},
  "version": "1.0.0",
  "scripts": {}
}
"""


UPDATE_CASES = [
    ("pyproject.toml", PYPROJECT, PYPROJECT.replace('"1.0.0"', '"1.1.0"')),
    ("pyproject.toml", POETRY, POETRY.replace("0.3.0", "1.1.0")),
    (
        "package.json",
        PACKAGE_JSON,
        PACKAGE_JSON.replace('"version": "1.0.0",\n', '"version": "1.1.0",\n'),
    ),
    ("src/pkg/__init__.py", '"""doc"""\n__version__ = "1.0.0"\nx = 1\n', None),
    ("src/pkg/_version.py", "__version__: str = '1.0.0'\n", None),
    ("VERSION", "1.0.0\n", "1.1.0\n"),
    ("VERSION", "v1.0.0", "v1.1.0"),
    ("chart/Chart.yaml", "apiVersion: v2\nversion: 1.0.0\nappVersion: 1.0.0\n", None),
    ("action.yml", "  image: docker://ghcr.io/x/y:1.0.0 # x-releaser-version\n", None),
    ("README.md", "Install 1.0.0 <!-- x-releaser-version -->\nold 1.0.0 stays\n", None),
]


@pytest.mark.parametrize("path, before, after", UPDATE_CASES)
def test_updaters_change_only_the_version(path, before, after):
    result = updater_for(path).update(before, "1.1.0")
    if after is None:
        # the first version on the relevant line changes, every other byte stays
        assert result.count("1.1.0") == 1
        assert result.replace("1.1.0", "1.0.0", 1) == before
    else:
        assert result == after


REFUSE_CASES = [
    ("pyproject.toml", "[project]\nname = 'x'\ndynamic = ['version']\n"),
    ("package.json", '{"name": "x", "nested": {"version": "1.0.0"}}'),
    ("package.json", "{not json"),
    ("x.py", "VERSION = '1.0.0'\n"),
    ("VERSION", "banana\n"),
    ("Chart.yaml", "  version: 1.0.0\n"),
    ("notes.txt", "1.0.0 but no marker\n"),
]


@pytest.mark.parametrize("path, text", REFUSE_CASES)
def test_updaters_refuse_files_without_a_version(path, text):
    with pytest.raises(UpdateError):
        updater_for(path).update(text, "1.1.0")


@pytest.mark.parametrize("path, before, _after", UPDATE_CASES)
@pytest.mark.parametrize("version", ["1.1.0", "2.0.0-rc.1+build.7"])
def test_every_format_reads_back_the_version_it_wrote(path, before, _after, version):
    updater = updater_for(path)
    assert updater.current(before) == ("0.3.0" if "0.3.0" in before else "1.0.0")
    assert updater.current(updater.update(before, version)) == version


def test_every_updater_can_read_its_version():
    assert all(callable(getattr(u, "current", None)) for u in UPDATERS.values())


@pytest.mark.parametrize("path, text", REFUSE_CASES)
def test_reading_a_file_without_a_version_refuses(path, text):
    with pytest.raises(UpdateError):
        updater_for(path).current(text)


def test_marked_lines_that_disagree_are_refused_not_guessed():
    text = "a 1.0.1 # x-releaser-version\nb 9.0.0 # x-releaser-version\n"
    with pytest.raises(UpdateError, match="1.0.1, 9.0.0"):
        updater_for("deploy.yml").current(text)


@pytest.mark.parametrize(
    "text, count, expected",
    [
        ("# Changelog\n\n## [1.1.0](u) (2026-12-01)\n\n## [1.0.0](u)\n", 1, ("1.1.0",)),
        ("# Changelog\n\n## 1.1.0 (2026-12-01)\n\n## [1.0.0](u)\n", 2, ("1.1.0", "1.0.0")),
        ("# Changelog\n\n### [v0.1.1](u)\n\n### Bug Fixes\n", 2, ("0.1.1",)),
        ("# [2.0.0-rc.1](u)\n\n### ⚠ BREAKING CHANGES\n", 1, ("2.0.0-rc.1",)),
        ("# Changelog\n\n## Unreleased\n\n## [1.0.0](u)\n", 1, (None,)),
        ("# Changelog\n\nNothing yet.\n", 1, ()),
        (None, 1, ()),
    ],
    ids=["newest", "two", "v-prefix", "level-1", "unreleased", "none", "missing"],
)
def test_newest_release_headings(text, count, expected):
    assert newest_versions(text, count) == expected


def test_newest_heading_is_the_entry_prepend_wrote():
    existing = "# Changelog\n\n## [1.0.0](u) (2020-01-01)\n\n* first\n"
    assert newest_versions(prepend_entry(existing, ENTRY)) == ("1.1.0",)


def test_explicit_kind_overrides_file_name():
    assert updater_for("meta.txt", "plain").update("2.0.0\n", "2.1.0") == "2.1.0\n"


@pytest.mark.parametrize(
    "existing, head",
    [
        (
            "# Changelog\n\n### [1.0.1](u) (2020-01-02)\n\n* patch\n\n## [1.0.0](u)\n\n* first\n",
            "# Changelog\n\n",
        ),
        (
            "# Changelog\n\nAll notable changes.\n\n# [1.1.0](u) (2020-01-03)\n\n### Features\n"
            "\n* x\n\n## [1.0.1](u) (2020-01-02)\n\n* y\n\n# 1.0.0 (2020-01-01)\n",
            "# Changelog\n\nAll notable changes.\n\n",
        ),
        ("# Changelog\n\n# 1.0.0 (2020-01-01)\n\n* first\n", "# Changelog\n\n"),
        ("# [2.0.0](u)\n\n### ⚠ BREAKING CHANGES\n\n* x\n", ""),
        (
            "# Changelog\n\n### Notes\n\nkept above\n\n### [v0.1.1](u)\n",
            "# Changelog\n\n### Notes\n\nkept above\n\n",
        ),
    ],
    ids=[
        "release-please-patch",
        "semantic-release",
        "semantic-release-first",
        "no-title",
        "v-prefix",
    ],
)
def test_prepend_above_release_headings_of_other_tools(existing, head):
    assert prepend_entry(existing, ENTRY) == head + ENTRY + "\n" + existing[len(head) :]
