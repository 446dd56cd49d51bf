"""A two-package release-please setup and the releaser.yml it is equivalent to."""

from __future__ import annotations

import json

RP_CONFIG = {
    "$schema": "https://raw.githubusercontent.com/googleapis/release-please/main/schemas/config.json",
    "bump-minor-pre-major": True,
    "changelog-sections": [
        {"type": "feat", "section": "Features"},
        {"type": "fix", "section": "Fixes"},
        {"type": "deps", "section": "Dependencies"},
        {"type": "chore", "section": "Chores", "hidden": True},
    ],
    "packages": {
        "packages/api": {
            "release-type": "simple",
            "component": "api",
            "changelog-path": "HISTORY.md",
        },
        "packages/web": {
            "release-type": "node",
            "tag-separator": "@",
            "include-v-in-tag": False,
            "extra-files": ["src/version.ts"],
        },
    },
}
MANIFEST = {"packages/api": "0.3.0", "packages/web": "1.1.0"}

RELEASER_YML = """\
bump-minor-pre-major: true
changelog-sections:
  - {type: feat, section: Features}
  - {type: fix, section: Fixes}
  - {type: deps, section: Dependencies}
  - {type: chore, section: Chores, hidden: true}
labels: release-please
components:
  - name: api
    path: packages/api
    tag-prefix: api-v
    changelog-path: HISTORY.md
    version-files: [{path: version.txt, type: plain}]
  - name: web
    path: packages/web
    tag-prefix: web@
    version-files:
      - package.json
      - {path: src/version.ts, type: generic-release-please}
"""

# (message, files) in order; tags after the first two commits.
BASE = [
    (
        "chore: init api",
        {"packages/api/version.txt": "0.3.0\n", "packages/api/HISTORY.md": "# History\n"},
    ),
    (
        "chore: init web",
        {
            "packages/web/package.json": '{"name": "@acme/web", "version": "1.1.0"}\n',
            "packages/web/src/version.ts": (
                'export const V = "1.1.0"; // x-release-please-version\n'
            ),
        },
    ),
]
TAGS = ("api-v0.3.0", "web@1.1.0")
WORK = [
    ("feat(api)!: new endpoint shape", {"packages/api/a.py": "A = 2\n"}),
    ("deps: bump requests", {"packages/api/req.txt": "requests==2\n"}),
    ("fix: render the header", {"packages/web/index.js": "x()\n"}),
]
RP_FILES = {
    "release-please-config.json": json.dumps(RP_CONFIG, indent=2) + "\n",
    ".release-please-manifest.json": json.dumps(MANIFEST) + "\n",
}
