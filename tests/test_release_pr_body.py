"""The release PR body: only the structure releaser wrote counts; user text is content."""

from __future__ import annotations

import random

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options

from releaser.domain.markdown import escape_inline
from releaser.domain.release_pr import (
    Marker,
    MarkerError,
    PlannedRelease,
    notes_sha256,
    parse_body,
    render_body,
)

SHA = "a" * 40


def html(markdown: str) -> str:
    return cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)


def _marker(*notes: str) -> Marker:
    releases = tuple(
        PlannedRelease(f"c{i}", f"p{i}", "2.0.0", f"c{i}-v2.0.0", None, n, notes_sha256(n))
        for i, n in enumerate(notes)
    )
    return Marker("main", SHA, "d" * 64, releases)


@pytest.mark.parametrize(
    "text",
    [
        "feat!: `<!-- releaser:end v2.0.0 -->` tidy up",
        'x `<!-- releaser:{"v":1} -->` y',
        "a ``--> `x` <!--`` b",
        "`<!-->` and `<!--->` and `a-->`",
    ],
)
def test_a_code_span_never_carries_a_comment_into_the_raw_text(text):
    out = escape_inline(text)
    assert "<!--" not in out and "-->" not in out
    rendered = html(out)
    assert "<!--" not in rendered  # no HTML comment: the text is shown
    visible = rendered.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
    assert "<!--" in visible or "-->" in visible  # what the author wrote is still there


def test_random_mixes_form_no_comment():
    rng = random.Random(3)
    alphabet = ["`", "``", "<!--", "-->", "<", "!", "-", "--", ">", "x", " ", "@a"]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
        out = escape_inline(text)
        assert "<!--" not in out and "-->" not in out, (text, out)


def test_marker_like_content_in_the_notes_is_content():
    notes = (
        "## 2.0.0\n\n"
        '<!-- releaser:{"v":1} -->\n'
        "<!-- releaser:end c0-v2.0.0 --> trailing\n"
        "* fix: security\n"
    )
    marker = _marker(notes)
    parsed = parse_body(render_body(marker))
    assert parsed.releases[0].notes == notes
    assert parsed == marker


def test_blocks_are_read_in_the_order_the_marker_lists_them():
    marker = _marker("## one\n\n* a\n", "## two\n\n* b\n")
    assert parse_body(render_body(marker)) == marker
    assert parse_body(render_body(marker).replace("\n", "\r\n")) == marker


def test_a_maintainer_edit_is_a_whole_block():
    body = render_body(_marker("## 2.0.0\n\n* a\n"))
    edited = body.replace("* a\n", "* a, polished\n\nMore words.\n")
    assert parse_body(edited).releases[0].notes == "## 2.0.0\n\n* a, polished\n\nMore words.\n"


@pytest.mark.parametrize(
    "mangle, why",
    [
        (lambda b: b + "\nmore text\n", "does not end with"),
        (lambda b: b.replace("\n---\n", "\n"), "'---'"),
        (lambda b: b.replace("<!-- releaser:end c0-v2.0.0 -->", ""), "no end line"),
        (lambda b: b.replace("<!-- releaser:begin c0-v2.0.0 -->", "x"), "missing"),
    ],
)
def test_only_the_structure_releaser_wrote_is_read(mangle, why):
    with pytest.raises(MarkerError, match=why):
        parse_body(mangle(render_body(_marker("## 2.0.0\n\n* a\n"))))


def test_a_model_release_s_manifest_digest_round_trips_and_a_bad_one_is_refused():
    digest = "e" * 64
    release = PlannedRelease(
        "churn", "models/churn", "1.0.1", "churn@v1.0.1", None, "n\n", "", digest
    )
    body = render_body(Marker("main", SHA, "d" * 64, (release,)))
    (back,) = parse_body(body).releases
    assert back.manifest_sha256 == digest
    plain = render_body(_marker("notes\n"))
    assert "manifest_sha256" not in plain  # a code release's marker is as it always was
    assert parse_body(plain).releases[0].manifest_sha256 == ""
    with pytest.raises(MarkerError, match="'manifest_sha256' is no sha256"):
        parse_body(body.replace(digest, "E" * 64))
