"""A failure's job-summary line quotes user text as text, never as Markdown or HTML."""

from __future__ import annotations

import io

import cmarkgfm

from releaser.action import _failed
from releaser.actions import Runner


def test_the_failed_summary_line_escapes_what_it_quotes(tmp_path):
    summary = tmp_path / "summary.md"
    runner = Runner({"GITHUB_STEP_SUMMARY": str(summary)}, out=io.StringIO())
    hostile = "check <img src=x onerror=alert(1)> <!-- releaser:end v1 --> @octocat **bold** failed"
    assert _failed(runner, hostile, 1) == 1
    text = summary.read_text()
    html = cmarkgfm.github_flavored_markdown_to_html(text)
    assert "<img" not in html and "<strong>" not in html
    assert "<!--" not in text and "-->" not in text
    assert "<code>@octocat</code>" in html
