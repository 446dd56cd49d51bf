"""Control and bidi characters in commit text never reach notes or the terminal as such."""

from __future__ import annotations

from datetime import date

import pytest

from releaser.domain.commits import RawCommit, parse_commit
from releaser.domain.markdown import escape_inline
from releaser.domain.notes import Links, render_notes

CONTROLS = [chr(c) for c in [*range(0x00, 0x09), *range(0x0E, 0x1C), *range(0x7F, 0x85)]]
CONTROLS += [chr(c) for c in range(0x86, 0xA0)]
BIDI = [*"\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"]


@pytest.mark.parametrize("char", CONTROLS + BIDI, ids=lambda c: f"U+{ord(c):04X}")
def test_each_control_is_shown_as_a_replacement_character(char):
    assert escape_inline(f"a{char}b") == "a\ufffdb"
    assert escape_inline(f"`a{char}b`") == "`a\ufffdb`"  # in code too


def test_ordinary_text_is_unchanged():
    for text in ["שלום עולם", "مرحبا", "emoji 🚀 ünïcode", "tab\tkept as a space", "a\u200bb"]:
        assert escape_inline(text) == " ".join(text.split())


def test_notes_hold_no_control_characters():
    message = (
        "fix(\u202escope): a\x1b]0;pwned\x07 \u2066b\x7f\n\nBREAKING CHANGE: c\x1b[2J\nd\x9b1m"
    )
    entries = parse_commit(RawCommit("a" * 40, message, ("p",))).entries
    notes = render_notes("2.0.0", "v2.0.0", "v1.0.0", entries, Links(None), date(2026, 1, 1))
    assert not any(ch in notes for ch in CONTROLS + BIDI)
    assert "* **\ufffdscope:** a\ufffd\\]0;pwned\ufffd \ufffdb\ufffd (aaaaaaa)" in notes
    assert "* **\ufffdscope:** c\ufffd\\[2J\n  d\ufffd1m" in notes


def test_text_output_holds_no_control_characters(repo, capsys):
    from releaser.cli import main

    repo.commit("fix: title\x1b]0;pwned\x07 \u202eevil")
    assert main(["plan", "--repo", str(repo.path)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "* title\ufffd\\]0;pwned\ufffd \ufffdevil (" in out
