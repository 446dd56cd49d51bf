"""Make untrusted commit text safe inside Markdown: no raw HTML, no @-mentions, no stray markup."""

from __future__ import annotations

import re

_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
_MENTION = re.compile(r"(?<![\w`@/.])@([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:/[\w.-]+)?)")
_SPECIAL = re.compile(r"([\\*_\[\]~|])")


def _escape_text(text: str, stray_backticks: bool = False) -> str:
    text = _SPECIAL.sub(r"\\\1", text)
    if stray_backticks:
        text = text.replace("`", "\\`")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # A code span shows the name literally and GitHub does not notify anyone for it.
    return _MENTION.sub(r"`@\1`", text)


# Every character escape_inline may change or drop: markup, HTML, `@`, and each whitespace
# character str.split() splits on except the plain space (a test checks the class is whole).
# One character class scans several times faster than a regex of alternatives.
_NEEDS_ESCAPE = re.compile(
    "[\\\\*_\\[\\]~|`&<>@"
    "\t\n\x0b-\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
)


def escape_inline(text: str) -> str:
    """Escape one line of user text, keeping balanced `code spans` as the author meant them."""
    if not (_NEEDS_ESCAPE.search(text) or "  " in text or text[:1] == " " or text[-1:] == " "):
        return text  # most subjects: plain words and single spaces, nothing to do
    return escape_inline_full(text)


def escape_inline_full(text: str) -> str:
    """escape_inline without its shortcut for text that needs nothing."""
    text = " ".join(text.split())
    out: list[str] = []
    pos = 0
    for match in _CODE_SPAN.finditer(text):
        out.append(_escape_text(text[pos : match.start()]))
        out.append(match.group(0))
        pos = match.end()
    rest = text[pos:]
    out.append(_escape_text(rest, stray_backticks=True))
    return "".join(out)
