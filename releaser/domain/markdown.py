"""Make untrusted commit text safe inside Markdown: no raw HTML, no @-mentions, no stray markup."""

from __future__ import annotations

import re
from collections.abc import Iterator

_BACKTICKS = re.compile(r"`+")
# GitHub links @name (and @org/team) after any character but an ASCII letter, digit or _.
# A chain such as @a@b is wrapped whole: wrapping only @a would leave @b at the start of the
# text after the code span, where it links.
_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:/[\w.-]+)?"
_MENTION = re.compile(rf"(?<![A-Za-z0-9_])@{_NAME}(?:@{_NAME})*")
_SPECIAL = re.compile(r"([\\*_\[\]~|])")
# What opens or closes an HTML comment; releaser's own structure lives in comments.
_COMMENT = re.compile(r"<!--|-->")


def _code_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each CommonMark code span: a run of n backticks through the next run of
    exactly n; a run with no such partner is literal text.

    A scan over the runs, linear in the text: a regex such as (`+)(.+?)\\1 retries every
    shorter opener at every position and is cubic on a long run of backticks.
    """
    runs = [match.span() for match in _BACKTICKS.finditer(text)]
    partner: list[int | None] = [None] * len(runs)
    next_of_length: dict[int, int] = {}
    for index in range(len(runs) - 1, -1, -1):
        start, end = runs[index]
        partner[index] = next_of_length.get(end - start)
        next_of_length[end - start] = index
    index = 0
    while index < len(runs):
        closer = partner[index]
        if closer is None:
            index += 1
            continue
        yield runs[index][0], runs[closer][1]
        index = closer + 1


def _escape_text(text: str) -> str:
    """Escape text outside code spans; a backtick here is one CommonMark leaves unpaired."""
    text = _SPECIAL.sub(r"\\\1", text).replace("`", "\\`")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # A code span shows the name literally and GitHub does not notify anyone for it.
    return _MENTION.sub(r"`\g<0>`", text)


# Control characters that are not whitespace (C0 but tab and line breaks, DEL, C1) can drive
# a terminal; bidi controls can make text read other than it is (Trojan Source). Each one is
# shown as U+FFFD. (The whitespace among the controls is folded to a space like the rest.)
_CONTROLS = "\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_NEUTRAL = {code: "\ufffd" for code in range(0x2070) if re.match(f"[{_CONTROLS}]", chr(code))}

# Every character escape_inline may change or drop: markup, HTML, `@`, the controls, and each
# whitespace character str.split() splits on except the plain space (a test checks the class
# is whole). One character class scans several times faster than a regex of alternatives.
_NEEDS_ESCAPE = re.compile(
    "[\\\\*_\\[\\]~|`&<>@"
    "\t\n\x0b-\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
    f"{_CONTROLS}]"
)


def escape_inline(text: str) -> str:
    """Escape one line of user text, keeping balanced `code spans` as the author meant them."""
    if not (_NEEDS_ESCAPE.search(text) or "  " in text or text[:1] == " " or text[-1:] == " "):
        return text  # most subjects: plain words and single spaces, nothing to do
    return escape_inline_full(text)


def escape_inline_full(text: str) -> str:
    """escape_inline without its shortcut for text that needs nothing."""
    text = " ".join(text.translate(_NEUTRAL).split())
    pieces: list[tuple[str, bool]] = []  # (markdown, whether it is the author's code span)
    pos = 0
    for start, end in _code_spans(text):
        pieces.append((_escape_text(text[pos:start]), False))
        span = text[start:end]
        if _COMMENT.search(span):
            # Kept raw, the span would carry "<!--" or "-->" into the raw body, where a reader
            # of releaser's own markers could take it for one: shown as text, backticks and all.
            pieces.append((_escape_text(span), False))
        else:
            pieces.append((span, True))
        pos = end
    pieces.append((_escape_text(text[pos:]), False))
    out: list[str] = []
    ends_raw = False
    for piece, raw in pieces:
        if not piece:
            continue
        # A code span touching a wrapped mention would make one longer backtick run, which
        # pairs differently: in `<img ...>`@a`` b `` the <img> would leave the code and render.
        if ends_raw and piece[0] == "`":
            out.append(" ")
        out.append(piece)
        # An escaped piece's only raw backticks are those around the mentions it wrapped; a
        # mention ends in a name character, never in the backslash of an escaped backtick.
        ends_raw = raw or (piece[-1] == "`" and piece[-2:-1] != "\\")
    return "".join(out)


_COMMAND_LINE = re.compile(r"^([ \t]*):(?=:)", re.MULTILINE)


def no_workflow_commands(text: str) -> str:
    """Markdown that reads the same, in which no line is a workflow command: the Actions runner
    takes a line starting with "::" (after leading blanks) as one (::stop-commands::, ::error::).
    A backslash before the first ":" renders as nothing in Markdown and ends that."""
    return _COMMAND_LINE.sub(r"\1\\:", text)


# Only what would change the rendering where it stands: a backslash before punctuation, code,
# emphasis and strikethrough marks, a table cell's "|", "_" at a word's edge, a "]" that would
# close a link, a "<" that would open HTML, a comment or an autolink, the ">" of "-->", an
# entity, the ":" of a URL and the "." of a bare www name (GFM links both).
_READABLE = re.compile(
    r"\\(?=[!-/:-@\[-`{-~])|[`*~|]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])|\](?=[(\[])"
    r"|<(?=[A-Za-z/!?])|(?<=--)>|&(?=#?[A-Za-z0-9]+;)|:(?=//)|(?<=(?<![A-Za-z0-9])[wW]{3})\."
)
_ENTITY = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}


def escape_readable(text: str) -> str:
    """One line of user text for a table cell or paragraph of a file people also read raw
    (release-evidence.md): escaped only where it would otherwise render as something else."""
    text = " ".join(text.translate(_NEUTRAL).split())
    text = _READABLE.sub(lambda m: _ENTITY.get(m.group(), "\\" + m.group()), text)
    # A code span shows the name literally and GitHub does not notify anyone for it.
    return _MENTION.sub(r"`\g<0>`", text)
