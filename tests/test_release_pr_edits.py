"""A maintainer's edited notes that new commits regenerate: said so in the PR, kept in view."""

from __future__ import annotations

import cmarkgfm
from cmarkgfm.cmark import Options

from releaser.domain.notes_size import PULL_BODY_LIMIT
from releaser.domain.release_pr import (
    Marker,
    PlannedRelease,
    ReplacedNotes,
    keep_edits,
    notes_sha256,
    parse_body,
    render_body,
    replaced_edits,
)

SHA = "a" * 40
OLD = "## 1.1.0\n\n### Features\n\n* add widgets (abc1234)\n"
NEW = "## 1.1.0\n\n### Features\n\n* add widgets (abc1234)\n* add gadgets (def5678)\n"


def _release(notes: str, generated: str, tag: str = "v1.1.0") -> PlannedRelease:
    return PlannedRelease("", ".", tag.removeprefix("v"), tag, "v1.0.0", notes, generated)


def _before(notes: str) -> Marker:
    return Marker("main", SHA, "0" * 64, (_release(notes, notes_sha256(OLD)),))


def test_an_edit_the_new_notes_replace_is_reported():
    planned = (_release(NEW, notes_sha256(NEW)),)
    before = _before(OLD.replace("add widgets", "add widgets, hand-polished"))
    shown = keep_edits(planned, before)
    assert shown == planned
    assert replaced_edits(shown, before) == (ReplacedNotes("v1.1.0", before.releases[0].notes),)


def test_no_edit_or_a_kept_edit_is_not_reported():
    planned = (_release(NEW, notes_sha256(NEW)),)
    assert replaced_edits(keep_edits(planned, _before(OLD)), _before(OLD)) == ()
    same = (_release(OLD, notes_sha256(OLD)),)
    edited = _before(OLD + "\nA hand-written line.\n")
    assert replaced_edits(keep_edits(same, edited), edited) == ()


HOSTILE = (
    "<!-- releaser:begin v1.1.0 -->\n</details>\n@octocat see <b>this</b>\n---\n"
    '<!-- releaser:{"v":1} -->\n<!-- releaser:end v1.1.0 -->\n'
)


def test_the_replaced_text_is_shown_literally_outside_the_notes():
    marker = Marker("main", SHA, "f" * 64, (_release(NEW, notes_sha256(NEW)),))
    body = render_body(marker, (ReplacedNotes("v1.1.0", HOSTILE),))
    assert parse_body(body) == marker  # the notice is no part of the notes, nor structure
    html = cmarkgfm.github_flavored_markdown_to_html(body, options=Options.CMARK_OPT_UNSAFE)
    notice = html.split("Note:", 1)[1]
    assert "<!--" not in notice.split("</details>")[0] and "<b>" not in notice
    assert "<code>@octocat</code>" in notice and notice.count("<details>") == 1
    assert "&lt;!-- releaser:begin v1.1.0 --&gt;<br />" in notice
    assert "was replaced" not in body and "were replaced by the regenerated notes" in body


def test_replaced_text_too_long_for_the_body_is_named_not_shown():
    marker = Marker("main", SHA, "f" * 64, (_release(NEW, notes_sha256(NEW)),))
    body = render_body(marker, (ReplacedNotes("v1.1.0", "x" * PULL_BODY_LIMIT),))
    assert len(body) <= PULL_BODY_LIMIT and "too long to show here" in body
    assert "<details>" not in body and parse_body(body) == marker
