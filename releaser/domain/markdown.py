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


# Anything escape_inline would change: markup, HTML, mentions, or whitespace to collapse.
_NEEDS_ESCAPE = re.compile(r"[\\*_\[\]~|`&<>@]|[^\S ]|  |^ | $")


def escape_inline(text: str) -> str:
    """Escape one line of user text, keeping balanced `code spans` as the author meant them."""
    if not _NEEDS_ESCAPE.search(text):
        return text  # most subjects: plain words, nothing to do
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
