"""Parse raw commit messages into Conventional Commits 1.0.0 entries (values, never exceptions).

A message can hold several entries: its header, conventional paragraphs, and (depending on the
`squash-bullets` setting) the `* type: subject` bullets of a GitHub squash body.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from releaser.domain.footers import footer_facts, refs_shas


class SquashBullets(StrEnum):
    AUTO = "auto"
    ALWAYS = "always"
    NEVER = "never"


@dataclass(frozen=True, slots=True)
class RawCommit:
    """A commit as an adapter (git or GitHub) hands it over."""

    sha: str
    message: str
    parents: tuple[str, ...] = ()
    author: str = ""


@dataclass(frozen=True, slots=True)
class Entry:
    """One change a message describes; `type` is None when it is not conventional."""

    sha: str
    type: str | None
    scope: str | None
    breaking: bool
    subject: str
    breaking_notes: tuple[str, ...] = ()
    # (verb, number) from Refs/Fixes/Closes footers; another repository's is "owner/repo#N"
    issues: tuple[tuple[str, int | str], ...] = ()

    @property
    def conventional(self) -> bool:
        return self.type is not None


@dataclass(frozen=True, slots=True)
class ParsedCommit:
    """Everything one commit contributes to a release."""

    sha: str
    header: str
    entries: tuple[Entry, ...]
    release_as: str | None = None
    # The commits it undoes: git's `This reverts commit <sha>.` line, or the `Refs: <sha>`
    # footer of a `revert:` commit (the spec's FAQ), which may name several.
    reverts_shas: tuple[str, ...] = ()
    reverts_header: str | None = None
    is_merge: bool = False
    author: str = ""


_HEADER = re.compile(
    r"^(?P<type>[A-Za-z][\w-]*)(?:\((?P<scope>[^()\r\n]*)\))?(?P<bang>!)?: ?(?P<desc>.*)$"
)
_HEADER_STRICT = re.compile(r"^[A-Za-z][\w-]*(?:\([^()\r\n]*\))?!?: +\S")
_BULLET = re.compile(r"^[*-] +(?P<rest>.+)$")
_REVERT_QUOTED = re.compile(r'^Revert "(?P<inner>.+)"(?P<pr>\s*\(#\d+\))?\s*$')
_REVERTS_SHA = re.compile(r"This reverts commit (?P<sha>[0-9a-fA-F]{7,40})")
_MERGE_SUBJECT = re.compile(
    r"^Merge (?:pull request #\d+ from |branch '|remote-tracking branch '|branch \S+ (?:of|into) )"
)


def _is_header(line: str) -> bool:
    return bool(_HEADER_STRICT.match(line))


def _is_known_header(line: str, types: frozenset[str]) -> bool:
    """A body line starts another commit only if it names a type the changelog knows."""
    match = _HEADER.match(line)
    return match is not None and _is_header(line) and match.group("type").lower() in types


@dataclass(slots=True)
class _Unit:
    """A header and the body lines that belong to it, while parsing."""

    header: str
    lines: list[str]
    counts: bool


def _split_units(
    body_lines: list[str], title_conventional: bool, bullets: SquashBullets, types: frozenset[str]
) -> tuple[list[str], list[_Unit]]:
    """Split the body into the title's own lines and any further conventional units."""
    title_lines: list[str] = []
    units: list[_Unit] = []
    current_lines = title_lines
    # A header opens a unit after a blank line or right after another header: `docs: a` then
    # `docs: b` on the next line are two commits, as Release Please reads them.
    previous_blank = True
    previous_header = True
    for line in body_lines:
        stripped = line.strip()
        # An indented line is quoted text (an example), never a commit of its own.
        bullet = _BULLET.match(line) if line[:1] not in (" ", "\t") else None
        if bullet and _is_known_header(bullet.group("rest"), types):
            counts = bullets is SquashBullets.ALWAYS or (
                bullets is SquashBullets.AUTO and not title_conventional
            )
            unit = _Unit(bullet.group("rest"), [], counts)
            units.append(unit)
            current_lines = unit.lines
            previous_header = False
        elif (
            (previous_blank or previous_header)
            and line[:1] not in (" ", "\t")
            and _is_known_header(stripped, types)
        ):
            unit = _Unit(stripped, [], True)
            units.append(unit)
            current_lines = unit.lines
            previous_header = True
        else:
            current_lines.append(line)
            previous_header = False
        previous_blank = not stripped
    return title_lines, units


def _entry_from(sha: str, header: str, lines: list[str]) -> tuple[Entry, str | None]:
    """Build one entry from a header and its lines; also return its Release-As value."""
    breaking_notes, release_as, issues = footer_facts(lines)
    match = _HEADER.match(header)
    if match and _is_header(header):
        bang = bool(match.group("bang"))
        desc = match.group("desc").strip()
        notes = breaking_notes or ((desc,) if bang else ())
        scope = match.group("scope")
        return (
            Entry(
                sha=sha,
                type=match.group("type").lower(),
                scope=(scope.strip() or None) if scope is not None else None,
                breaking=bang or bool(breaking_notes),
                subject=desc,
                breaking_notes=notes,
                issues=issues,
            ),
            release_as,
        )
    return Entry(sha, None, None, False, header.strip(), (), issues), release_as


def _normalise(message: str) -> list[str]:
    text = message.replace("\r\n", "\n").replace("\r", "\n")
    return [line.rstrip() for line in text.split("\n")]


DEFAULT_TYPES = frozenset(
    "feat feature fix perf revert docs style chore refactor test tests build ci".split()
)


# Cheap supersets of what the full parse looks for, so most messages skip it: a body line that
# could open another unit (a known type, after optional whitespace or a bullet), and a footer
# whose token changes the result (breaking notes, Release-As, issue references).
_RELEVANT_FOOTER = re.compile(
    r"^(?:BREAKING[ -]CHANGE|release-as|refs?|references|fix(?:es|ed)?|close[sd]?|resolve[sd]?)"
    r"(?:: | #)",
    re.IGNORECASE | re.MULTILINE,
)
_UNIT_GATES: dict[frozenset[str], re.Pattern[str]] = {}


def _unit_gate(types: frozenset[str]) -> re.Pattern[str]:
    gate = _UNIT_GATES.get(types)
    if gate is None:
        names = "|".join(re.escape(t) for t in sorted(types, key=len, reverse=True))
        # [^\S\n], not \s: \s also matches the newline, so from every line start \s* would
        # run on through all the blank lines that follow (quadratic on a run of them).
        gate = re.compile(rf"^[^\S\n]*(?:[*-] +)?(?:{names})[(!:]", re.IGNORECASE | re.MULTILINE)
        _UNIT_GATES[types] = gate
    return gate


# _HEADER and _HEADER_STRICT together, in one match: the groups come out the same, since the
# type, scope and `!` can only be split one way.
_CONVENTIONAL = re.compile(r"^([A-Za-z][\w-]*)(?:\(([^()\r\n]*)\))?(!)?: +(\S.*)$")


def _header_entry(
    sha: str,
    header: str,
    notes: tuple[str, ...] = (),
    issues: tuple[tuple[str, int | str], ...] = (),
) -> Entry:
    """_entry_from for a stripped one-line header, given its footers' breaking notes and issues."""
    match = _CONVENTIONAL.match(header)
    if match is None:
        return Entry(sha, None, None, False, header, (), issues)
    type_, scope, bang, desc = match.groups()
    if scope is not None:
        scope = scope.strip() or None
    breaking = bang is not None or bool(notes)
    return Entry(
        sha, type_.lower(), scope, breaking, desc, notes or ((desc,) if bang else ()), issues
    )


def _parse_fast(raw: RawCommit, unit_gate: re.Pattern[str]) -> ParsedCommit | None:
    """The full parse's result for a message with no units to split and no revert, else None."""
    message = raw.message
    if "\r" in message:
        return None
    # lstrip drops the blank lines the full parse pops, and the first line's indent.
    text = message.lstrip()
    cut = text.find("\n")
    header = (text if cut < 0 else text[:cut]).rstrip()
    if (header.startswith("Merge ") and _MERGE_SUBJECT.match(header)) or (
        len(raw.parents) > 1 and not _CONVENTIONAL.match(header)
    ):
        return ParsedCommit(raw.sha, header, (), is_merge=True, author=raw.author)
    # Only "r" and "R" lower-case to "r", so the first test never hides a revert.
    if header[:1] in ("r", "R") and header.lower().startswith("revert"):
        return None
    release_as = None
    body = "" if cut < 0 else text[cut + 1 :]
    # Every unit header has a ":", every footer ": " or " #".
    if ":" in body and unit_gate.search(body):
        return None
    if (": " in body or " #" in body) and _RELEVANT_FOOTER.search(body):
        notes, release_as, issues = footer_facts([ln.rstrip() for ln in body.split("\n")])
        entry = _header_entry(raw.sha, header, notes, issues)
    else:
        entry = _header_entry(raw.sha, header)
    return ParsedCommit(raw.sha, header, (entry,), release_as, (), None, False, raw.author)


def parse_commit(
    raw: RawCommit,
    bullets: SquashBullets = SquashBullets.AUTO,
    types: frozenset[str] = DEFAULT_TYPES,
) -> ParsedCommit:
    """Parse one commit. Never raises: anything unconventional becomes an entry with type None."""
    return _parse_fast(raw, _unit_gate(types)) or parse_commit_full(raw, bullets, types)


def parse_commits(
    raws: Iterable[RawCommit],
    bullets: SquashBullets = SquashBullets.AUTO,
    types: frozenset[str] = DEFAULT_TYPES,
) -> Iterator[ParsedCommit]:
    """parse_commit over a stream of commits."""
    gate = _unit_gate(types)
    for raw in raws:
        yield _parse_fast(raw, gate) or parse_commit_full(raw, bullets, types)


def parse_commit_full(
    raw: RawCommit,
    bullets: SquashBullets = SquashBullets.AUTO,
    types: frozenset[str] = DEFAULT_TYPES,
) -> ParsedCommit:
    """The complete parse, for every message; parse_commit skips it where it cannot matter."""
    lines = _normalise(raw.message)
    while lines and not lines[0].strip():
        lines.pop(0)
    header = lines[0].strip() if lines else ""
    body = lines[1:]
    # A merge commit is structural (`Merge pull request #N from ...`, `Merge branch ...`) unless
    # its message is a conventional header, as GitHub writes it from the pull request's title.
    if _MERGE_SUBJECT.match(header) or (len(raw.parents) > 1 and not _is_header(header)):
        return ParsedCommit(raw.sha, header, (), is_merge=True, author=raw.author)

    reverts_shas: tuple[str, ...] = ()
    reverts_header = None
    revert = _REVERT_QUOTED.match(header)
    if revert or header.lower().startswith("revert"):
        sha_match = _REVERTS_SHA.search("\n".join(body))
        if sha_match:
            reverts_shas = (sha_match.group("sha").lower(),)
        elif _is_header(header) and header[6:7] in ("(", ":", "!"):
            reverts_shas = refs_shas(body)  # `revert: ...` with a `Refs: <sha>` footer
        if revert:
            reverts_header = revert.group("inner").strip()
    if revert:
        # git's default revert message: keep it as a `revert` entry quoting what it undid.
        header_for_entry = f"revert: {reverts_header}{revert.group('pr') or ''}"
    else:
        header_for_entry = header

    title_conventional = _is_header(header_for_entry)
    title_lines, units = _split_units(body, title_conventional, bullets, types)
    # Footers inside bullets that do not count still belong to the message (the spec's rule).
    for unit in units:
        if not unit.counts:
            title_lines.extend(["", *unit.lines])
    title_entry, release_as = _entry_from(raw.sha, header_for_entry, title_lines)
    entries = [title_entry]
    for unit in units:
        if not unit.counts:
            continue
        entry, unit_release_as = _entry_from(raw.sha, unit.header, unit.lines)
        entries.append(entry)
        release_as = unit_release_as or release_as
    if not title_entry.conventional and len(entries) > 1:
        # The bullets carry the information; the free-form title adds nothing.
        entries = entries[1:]
    return ParsedCommit(
        sha=raw.sha,
        header=header,
        entries=tuple(entries),
        release_as=release_as,
        reverts_shas=reverts_shas,
        reverts_header=reverts_header,
        author=raw.author,
    )
