"""Git-trailer footers of a Conventional Commit: breaking notes, Release-As, issue and commit
references."""

from __future__ import annotations

import re

# `BREAKING CHANGE` is the one token with a space, and only with `: ` (the spec's rule 12): the
# ` #` separator is for other tokens, so `BREAKING CHANGE #12` is no footer at all.
_FOOTER = re.compile(
    r"^(?P<token>BREAKING CHANGE(?=: )|BREAKING-CHANGE|[A-Za-z][\w-]*)(?P<sep>: | #)(?P<value>.*)$"
)
_BREAKING_TOKENS = ("BREAKING CHANGE", "BREAKING-CHANGE")
_SHA_WORD = re.compile(r"(?<![\w#/])[0-9a-fA-F]{7,40}(?!\w)")
# `#12`, or `owner/repo#12` for another repository's issue (kept as that text).
_ISSUE_NUMBER = re.compile(r"(?:(?<![\w./-])([\w.-]+/[\w.-]+))?#(\d+)")
_ISSUE_VERBS = {
    "refs": "refs",
    "ref": "refs",
    "references": "refs",
    "fixes": "fixes",
    "fix": "fixes",
    "fixed": "fixes",
    "closes": "closes",
    "close": "closes",
    "closed": "closes",
    "resolves": "resolves",
    "resolve": "resolves",
    "resolved": "resolves",
}


def _footers(lines: list[str]) -> list[tuple[str, str, str]]:
    """Git-trailer footers as (token, separator, value).

    A `Token: value` or `Token #value` line is a footer when it opens a paragraph, follows
    another footer, or stands in the last paragraph: a trailer block may follow body text
    directly, as git and conventional-commits-parser read it. An issue-closing line that names
    an issue (`Fixes #4`) is one at the start of any line, as GitHub reads it.
    """
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    last_paragraph = end
    while last_paragraph and lines[last_paragraph - 1].strip():
        last_paragraph -= 1
    # Continuation lines are collected and joined once: adding each to the value in turn
    # copies the value every time, quadratic in a long footer.
    found: list[tuple[str, str, list[str]]] = []
    in_footer = False
    previous_blank = True
    for index, raw in enumerate(lines):
        line = raw.rstrip()
        if not line.strip():
            in_footer = False
            previous_blank = True
            continue
        match = _FOOTER.match(line)
        if match and (
            previous_blank
            or in_footer
            or index >= last_paragraph
            or (match.group("token").lower() in _ISSUE_VERBS and _names_issue(match))
        ):
            sep = match.group("sep")
            value = match.group("value").strip()
            if sep == " #":
                value = "#" + value
            found.append((match.group("token"), sep, [value]))
            in_footer = True
        elif in_footer:
            found[-1][2].append(line.strip())
        previous_blank = False
    return [(token, sep, "\n".join(parts)) for token, sep, parts in found]


def _names_issue(match: re.Match[str]) -> bool:
    return match.group("sep") == " #" or _ISSUE_NUMBER.search(match.group("value")) is not None


def footer_facts(
    lines: list[str],
) -> tuple[tuple[str, ...], str | None, tuple[tuple[str, int | str], ...]]:
    """(breaking notes, Release-As value, issue references) from the footers among lines."""
    footers = _footers(lines)
    breaking_notes = tuple(
        value for token, sep, value in footers if token in _BREAKING_TOKENS and sep == ": "
    )
    release_as = None
    issues: list[tuple[str, int | str]] = []
    for token, _sep, value in footers:
        low = token.lower()
        if low == "release-as":
            release_as = value.strip()
        elif low in _ISSUE_VERBS:
            issues.extend(
                (_ISSUE_VERBS[low], f"{repo}#{n}" if repo else int(n))
                for repo, n in _ISSUE_NUMBER.findall(value)
            )
    return breaking_notes, release_as, tuple(issues)


def refs_shas(lines: list[str]) -> tuple[str, ...]:
    """The commit ids a `Refs:` footer names (how the spec's FAQ marks what a revert undoes)."""
    return tuple(
        sha.lower()
        for token, _sep, value in _footers(lines)
        if token.lower() in ("refs", "ref", "references")
        for sha in _SHA_WORD.findall(value)
    )
