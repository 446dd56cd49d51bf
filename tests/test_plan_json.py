"""`plan --json` is written in pieces; together they are exactly json.dumps of the whole plan."""

from __future__ import annotations

import json

import pytest

from releaser.domain.commits import Entry, ParsedCommit
from releaser.domain.release import Release
from releaser.engine import EnginePlan, plan_json

ODD = ['quote " and \\ backslash', "tab\tnew\nline", "ünïcode 🚀", "\x00\x1f\x7f", "</script>", ""]


def commit(n: int, subject: str, type_: str | None = "feat", scope: str | None = None):
    sha = f"{n:040x}"
    entry = Entry(sha, type_, scope, n % 3 == 0, subject)
    return ParsedCommit(sha, f"{type_}: {subject}", (entry, entry) if n % 5 == 0 else (entry,))


def release(count: int, **overrides) -> Release:
    commits = tuple(
        commit(n, ODD[n % len(ODD)], (None, "fix", "feat")[n % 3], ("api", None)[n % 2])
        for n in range(count)
    )
    fields = dict(
        component="",
        path=".",
        previous_version="1.0.0",
        previous_tag="v1.0.0",
        version="1.1.0",
        bump="minor",
        tag="v1.1.0",
        notes='## 1.1.0\n\n* ünïcode "quoted"\n',
        entries=tuple(e for c in commits for e in c.entries),
        commits=commits,
        warnings=("ignored Release-As 'x': not a SemVer version",),
    )
    fields.update(overrides)
    return Release(**fields)


def release_json(release: Release) -> dict:
    """The documented shape of one release in `plan --json`, built the plain way."""
    commits = [
        {
            "sha": entry.sha,
            "type": entry.type,
            "scope": entry.scope,
            "breaking": entry.breaking,
            "subject": entry.subject,
        }
        for commit in release.commits
        for entry in commit.entries
    ]
    fields = ("component", "path", "previous_version", "previous_tag", "version", "bump", "tag")
    return {
        **{name: getattr(release, name) for name in fields},
        "notes": release.notes,
        "commits": commits,
    }


def reference(plan: EnginePlan) -> str:
    return json.dumps({"releases": [release_json(r) for r in plan.releases]}, ensure_ascii=False)


@pytest.mark.parametrize(
    "plan",
    [
        EnginePlan("a" * 40, (release(0),)),
        EnginePlan("a" * 40, (release(1),)),
        EnginePlan("a" * 40, (release(2500),)),
        EnginePlan(
            "b" * 40,
            (
                release(999, component="api", path="api", warnings=()),
                release(1001, component="web", version=None, tag=None, previous_tag=None),
            ),
            ("a warning", "ünïcode"),
        ),
        EnginePlan(None, (), ("the repository has no commits yet",)),
    ],
    ids=["no-commits", "one", "many-batches", "two-components", "empty"],
)
def test_pieces_join_to_json_dumps(plan):
    assert "".join(plan_json(plan)) == reference(plan)


RELEASE_KEYS = ["component", "path", "previous_version", "previous_tag", "version", "bump"]
RELEASE_KEYS += ["tag", "notes", "commits"]


def test_the_shape_is_exactly_the_issues():
    plan = EnginePlan("a" * 40, (release(6),), ("a plan warning",))
    out = json.loads("".join(plan_json(plan)))
    assert list(out) == ["releases"]
    (only,) = out["releases"]
    assert list(only) == RELEASE_KEYS
    for item in only["commits"]:
        assert list(item) == ["sha", "type", "scope", "breaking", "subject"]
