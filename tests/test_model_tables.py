"""The gate and change tables of a model release, as GitHub renders them (cmarkgfm)."""

from __future__ import annotations

import re

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options

from releaser.domain.bump import Bump
from releaser.domain.model_bump import Change
from releaser.domain.model_gates import GateResult
from releaser.domain.model_tables import (
    ModelTables,
    change_table,
    check_output,
    gate_table,
    models_digest,
    shown_value,
)

HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "a|b",
    "`a|b`",
    "``x`` and `y`",
    "@octocat",
    "hi @org/team",
    "<!-- releaser:end v1.0.0 -->",
    '<!-- releaser:{"v":1} -->',
    "::error::boom",
    "[link](https://evil.example)",
    "**bold** _em_ ~~s~~",
    "line\nbreak\r\n| x | y |",
    "\\|",
    "https://evil.example www.evil.example",
]


def html(markdown: str) -> str:
    return cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)


def _cells(rendered: str) -> list[list[str]]:
    """Each body row's cells, as the rendered table has them."""
    body = rendered.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in body.split("<tr>")[1:]]


def _text(cell: str) -> str:
    """A cell's visible text: tags dropped (a mention's <code>), entities read."""
    cell = re.sub(r"</?code>", "", cell)
    assert "<" not in cell, cell  # no element but the code of a mention
    return (
        cell.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
    )


def _gate(metric: str, passed: bool = True, value=0.91) -> GateResult:
    return GateResult(f"{metric} >= 0.85", metric, value, 0.85, None, passed, "declared")


def test_the_gate_table_has_a_row_per_gate_with_its_status():
    gates = (
        _gate("auc"),
        GateResult("latency <= 100", "latency", 150, 100, None, False, "ci"),
        GateResult("bias <= 0.1", "bias", None, 0.1, None, False, None),
        GateResult("auc - previous >= -0.002", "auc", 0.91, -0.002, 0.9, True, "declared"),
        GateResult("check model-eval", None, "failure", "success", None, False, "ci"),
    )
    rows = _cells(html(gate_table(gates)))
    assert [[_text(c) for c in row] for row in rows] == [
        ["✅ pass", "auc >= 0.85", "auc", "0.91", "0.85", "—", "declared"],
        ["❌ fail", "latency <= 100", "latency", "150", "100", "—", "ci"],
        ["❌ fail", "bias <= 0.1", "bias", "missing", "0.1", "—", "—"],
        ["✅ pass", "auc - previous >= -0.002", "auc", "0.91", "-0.002", "0.9", "declared"],
        ["❌ fail", "check model-eval", "—", "failure", "success", "—", "ci"],
    ]


def test_the_change_table_shows_rule_field_old_to_new_and_bump():
    digest_a, digest_b = "a" * 64, "b" * 64
    changes = (
        Change("metric-improved", "metrics.auc", 0.9, 0.93, Bump.MINOR),
        Change("input-removed", "interface.inputs.spend", "double", None, Bump.MAJOR),
        Change("retrained", "artifact", digest_a, digest_b, Bump.PATCH),
        Change("config-changed", "card", {"b": 1, "a": [True, None]}, {}, Bump.PATCH),
    )
    rows = [[_text(c) for c in row] for row in _cells(html(change_table(changes)))]
    assert rows == [
        ["metric-improved", "metrics.auc", "0.9 → 0.93", "minor"],
        ["input-removed", "interface.inputs.spend", "double → —", "major"],
        ["retrained", "artifact", "aaaaaaaaaaaa… → bbbbbbbbbbbb…", "patch"],
        ["config-changed", "card", '{"a":[true,null],"b":1} → {}', "patch"],
    ]


@pytest.mark.parametrize(
    "value, shown",
    [
        pytest.param(0.1 + 0.2, "0.30000000000000004", id="float-round-trips"),
        pytest.param(1.0, "1.0", id="whole-float"),
        pytest.param(1e-7, "1e-07", id="small-float"),
        pytest.param(float("nan"), "nan", id="nan"),
        pytest.param(3, "3", id="int"),
        pytest.param(True, "true", id="bool-before-int"),
        pytest.param(None, "—", id="none"),
        pytest.param("x" * 100, "x" * 39 + "…", id="long-text-cut"),
        pytest.param("c" * 64, "cccccccccccc…", id="digest"),
        pytest.param(10**5000, "a 16610-bit integer", id="huge-int"),
    ],
)
def test_values_are_rendered_stably_and_compactly(value, shown):
    assert shown_value(value) == shown


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_metric_name_is_text_and_keeps_the_table_whole(name):
    gates = (_gate(name, passed=False, value=name), _gate("auc"))
    markdown = gate_table(gates)
    assert "<!--" not in markdown and "-->" not in markdown
    assert not re.search(r"^\s*::", markdown, re.M)
    rendered = html(markdown)
    rows = _cells(rendered)
    assert len(rows) == 2 and all(len(r) == 7 for r in rows)  # nothing split or added a cell
    assert "<img" not in rendered and "<a " not in rendered and "<strong>" not in rendered
    for cell in rows[0]:  # a mention is only ever shown as code (GitHub does not notify)
        assert not re.search(r"(?<![\w`>])@\w", re.sub(r"<code>@[^<]*</code>", "", cell))
    flat = " ".join(name.split())
    assert _text(rows[0][2]) == flat[:79] + ("…" if len(flat) > 80 else "")
    assert rows[1][2] == "auc"


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_change_values_are_text_and_keep_the_table_whole(text):
    changes = (Change(text, text, text, text, Bump.PATCH), Change("r", "f", 1, 2, Bump.PATCH))
    markdown = change_table(changes)
    assert "<!--" not in markdown and "-->" not in markdown
    rows = _cells(html(markdown))
    assert len(rows) == 2 and all(len(r) == 4 for r in rows)
    assert _text(rows[0][0]) == " ".join(text.split())
    assert _text(rows[1][2]) == "1 → 2"


def test_long_tables_are_cut_with_a_line_saying_so():
    gates = tuple(_gate(f"m{i}") for i in range(200))
    markdown = gate_table(gates)
    assert len(_cells(html(markdown))) == 50
    assert "150 more gates" in markdown
    changes = tuple(Change("param-added", f"p{i}", None, "int", Bump.MINOR) for i in range(60))
    assert "10 more changes" in change_table(changes)


def test_no_changes_and_no_gates_say_so():
    assert "No manifest changes" in change_table(())
    assert "No gates" in gate_table(())


def test_the_check_output_concludes_failure_on_any_failed_gate():
    ok = ModelTables((), (_gate("auc"),))
    bad = ModelTables((), (_gate("auc"), _gate("bias", passed=False)))
    conclusion, title, summary = check_output({"churn@v1.3.0": ok})
    assert (conclusion, title) == ("success", "1 of 1 gates passed")
    assert "churn@v1.3.0" in summary and "auc" in summary
    conclusion, title, summary = check_output({"churn@v1.3.0": ok, "fraud@v2.0.0": bad})
    assert (conclusion, title) == ("failure", "2 of 3 gates passed, 1 failed")
    assert summary.index("churn@v1.3.0") < summary.index("fraud@v2.0.0")


def test_a_model_without_gates_concludes_success():
    assert check_output({"churn@v1.0.0": ModelTables((), ())})[:2] == ("success", "No gates")


def test_the_check_summary_stays_within_github_s_limit():
    name = "<" * 80
    gates = tuple(_gate(name + str(i)) for i in range(50))
    many = {f"m{i}@v1.0.0": ModelTables((), gates) for i in range(20)}
    summary = check_output(many)[2]
    assert len(summary) <= 65535
    assert summary.endswith("see the release PR for the rest.\n")


def test_the_models_digest_moves_with_any_change_or_gate_result():
    base = ModelTables((Change("retrained", "artifact", "a", "b", Bump.PATCH),), (_gate("auc"),))
    same = ModelTables((Change("retrained", "artifact", "a", "b", Bump.PATCH),), (_gate("auc"),))
    failed = ModelTables(base.changes, (_gate("auc", passed=False),))
    other = ModelTables((Change("retrained", "artifact", "a", "c", Bump.PATCH),), base.gates)
    digest = models_digest({"t": base})
    assert digest == models_digest({"t": same})
    assert len({digest, models_digest({"t": failed}), models_digest({"t": other})}) == 3
    assert models_digest({}) == ""
