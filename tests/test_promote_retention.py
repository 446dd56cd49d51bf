"""`releaser retention` reads its thresholds from the config's `retention:` key, over a
production history that spans them; it lists versions only, never a release or a tag."""

from __future__ import annotations

import json

import pytest

from tests.action_util import ActionRunner
from tests.promotion_util import Promoter, releases

DAY = 86400
KEYS = ["component", "version", "action", "out_of_production_since", "days"]


@pytest.fixture
def action(fakegithub, tmp_path):
    return ActionRunner(fakegithub, tmp_path)


def _policy(retention: str) -> str:
    return "environments:\n  production: {}\n" + retention


def test_retention_uses_the_configured_thresholds_and_keep(fakegithub, action, tmp_path):
    fake = fakegithub
    v1, v2, v3, v4 = releases(fake, action, 4)
    cli = Promoter(fake, tmp_path, _policy(""))
    cli.deploy(v1, "production")
    cli.deploy(v2, "production")  # v1 leaves production
    fake.age_deployments(40 * DAY)
    cli.deploy(v3, "production")  # v2 leaves
    fake.age_deployments(15 * DAY)
    cli.deploy(v4, "production")  # v3 leaves now; v4 stays active
    # Out of production: v1 55 days, v2 15 days, v3 0 days.
    assert cli.ok("retention", "--json").stdout.strip() == "[]"  # defaults: 180d, 730d, keep 2

    def report(retention: str) -> list[tuple[str, str]]:
        run = Promoter(fake, tmp_path, _policy(retention))
        fake.reset_requests()
        rows = json.loads(run.ok("retention", "--json").stdout)
        assert [c for c in fake.reset_requests() if c.method != "GET"] == []
        assert all(list(row) == KEYS for row in rows)  # versions only: no tag, no release
        return [(row["version"], row["action"]) for row in rows]

    spans = "retention:\n  archive-after: 10d\n  delete-after: 30d\n"
    assert report(spans + "  keep: 1\n") == [("1.2.0", "archive"), ("1.1.0", "delete")]
    assert report(spans + "  keep: 3\n") == [("1.1.0", "delete")]
    assert report(spans + "  keep: 4\n") == []
    assert report("retention:\n  archive-after: 20d\n  delete-after: 60d\n") == [
        ("1.1.0", "archive")
    ]
    assert report("retention:\n  archive-after: 20d\n  delete-after: 50d\n") == [
        ("1.1.0", "delete")
    ]
    text = Promoter(fake, tmp_path, _policy(spans + "  keep: 1\n")).ok("retention").stdout
    assert text.splitlines()[0].startswith("archive: (root) 1.2.0 (out of production since ")
    bad = Promoter(fake, tmp_path, _policy("retention:\n  keep: -1\n"))("retention")
    assert bad.code == 2 and "retention.keep" in bad.stderr and bad.stderr.count("\n") == 1
