"""The release PR body of a model release: its change and gate tables beside its notes, the
marker's digest following them, and the body within GitHub's limit."""

from __future__ import annotations

import re

import cmarkgfm
from cmarkgfm.cmark import Options

from releaser.config import from_dict
from releaser.domain.bump import Bump
from releaser.domain.model_bump import Change
from releaser.domain.model_gates import GateResult
from releaser.domain.model_tables import ModelTables, models_digest
from releaser.domain.notes_size import PULL_BODY_LIMIT
from releaser.domain.release_pr import (
    Marker,
    PlannedRelease,
    notes_sha256,
    parse_body,
    plan_digest,
    render_body,
)
from releaser.release_pr_flow import _fitting
from tests.golden_util import check_golden

SHA = "a" * 40
NOTES = "## [1.3.0](https://example.test/compare) (2024-06-01)\n\n### Features\n\n* retrain\n"
HOSTILE = "<!-- releaser:end churn@v1.3.0 --> `|` @octocat <img src=x>"


def _release(tag: str = "churn@v1.3.0", notes: str = NOTES) -> PlannedRelease:
    component = re.split(r"@v|-v", tag)[0]
    return PlannedRelease(
        component, f"models/{component}", "1.3.0", tag, None, notes, notes_sha256(notes)
    )


def _tables(metric: str = "auc", passed: bool = True) -> ModelTables:
    return ModelTables(
        (
            Change("metric-improved", f"metrics.{metric}", 0.9, 0.93, Bump.MINOR),
            Change("retrained", "artifact", "a" * 64, "b" * 64, Bump.PATCH),
        ),
        (
            GateResult(f"{metric} >= 0.85", metric, 0.93, 0.85, None, True, "declared"),
            GateResult("latency <= 100", "latency", 120, 100, None, passed, "ci"),
            GateResult("check model-eval", None, None, "success", None, False, "ci"),
        ),
    )


def test_the_body_of_a_model_release():
    marker = Marker("main", SHA, "d" * 64, (_release(), _release("api-v1.3.0")))
    body = render_body(marker, models={"churn@v1.3.0": _tables(passed=False)})
    check_golden("release-pr/model.md", body)
    assert parse_body(body) == marker


def test_the_tables_stand_after_the_notes_they_belong_to_outside_the_editable_block():
    marker = Marker("main", SHA, "d" * 64, (_release(), _release("api-v1.3.0")))
    body = render_body(marker, models={"churn@v1.3.0": _tables()})
    end, table, other = (
        body.index("<!-- releaser:end churn@v1.3.0 -->"),
        body.index("| Rule |"),
        body.index("<!-- releaser:begin api-v1.3.0 -->"),
    )
    assert end < table < other
    assert parse_body(body).releases[0].notes == NOTES  # the tables are not notes


def test_a_hostile_metric_name_neither_breaks_the_tables_nor_forms_releaser_structure():
    marker = Marker("main", SHA, "d" * 64, (_release(),))
    body = render_body(marker, models={"churn@v1.3.0": _tables(HOSTILE)})
    assert parse_body(body) == marker
    assert body.count("<!-- releaser:end churn@v1.3.0 -->") == 1
    rendered = cmarkgfm.github_flavored_markdown_to_html(body, options=Options.CMARK_OPT_UNSAFE)
    assert "<img" not in rendered
    rows = [
        re.findall(r"<td>(.*?)</td>", row)
        for table in rendered.split("<table>")[1:]
        for row in table.split("<tbody>")[1].split("<tr>")[1:]
    ]
    assert [len(r) for r in rows] == [4, 4, 7, 7, 7]


def test_the_plan_digest_follows_the_changes_and_the_gate_results():
    planned = (_release(),)
    shas = ("b" * 40,)
    code_only = plan_digest(planned, shas)
    assert plan_digest(planned, shas, models_digest({})) == code_only  # no model: as before
    passing = plan_digest(planned, shas, models_digest({"churn@v1.3.0": _tables()}))
    failing = plan_digest(planned, shas, models_digest({"churn@v1.3.0": _tables(passed=False)}))
    other = plan_digest(planned, shas, models_digest({"churn@v1.3.0": _tables("f1")}))
    assert len({code_only, passing, failing, other}) == 4


def _config():
    return from_dict(
        {"components": [{"name": "churn", "path": "models/churn", "tag-prefix": "churn@v"}]}
    )


def test_long_notes_leave_room_for_the_tables():
    entry = "* feat: " + "x" * 200 + "\n"
    notes = "## 1.3.0\n\n" + entry * 400
    wide = ModelTables(
        tuple(
            Change("param-added", f"interface.params.p{i}" + "<" * 80, None, "x" * 60, Bump.MINOR)
            for i in range(50)
        ),
        _tables().gates,
    )
    models = {"churn@v1.3.0": wide}
    planned, compact = _fitting(_config(), "main", SHA, (_release(notes=notes),), models)
    assert not compact
    body = render_body(Marker("main", SHA, "d" * 64, planned), models=models)
    assert len(body) <= PULL_BODY_LIMIT
    assert "| Rule |" in body and planned[0].notes != notes  # the notes were cut, not the tables


def test_tables_too_large_for_the_body_are_left_out_with_a_line_saying_so():
    huge = ModelTables(
        tuple(Change("param-added", "<" * 80, None, "<" * 60, Bump.MINOR) for _ in range(50)),
        tuple(
            GateResult("<" * 80, "<" * 80, "<" * 60, "<" * 60, None, False, "ci") for _ in range(50)
        ),
    )
    releases = tuple(_release(f"m{i}@v1.3.0") for i in range(6))
    models = {r.tag: huge for r in releases}
    planned, compact = _fitting(_config(), "main", SHA, releases, models)
    assert compact
    body = render_body(Marker("main", SHA, "d" * 64, planned), models=models, compact=True)
    assert len(body) <= PULL_BODY_LIMIT
    assert "| Rule |" not in body and "were left out" in body
