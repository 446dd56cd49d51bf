"""A shallow checkout of a monorepo plans through the API in a number of requests bounded by
its components, not by its commits (recorded in bench/results-monorepo.md)."""

from __future__ import annotations

import re
import subprocess
import time

import pytest

from tests.action_util import ActionRunner

COMPONENTS = 12
COMMITS = 240


def seed_monorepo(fake) -> None:
    cfg = "components:\n" + "".join(
        f"  - {{name: c{i:02d}, path: packages/c{i:02d}}}\n" for i in range(COMPONENTS)
    )
    files = {".github/releaser.yml": cfg}
    files.update({f"packages/c{i:02d}/f.txt": "0\n" for i in range(COMPONENTS)})
    fake.commit("main", "chore: init", files)
    for i in range(COMPONENTS):
        fake.tag(f"c{i:02d}-v1.0.0")
    head = fake.ref_sha("refs/heads/main")
    start = int(time.time()) + 60
    lines = []
    kinds = ["feat", "fix", "docs", "chore"]
    for n in range(COMMITS):
        message = f"{kinds[n % 4]}: change {n}\n".encode()
        lines.append(b"commit refs/heads/main\n")
        lines.append(f"committer Dev <dev@example.com> {start + n} +0000\n".encode())
        lines.append(f"data {len(message)}\n".encode() + message)
        if n == 0:
            lines.append(f"from {head}\n".encode())
        body = f"{n}\n".encode()
        path = f"packages/c{(n * 5) % COMPONENTS:02d}/f.txt" if n % 9 else "README.md"
        lines.append(f"M 644 inline {path}\ndata {len(body)}\n".encode() + body + b"\n")
    subprocess.run(
        ["git", "--git-dir", str(fake.bare_path), "fast-import", "--quiet"],
        input=b"".join(lines),
        check=True,
    )


@pytest.fixture
def action(fakegithub, tmp_path):
    return ActionRunner(fakegithub, tmp_path)


def test_shallow_monorepo_plan_requests_scale_with_components(fakegithub, action, capsys):
    fake = fakegithub
    seed_monorepo(fake)
    local = action.run("push", inputs={"command": "plan"})
    fake.reset_requests()
    shallow = action.run("push", inputs={"command": "plan"}, depth=1)
    calls = fake.reset_requests()
    assert local.code == shallow.code == 0, shallow.stdout + shallow.stderr
    assert local.summary == shallow.summary
    per_commit = [c for c in calls if re.search(r"/commits/[0-9a-f]{40}$", c.path)]
    history = [c for c in calls if re.search(r"/(commits|compare/[^/]+)$", c.path)]
    with capsys.disabled():
        print(
            f"\nshallow monorepo plan ({COMPONENTS} components, {COMMITS} commits): "
            f"{len(calls)} requests, {len(history)} for history, {len(per_commit)} per commit"
        )
    assert per_commit == []
    # One compare (3 pages of 100) for the shared tag, one path listing per component.
    assert len(history) <= 3 + COMPONENTS, [c.path for c in history]
