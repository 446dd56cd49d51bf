"""Render and parse the release PR: title, body with editable notes, and the hidden marker."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from releaser.domain import bounded_json
from releaser.domain.commits import ParsedCommit
from releaser.domain.markdown import escape_inline_full
from releaser.domain.notes_size import PULL_BODY_LIMIT
from releaser.domain.version import parse_version

if TYPE_CHECKING:  # a model release's tables: their module loads only for one
    from releaser.domain.model_tables import ModelResult

MARKER_VERSION = 1
# The marker releaser writes: the whole last non-blank line of the body, after a "---" line.
_MARKER = re.compile(r"<!-- releaser:(\{[^\n]*\}) -->")
_RULE = "---"


def _begin(tag: str) -> str:
    return f"<!-- releaser:begin {tag} -->"


def _end(tag: str) -> str:
    return f"<!-- releaser:end {tag} -->"


class MarkerError(ValueError):
    """The PR body's marker is missing or not what releaser wrote."""


@dataclass(frozen=True, slots=True)
class PlannedRelease:
    component: str
    path: str
    version: str
    tag: str
    previous_tag: str | None
    notes: str
    generated: str = ""  # sha256 of the notes releaser generated (the body may hold edits)
    # A model release: the manifest digest the PR showed its reviewers; publishing refuses a
    # merge commit whose weights have another (they changed after the PR was last updated).
    manifest_sha256: str = ""


@dataclass(frozen=True, slots=True)
class Marker:
    target: str
    base_sha: str
    plan_digest: str
    releases: tuple[PlannedRelease, ...]


def branch_name(target: str, component: str | None = None) -> str:
    name = f"releaser--branches--{target}"
    return f"{name}--components--{component}" if component else name


def plan_digest(
    releases: tuple[PlannedRelease, ...], commit_shas: tuple[str, ...], models: str = ""
) -> str:
    """Identifies the plan: same releases from the same commits give the same digest.
    `models` (model_tables.models_digest) covers what the model tables say: gate results can
    move without a commit (a metrics-file from CI, a check run), and the body must follow."""
    items: list[list[str]] = [[r.component, r.version, r.tag] for r in releases] + [
        sorted(commit_shas)
    ]
    if models:  # a code-only plan keeps the digest it always had
        items.append(["models", models])
    data = json.dumps(items, separators=(",", ":"))
    return hashlib.sha256(data.encode()).hexdigest()


def digest_commits(commits: Iterable[ParsedCommit]) -> tuple[str, ...]:
    """The commits a plan digest covers: every one but the merges. A merge carries no entry
    of its own, and whether a history lists it depends on the checkout: a full clone's
    `git log --full-history -- path` shows a merge that touched the path, the API's path
    listing (for a shallow checkout) never does. Counting merges would make a depth-1 run
    and a full one disagree about a plan they render byte for byte alike."""
    return tuple(c.sha for c in commits if not c.is_merge)


def notes_sha256(notes: str) -> str:
    return hashlib.sha256(notes.encode()).hexdigest()


def keep_edits(
    planned: tuple[PlannedRelease, ...], before: Marker | None
) -> tuple[PlannedRelease, ...]:
    """The new plan, with a maintainer's edited notes carried over wherever the release (tag,
    version) and the notes releaser generates are what they were: commits that change
    neither (a chore, docs) keep the edits; anything that changes the notes replaces them."""
    if before is None:
        return planned
    old = {r.tag: r for r in before.releases}
    out = []
    for release in planned:
        prior = old.get(release.tag)
        same = (
            prior is not None
            and prior.version == release.version
            and prior.generated
            and prior.generated == release.generated
        )
        out.append(replace(release, notes=prior.notes) if same and prior is not None else release)
    return tuple(out)


@dataclass(frozen=True, slots=True)
class ReplacedNotes:
    """Notes a maintainer edited in the PR body that the regenerated body no longer carries."""

    tag: str
    text: str


def replaced_edits(
    shown: tuple[PlannedRelease, ...], before: Marker | None
) -> tuple[ReplacedNotes, ...]:
    """The edited notes of `before` (notes that are not what releaser generated) that the
    body about to be written, with `shown` (keep_edits' result), does not carry."""
    if before is None:
        return ()
    showing = {r.tag: r.notes for r in shown}
    return tuple(
        ReplacedNotes(prior.tag, prior.notes)
        for prior in before.releases
        if prior.generated
        and notes_sha256(prior.notes) != prior.generated
        and showing.get(prior.tag) != prior.notes
    )


def _shown_verbatim(text: str) -> list[str]:
    """`text` line by line as literal characters: escaped, so no line forms markup, HTML, a
    mention or releaser's structure, with a hard break at each line's end."""
    lines = [escape_inline_full(line) for line in text.strip("\n").split("\n")]
    return [line + "\\" if line else "" for line in lines[:-1]] + lines[-1:]


# Room the fitting of the notes leaves free in the body for the note on replaced edits when
# their text does not fit beside the notes.
NOTICE_ROOM = 2000


def _replaced_notice(replaced: tuple[ReplacedNotes, ...], verbatim: bool) -> list[str]:
    if not replaced:
        return []
    tags = ", ".join(f"`{escape_inline_full(r.tag)}`" for r in replaced)
    shown = "below" if verbatim else "too long to show here; the PR's edit history has it"
    out = [
        f"**Note:** new commits changed the notes of {tags}, so the edits made to them here"
        f" were replaced by the regenerated notes. The replaced text is {shown}: copy back"
        " what still applies. (This note is not part of the release.)",
        "",
    ]
    if verbatim:
        for r in replaced:
            tag = escape_inline_full(r.tag)
            out += [f"<details><summary>Replaced notes of {tag}</summary>", ""]
            out += [*_shown_verbatim(r.text), "", "</details>", ""]
    return out


def render_title(template: str, target: str, releases: tuple[PlannedRelease, ...]) -> str:
    if len(releases) == 1:
        (only,) = releases
        version = only.version
        component = only.component
    else:
        version = ", ".join(f"{r.component or 'root'} {r.version}" for r in releases)
        component = ""
    # release-please's pull-request-title-pattern placeholders, so its pattern carries over:
    # ${scope} is "(branch)", ${component} is " name" (or nothing), ${branch} the branch.
    title = (
        template.replace("${scope}", f"({target})")
        .replace("${component}", f" {component}" if component else "")
        .replace("${version}", version)
        .replace("${branch}", target)
    )
    title = title.replace("{target}", target).replace("{version}", version)
    title = title.replace("{component}", component)
    return " ".join(title.split())


def render_body(
    marker: Marker,
    replaced: tuple[ReplacedNotes, ...] = (),
    models: Mapping[str, ModelResult] | None = None,
    compact: bool = False,
) -> str:
    """The PR body; `replaced` adds a note, outside the notes, on edits that were replaced
    (with their text when the body stays within GitHub's limit). `models` (tag -> result)
    puts each model release's change and gate tables below its notes, outside the editable
    block; `compact` says only what they hold (a body the tables would not fit)."""
    sections = _model_sections(models, compact)
    body = _render_body(marker, _replaced_notice(replaced, verbatim=True), sections)
    if len(body) > PULL_BODY_LIMIT:
        body = _render_body(marker, _replaced_notice(replaced, verbatim=False), sections)
    return body


def _render_body(marker: Marker, notice: list[str], sections: Mapping[str, list[str]]) -> str:
    parts = [
        "This PR was opened by releaser. Merging it publishes the release"
        + ("s" if len(marker.releases) > 1 else "")
        + " below: the tag, the GitHub release with these notes, and its evidence.",
        "",
        "You may edit the notes between the markers; the merged text is what gets published."
        " New commits on the target branch regenerate them.",
        "",
    ]
    for release in marker.releases:
        parts += [
            _begin(release.tag),
            release.notes.rstrip("\n"),
            _end(release.tag),
            "",
            *sections.get(release.tag, ()),
        ]
    parts += notice
    data = {
        "v": MARKER_VERSION,
        "target": marker.target,
        "base": marker.base_sha,
        "plan": marker.plan_digest,
        "releases": [
            {
                "component": r.component,
                "path": r.path,
                "version": r.version,
                "tag": r.tag,
                "previous_tag": r.previous_tag,
                **({"generated": r.generated} if r.generated else {}),
                **({"manifest_sha256": r.manifest_sha256} if r.manifest_sha256 else {}),
            }
            for r in marker.releases
        ],
    }
    parts += [_RULE, f"<!-- releaser:{json.dumps(data, separators=(',', ':'))} -->", ""]
    return "\n".join(parts)


def _require(cond: bool, why: str) -> None:
    if not cond:
        raise MarkerError(why)


def _trailing_marker(text: str) -> tuple[str, list[str]]:
    """The JSON of the one marker releaser wrote (the last non-blank line, after a "---" line)
    and the lines before that rule. A marker-like string anywhere else is content."""
    lines = text.rstrip().split("\n")
    match = _MARKER.fullmatch(lines[-1].strip())
    if match is None:
        raise MarkerError("the PR body does not end with a releaser marker")
    rest = lines[:-1]
    while rest and not rest[-1].strip():
        rest.pop()
    _require(bool(rest) and rest[-1].strip() == _RULE, "the releaser marker lost its '---' line")
    return match.group(1), rest[:-1]


def _blocks(lines: list[str], tags: list[str]) -> dict[str, str]:
    """Each tag's notes: the lines between its begin and end lines, whole lines only, the
    blocks in the order the marker lists the tags. Anything else is content, not structure."""
    out: dict[str, str] = {}
    pos = 0
    for tag in tags:
        begin, end = _begin(tag), _end(tag)
        start = next((i for i in range(pos, len(lines)) if lines[i].strip() == begin), None)
        if start is None:
            raise MarkerError(f"the notes block for {tag} is missing")
        stop = next((i for i in range(start + 1, len(lines)) if lines[i].strip() == end), None)
        if stop is None:
            raise MarkerError(f"the notes block for {tag} has no end line")
        out[tag] = "\n".join(lines[start + 1 : stop])
        pos = stop + 1
    return out


def parse_body(body: str | None) -> Marker:
    """Read back what a release PR will release, with the notes as they stand in the body."""
    text = (body or "").replace("\r\n", "\n")
    _require(bool(text.strip()), "the PR body has no releaser marker")
    found, lines = _trailing_marker(text)
    try:
        data = bounded_json.loads(found, **bounded_json.MARKER)
    except ValueError:
        raise MarkerError("the releaser marker is not valid JSON") from None
    _require(isinstance(data, dict), "the releaser marker is not a JSON object")
    _require(data.get("v") == MARKER_VERSION, f"unknown marker version {data.get('v')!r}")
    for key in ("target", "base", "plan"):
        _require(isinstance(data.get(key), str) and data[key], f"marker field '{key}' is missing")
    _require(re.fullmatch(r"[0-9a-f]{40}", data["base"]) is not None, "marker 'base' is no SHA")
    raw = data.get("releases")
    _require(isinstance(raw, list) and bool(raw), "marker lists no releases")
    releases = []
    for index, item in enumerate(raw):
        _require(isinstance(item, dict), f"marker release {index} is not an object")
        for key in ("component", "path", "version", "tag"):
            _require(isinstance(item.get(key), str), f"marker release {index}: '{key}' missing")
        _require(parse_version(item["version"]) is not None, f"'{item['version']}' is no SemVer")
        _require(item["tag"].endswith(item["version"]), f"tag {item['tag']} does not match")
        previous = item.get("previous_tag")
        _require(previous is None or isinstance(previous, str), "bad previous_tag")
        generated = item.get("generated", "")
        _require(isinstance(generated, str), "bad generated")
        digest = item.get("manifest_sha256", "")
        _require(
            digest == ""
            or (isinstance(digest, str) and re.fullmatch(r"[0-9a-f]{64}", digest) is not None),
            f"marker release {index}: 'manifest_sha256' is no sha256",
        )
    tags = [item["tag"] for item in raw]
    _require(len(set(tags)) == len(tags), "the marker lists a tag twice")
    notes = _blocks(lines, tags)
    for item in raw:
        releases.append(
            PlannedRelease(
                item["component"],
                item["path"],
                item["version"],
                item["tag"],
                item.get("previous_tag"),
                notes[item["tag"]].strip("\n") + "\n",
                item.get("generated", ""),
                item.get("manifest_sha256", ""),
            )
        )
    return Marker(data["target"], data["base"], data["plan"], tuple(releases))


def _model_sections(
    models: Mapping[str, ModelResult] | None, compact: bool
) -> dict[str, list[str]]:
    """tag -> the body lines of each model release's tables (none: no model module loaded)."""
    if not models:
        return {}
    from releaser.domain.model_tables import body_section

    return {tag: body_section(tag, result, compact) for tag, result in models.items()}
