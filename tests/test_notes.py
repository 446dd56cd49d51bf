"""Release notes: Release Please's layout, links, and escaping checked with GitHub's cmark."""

from __future__ import annotations

import re
from datetime import date

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options

from releaser.domain.bump import Section
from releaser.domain.commits import RawCommit, parse_commit
from releaser.domain.markdown import escape_inline
from releaser.domain.notes import Links, render_notes
from tests.golden_util import check_golden

URL = "https://github.com/acme/widgets"
TODAY = date(2026, 12, 1)


def entries(*messages):
    out = []
    for i, message in enumerate(messages):
        sha = f"{i + 1:x}" * 40
        out.extend(parse_commit(RawCommit(sha[:40], message, ("p",))).entries)
    return tuple(out)


def html(markdown: str) -> str:
    return cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)


SAMPLE = entries(
    "feat(api)!: remove v1 endpoints (#40)\n\nBREAKING CHANGE: v1 is gone; use v2",
    "feat: add exports (#41)\n\nRefs: #7",
    "fix(io): handle EOF\n\nFixes #8",
    "perf: faster parse",
    'Revert "feat: flaky thing"',
    "docs: hidden section",
    "chore(deps): bump x",
    "not conventional at all",
)


def test_golden_notes_with_links():
    notes = render_notes("2.0.0", "v2.0.0", "v1.4.0", SAMPLE, Links(URL), TODAY)
    check_golden("notes/full.md", notes)


def test_golden_notes_without_repository_url():
    notes = render_notes("1.0.0", "v1.0.0", None, SAMPLE, Links(None), TODAY)
    check_golden("notes/no-links.md", notes)
    assert "](" not in notes


def test_section_order_and_headings():
    notes = render_notes("2.0.0", "v2.0.0", "v1.4.0", SAMPLE, Links(URL), TODAY)
    headings = re.findall(r"^#+ .*$", notes, re.MULTILINE)
    assert headings == [
        f"## [2.0.0]({URL}/compare/v1.4.0...v2.0.0) (2026-12-01)",
        "### ⚠ BREAKING CHANGES",
        "### Features",
        "### Bug Fixes",
        "### Performance Improvements",
        "### Reverts",
    ]


def test_configured_sections_show_hidden_types():
    sections = (Section("feat", "New"), Section("docs", "Docs"), Section("fix", "Fixes", True))
    notes = render_notes(
        "1.1.0", "v1.1.0", "v1.0.0", entries("docs: guide", "fix: x"), Links(URL), TODAY, sections
    )
    assert "### Docs" in notes and "### Fixes" not in notes


def test_pr_and_issue_and_commit_links_render_as_links():
    rendered = html(render_notes("2.0.0", "v2.0.0", "v1.4.0", SAMPLE, Links(URL), TODAY))
    assert f'<a href="{URL}/pull/41">#41</a>' in rendered
    assert f'<a href="{URL}/issues/7">#7</a>' in rendered
    assert f'<a href="{URL}/issues/8">#8</a>' in rendered
    assert f'href="{URL}/commit/{"2" * 40}"' in rendered


@pytest.mark.parametrize(
    "subject",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "ping @octocat and @acme/team",
        "<!-- hide the rest",
        "a [link](javascript:alert(1))",
        "**bold** and _it_ and ~strike~",
        "unbalanced ` backtick <b>",
        "table | pipe",
    ],
)
def test_hostile_subjects_render_inert(subject):
    notes = render_notes("1.0.1", "v1.0.1", "v1.0.0", entries(f"fix: {subject}"), Links(URL), TODAY)
    rendered = html(notes)
    assert "<script" not in rendered and "<img" not in rendered and "<!--" not in rendered
    assert "<strong>" not in rendered and "<em>" not in rendered and "<del>" not in rendered
    assert "javascript:" not in re.findall(r'href="([^"]*)"', rendered).__str__()
    # a mention is only a mention outside code; in code it notifies no one
    text_outside_code = re.sub(r"<code>.*?</code>", "", rendered)
    assert "@octocat" not in text_outside_code and "@acme" not in text_outside_code


def test_code_spans_are_kept():
    assert escape_inline("use `--flag <x>` now") == "use `--flag <x>` now"
    assert html(escape_inline("use `a_b` @x")).count("<code>") == 2


def test_email_is_not_a_mention():
    assert escape_inline("mail me@example.com") == "mail me@example.com"


def test_emoji_and_unicode_survive():
    notes = render_notes(
        "1.1.0", "v1.1.0", "v1.0.0", entries("feat: 🚀 ünïcode"), Links(URL), TODAY
    )
    assert "🚀 ünïcode" in notes


def test_release_please_order_and_spacing():
    """As release-please renders them: by scope and subject as one text (`localeCompare`);
    one blank line after the breaking changes, two before every later section."""
    notes = render_notes(
        "1.1.0",
        "v1.1.0",
        "v1.0.0",
        entries("fix: zeta", "fix(b): beta", "fix(a): omega", "fix: alpha", "feat!: big"),
        Links(None),
        TODAY,
    )
    assert notes == (
        "## 1.1.0 (2026-12-01)\n\n\n"
        "### ⚠ BREAKING CHANGES\n\n* big\n\n"
        "### Features\n\n* big (5555555)\n\n\n"
        "### Bug Fixes\n\n"
        "* alpha (4444444)\n* **a:** omega (3333333)\n* **b:** beta (2222222)\n* zeta (1111111)\n"
    )


def test_another_repositorys_issue_links_there():
    notes = render_notes(
        "1.1.0",
        "v1.1.0",
        "v1.0.0",
        entries("fix: a bug\n\nRefs: other-org/other.repo#8, #9"),
        Links(URL),
        TODAY,
    )
    assert (
        "refs [other-org/other.repo#8](https://github.com/other-org/other.repo/issues/8), "
        f"refs [#9]({URL}/issues/9)"
    ) in notes
    plain = render_notes(
        "1.1.0", "v1.1.0", None, entries("fix: x\n\nFixes: o/r#3"), Links(None), TODAY
    )
    assert "fixes o/r#3" in plain


def _headings(notes: str) -> list[str]:
    return re.findall(r"^### (.*)$", notes, re.MULTILINE)


@pytest.mark.parametrize(
    "messages, headings",
    [
        (("deps: bump x to 2", "fix: y"), ["Bug Fixes"]),
        (("fix(deps): bump x to 2",), ["Bug Fixes"]),
        (
            ("docs: a", "style: b", "chore: c", "test: d", "build: e", "ci: f", "fix: g"),
            ["Bug Fixes"],
        ),
        (("revert: undo z", "perf: w"), ["Performance Improvements", "Reverts"]),
    ],
    ids=["no-deps-section", "deps-scope-is-a-fix", "hidden-defaults", "visible-defaults"],
)
def test_default_sections_are_release_pleases_generic_ones(messages, headings):
    notes = render_notes("1.0.1", "v1.0.1", "v1.0.0", entries(*messages), Links(URL), TODAY)
    assert _headings(notes) == headings


@pytest.mark.parametrize(
    "message, section",
    [
        ("refactor!: rename the config loader", "Code Refactoring"),
        ("chore(api)!: drop node 18", "Miscellaneous Chores"),
        ("docs: guide\n\nBREAKING CHANGE: the old guide links are gone", "Documentation"),
    ],
    ids=["refactor-bang", "chore-scope-bang", "docs-breaking-footer"],
)
def test_breaking_entry_of_a_hidden_type_is_listed_in_its_section(message, section):
    notes = render_notes(
        "2.0.0", "v2.0.0", "v1.0.0", entries(message, "docs: not breaking"), Links(URL), TODAY
    )
    assert _headings(notes) == ["⚠ BREAKING CHANGES", section]
    assert "not breaking" not in notes


@pytest.mark.parametrize(
    "messages, order",
    [
        (("feat: Add IDLE", "feat: Add `mode`"), ["Add `mode`", "Add IDLE"]),
        (("fix(zeta): a", "fix: b", "fix(alpha): c"), ["**alpha:** c", "b", "**zeta:** a"]),
        (("fix: Zoo", "fix: apple", "fix: Banana"), ["apple", "Banana", "Zoo"]),
        (("fix: b", "fix(a): z"), ["**a:** z", "b"]),
    ],
    ids=[
        "case-insensitive",
        "unscoped-not-first",
        "mixed-case-subjects",
        "scope-and-subject-joined",
    ],
)
def test_order_within_a_section_is_locale_compare_of_scope_and_subject(messages, order):
    notes = render_notes("1.0.1", "v1.0.1", "v1.0.0", entries(*messages), Links(None), TODAY)
    lines = [line[2:].rsplit(" (", 1)[0] for line in notes.splitlines() if line.startswith("* ")]
    assert lines == order
