"""Release PR titles: releaser's placeholders and release-please's pattern placeholders."""

from __future__ import annotations

import pytest

from releaser.domain.release_pr import PlannedRelease, render_title

ROOT = PlannedRelease("", ".", "1.2.0", "v1.2.0", "v1.1.0", "notes\n")
API = PlannedRelease("api", "api", "2.0.0", "api-v2.0.0", "api-v1.0.0", "notes\n")


@pytest.mark.parametrize(
    ("template", "releases", "expected"),
    [
        ("chore({target}): release {version}", (ROOT,), "chore(main): release 1.2.0"),
        ("chore${scope}: release${component} ${version}", (ROOT,), "chore(main): release 1.2.0"),
        (
            "chore${scope}: release${component} ${version}",
            (API,),
            "chore(main): release api 2.0.0",
        ),
        ("release {component} {version} to ${branch}", (API,), "release api 2.0.0 to main"),
        (
            "chore({target}): release {version}",
            (ROOT, API),
            "chore(main): release root 1.2.0, api 2.0.0",
        ),
    ],
    ids=["default", "release-please-root", "release-please-component", "mixed", "several"],
)
def test_titles(template, releases, expected):
    assert render_title(template, "main", releases) == expected
