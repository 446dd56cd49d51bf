"""escape_inline's shortcut for text that needs no escaping never changes its result."""

from __future__ import annotations

import random
import sys

from releaser.domain.markdown import _NEEDS_ESCAPE, escape_inline, escape_inline_full

ALPHABET = [*"ab Z9-./#()", *"\\*_[]~|`&<>@", "  ", "\t", "\n", "\xa0", "\u3000", "\x1c", "\x1b"]
ALPHABET += ["\x7f", "\u202e", "\u2067"]


def test_shortcut_equals_full_escape_on_generated_text():
    rng = random.Random(7)
    for _ in range(5000):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 12)))
        assert escape_inline(text) == escape_inline_full(text), repr(text)


def test_plain_text_is_returned_as_is():
    assert escape_inline("handle empty input (#42)") == "handle empty input (#42)"


def test_shortcut_knows_every_character_the_escape_touches():
    special = set("\\*_[]~|`&<>@")
    controls = {chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)] if not chr(c).isspace()}
    controls |= set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        touched = char in special or char in controls or (char.isspace() and char != " ")
        assert bool(_NEEDS_ESCAPE.match(char)) == touched, hex(code)
