"""What release-please-config.json's keys become in releaser (read by release_please_map):
the keys that map, and for each key that does not, its default and what releaser does instead.
"""

from __future__ import annotations

from typing import Any

# Keys releaser maps; read below. Options a package may set and the top level may default.
PACKAGE_MAPPED = frozenset(
    (
        "release-type",
        "component",
        "package-name",
        "include-component-in-tag",
        "tag-separator",
        "include-v-in-tag",
        "changelog-path",
        "initial-version",
        "versioning",
        "prerelease-type",
        "prerelease",
        "extra-files",
        "version-file",
    )
)
# Options releaser has once for every component.
GLOBAL = {
    "bump-minor-pre-major": bool,
    "bump-patch-for-minor-pre-major": bool,
    "changelog-sections": list,
    "pull-request-title-pattern": str,
}
TOP_ONLY = frozenset(("packages", "$schema", "separate-pull-requests", "label", "release-label"))

# Keys releaser has no counterpart for: release-please's default (no warning while a file
# keeps it), and what releaser does instead.
MISSING = object()
UNMAPPED: dict[str, tuple[Any, str]] = {
    "bootstrap-sha": (MISSING, "releaser starts from the newest release tag, not a commit"),
    "last-release-sha": (MISSING, "releaser starts from the newest release tag, not a commit"),
    "release-as": (MISSING, "use a `Release-As: x.y.z` commit footer instead"),
    "plugins": (MISSING, "releaser has no plugins; each component is versioned on its own"),
    "draft": (False, "releaser publishes the release once its evidence is attached"),
    "force-tag-creation": (False, "releaser always creates the tag"),
    "skip-github-release": (False, "releaser always publishes a GitHub release"),
    "skip-changelog": (False, "releaser always prepends to the changelog"),
    "draft-pull-request": (False, "releaser opens the release PR ready for review"),
    "extra-label": (MISSING, "releaser adds only its pending label"),
    "include-v-in-release-name": (True, "releaser names each release after its tag"),
    "changelog-type": ("default", "releaser writes its own release notes"),
    "changelog-host": (MISSING, "set repository-url in .github/releaser.yml"),
    "pull-request-header": (MISSING, "releaser writes its own PR body"),
    "pull-request-footer": (MISSING, "releaser writes its own PR body"),
    "always-update": (False, "releaser updates the release PR whenever the plan changes"),
    "date-format": (MISSING, "releaser dates notes as YYYY-MM-DD"),
    "exclude-paths": (MISSING, "releaser counts every commit under a component's path"),
    "snapshot-label": (MISSING, "releaser makes no snapshot PRs"),
    "skip-snapshot": (MISSING, "releaser makes no snapshot PRs"),
    "component-no-space": (False, "titles come from pull-request-title's placeholders"),
    "include-commit-authors": (False, "releaser's notes do not name authors"),
    "signoff": (MISSING, "releaser's release commit carries no Signed-off-by"),
    "group-pull-request-title-pattern": (MISSING, "pull-request-title is used for every PR"),
    "release-search-depth": (MISSING, "releaser reads every tag"),
    "commit-search-depth": (MISSING, "releaser reads every commit since the last tag"),
    "commit-batch-size": (MISSING, "releaser reads history from git"),
    "sequential-calls": (False, "releaser paces its own API calls"),
    "always-link-local": (False, "releaser has no node-workspace plugin"),
}


# (extra-files type, jsonpath) -> releaser's updater for it.
EXTRA_TYPES = {
    ("generic", None): "generic-release-please",
    ("json", "$.version"): "package-json",
    ("yaml", "$.version"): "chart",
    ("toml", "$.project.version"): "pyproject",
    ("toml", "$.tool.poetry.version"): "pyproject",
}
