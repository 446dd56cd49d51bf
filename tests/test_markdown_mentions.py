"""@-mentions in commit text never notify anyone: checked on GitHub's cmark output."""

from __future__ import annotations

import html
import re

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options

from releaser.domain.markdown import escape_inline

# GitHub's mention filter runs over each text node outside code, pre and links; a mention is
# an @name at the start of a node or after a character that is not [A-Za-z0-9_].
_LINKED = re.compile(r"(?:^|(?<=[^A-Za-z0-9_]))@[A-Za-z0-9]")


def linked_mentions(markdown: str) -> list[str]:
    rendered = cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)
    outside_code = re.sub(r"<code>.*?</code>", "<code/>", rendered, flags=re.DOTALL)
    nodes = [html.unescape(node) for node in re.split(r"<[^>]*>", outside_code)]
    return [m.group(0) for node in nodes for m in _LINKED.finditer(node)]


@pytest.mark.parametrize(
    "text",
    [
        "ping @bob",
        "see .@bob",
        "path/@bob",
        "@@bob",
        "a.@bob.@carol",
        "@bob@carol",
        "@bob@carol@dave/team",
        "(@bob)",
        "é@bob",
        "&@bob",
        "<@bob>",
        "`@x",
        "`code`@bob",
        "-@bob",
        "*@bob*",
        "~@bob",
        "[@bob]",
        "\\@bob",
        "'@bob'",
        '"@bob"',
        "#@bob",
        "@bob/team.x@carol",
    ],
)
def test_no_mention_survives(text):
    assert linked_mentions(text)  # unescaped, GitHub would link something here
    assert linked_mentions(escape_inline(text)) == []


@pytest.mark.parametrize("text", ["mail me@example.com", "x_@bob", "a@b@c"])
def test_text_github_does_not_link_stays_as_it_is(text):
    assert linked_mentions(text) == []
    assert escape_inline(text) == text.replace("_", "\\_")
