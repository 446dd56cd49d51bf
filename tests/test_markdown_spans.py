"""Code spans in commit text: found exactly as GitHub's cmark finds them, and kept intact."""

from __future__ import annotations

import html as pyhtml
import random
import re

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options

from releaser.domain.markdown import _code_spans, escape_inline
from tests.test_markdown_mentions import linked_mentions


def html(markdown: str) -> str:
    return cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)


def intended(text: str) -> str:
    """The HTML the spans escape_inline keeps should render as, by the CommonMark spec."""
    out, pos = [], 0
    for start, end in _code_spans(text):
        out.append(pyhtml.escape(text[pos:start], quote=False))
        n = len(text[start:end]) - len(text[start:end].lstrip("`"))
        content = text[start + n : end - n]
        if content.startswith(" ") and content.endswith(" ") and content.strip(" "):
            content = content[1:-1]
        out.append(f"<code>{pyhtml.escape(content, quote=False)}</code>")
        pos = end
    out.append(pyhtml.escape(text[pos:], quote=False))
    return "<p>" + "".join(out) + "</p>\n"


def test_github_sees_the_spans_escape_inline_keeps():
    # Over backticks, letters and spaces the rendering is the spans, the rest literal.
    rng = random.Random(11)
    for _ in range(3000):
        text = "".join(rng.choice(["`", "``", "a", "b", " "]) for _ in range(rng.randint(1, 14)))
        text = " ".join(f"x {text}".split())  # inline: a line opening ``` would be a fence
        assert html(escape_inline(text)) == intended(text), repr(text)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("``a`", "\\`\\`a\\`"),  # a run pairs only with a run of the same length
        ("`a``", "\\`a\\`\\`"),
        ("``a`b``", "``a`b``"),
        ("`a` `` `b`", "`a` \\`\\` `b`"),  # an unpaired run between spans is literal
    ],
)
def test_pairing(text, expected):
    assert escape_inline(text) == expected


def test_hostile_mix_renders_no_html_and_no_mention():
    rng = random.Random(5)
    alphabet = ["`", "``", "@a", "@b-c", "<b>", "<img src=x>", "\\", " ", "x", ".", "_", "*"]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
        rendered = html(escape_inline(text))
        tags = set(re.findall(r"</?([a-z]+)", rendered))
        assert tags <= {"p", "code", "a"}, (text, rendered)
        # GFM links what looks like an e-mail address (_@a.x), which notifies no one
        assert all(h.startswith("mailto:") for h in re.findall(r'href="([^"]*)"', rendered))
        assert linked_mentions(escape_inline(text)) == [], (text, escape_inline(text))


@pytest.mark.parametrize(
    "text", ["`<img src=x onerror=alert(1)>`@a`` z ``", "`` <b>x</b> ``@a`y`", "`x`@a"]
)
def test_a_wrapped_mention_never_merges_with_a_code_span(text):
    rendered = html(escape_inline(text))
    assert "<img" not in rendered and "<b>" not in rendered
    assert "<code>@a</code>" in rendered
