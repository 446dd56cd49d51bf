"""Render Release Please-compatible release notes for one release."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from releaser.domain.bump import DEFAULT_SECTIONS, Section
from releaser.domain.collation import sort_key
from releaser.domain.commits import Entry
from releaser.domain.markdown import escape_inline

_PR_REF = re.compile(r"\\?\(#(\d+)\\?\)")


@dataclass(frozen=True, slots=True)
class Links:
    """Where commits, PRs, issues and comparisons live; None means render without links."""

    repo_url: str | None

    def commit(self, sha: str) -> str:
        short = sha[:7]
        return f"[{short}]({self.repo_url}/commit/{sha})" if self.repo_url else short

    def pull(self, number: str) -> str:
        return f"[#{number}]({self.repo_url}/pull/{number})" if self.repo_url else f"#{number}"

    def issue(self, number: int | str) -> str:
        if isinstance(number, str):  # "owner/repo#N": an issue of another repository
            repo, _, n = number.rpartition("#")
            if not self.repo_url:
                return escape_inline(number)
            server = self.repo_url.rstrip("/").rsplit("/", 2)[0]
            return f"[{escape_inline(number)}]({server}/{repo}/issues/{n})"
        return f"[#{number}]({self.repo_url}/issues/{number})" if self.repo_url else f"#{number}"

    def compare(self, previous_tag: str | None, tag: str) -> str | None:
        if not self.repo_url or not previous_tag:
            return None
        return f"{self.repo_url}/compare/{previous_tag}...{tag}"


def _subject(entry: Entry, links: Links, text: str | None = None) -> str:
    body = escape_inline(entry.subject if text is None else text)
    if "(#" in body:  # every _PR_REF match contains it; most subjects have none
        body = _PR_REF.sub(lambda m: f"({links.pull(m.group(1))})", body)
    if entry.scope:
        return f"**{escape_inline(entry.scope)}:** {body}"
    return body


def _line(entry: Entry, links: Links) -> str:
    line = f"* {_subject(entry, links)} ({links.commit(entry.sha)})"
    if entry.issues:
        line += ", " + ", ".join([f"{verb} {links.issue(n)}" for verb, n in entry.issues])
    return line


def _release_please_order(entry: Entry) -> tuple[str, str, str]:
    # Release Please compares `scope + subject` as one string with `localeCompare`.
    return sort_key((entry.scope or "") + entry.subject)


def render_notes(
    version: str,
    tag: str,
    previous_tag: str | None,
    entries: tuple[Entry, ...],
    links: Links,
    today: date,
    sections: tuple[Section, ...] = DEFAULT_SECTIONS,
) -> str:
    """`## [version](compare) (date)`, breaking changes first, then one heading per section."""
    compare = links.compare(previous_tag, tag)
    title = f"[{version}]({compare})" if compare else version
    out = [f"## {title} ({today.isoformat()})", ""]
    breaking = [e for e in entries if e.breaking and e.type is not None]  # conventional
    if breaking:
        out += ["", "### ⚠ BREAKING CHANGES", ""]
        for entry in breaking:
            for note in entry.breaking_notes or (entry.subject,):
                lead, *rest = note.split("\n")
                out.append(f"* {_subject(entry, links, lead)}")
                out.extend(f"  {escape_inline(line)}" for line in rest if line.strip())
    order: list[str] = []
    by_heading: dict[str, list[Entry]] = {}
    # The last section listed for a type decides where it goes, or that it is hidden. A hidden
    # section still lists its breaking entries (`refactor!: ...`), as Release Please does.
    last = {s.type: s for s in sections}.values()
    heading_of = {s.type: (s.section, s.hidden) for s in last}
    for section in sections:
        if section.section not in order:
            order.append(section.section)
    for entry in entries:
        found = heading_of.get(entry.type or "")
        if found is not None and (not found[1] or (entry.breaking and entry.type is not None)):
            by_heading.setdefault(found[0], []).append(entry)
    first = True
    for heading in order:
        items = by_heading.get(heading)
        if not items:
            continue
        # Release Please's spacing: two blank lines before every section but the first, and
        # its order within a section (the key is computed once per entry).
        out += (["", f"### {heading}", ""]) if first else (["", "", f"### {heading}", ""])
        first = False
        items.sort(key=_release_please_order)
        seen: set[str] = set()
        for entry in items:
            line = _line(entry, links)
            if line not in seen:
                seen.add(line)
                out.append(line)
    return "\n".join(out).rstrip("\n") + "\n"
