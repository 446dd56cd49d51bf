"""Offline verification of downloaded release evidence (`releaser verify PATH... [--repo]`)."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path
from typing import Any

import jsonschema

from releaser.bounded import EVIDENCE, MARKER, load_json
from releaser.domain import bounded_json
from releaser.domain.evidence_intoto import (
    STATEMENT_TYPE,
    SUMS_NAME,
    footer_marker,
    intoto_name,
    normalized,
    notes_digest,
    notes_footer,
    notes_without_footer,
    parse_sums,
    render_intoto,
    with_footer,
)
from releaser.domain.evidence_json import (
    EVIDENCE_JSON,
    EVIDENCE_MD,
    canonical,
    evidence_document,
    facts_from_document,
)
from releaser.domain.evidence_md import render_markdown
from releaser.errors import GitError, VerificationError
from releaser.evidence.blame import digest_mismatch, evidence_schema
from releaser.evidence.verify_model import check_model
from releaser.git import GitRepo, NotARepository


def _fail(file: str, field: str, expected: object, found: object) -> VerificationError:
    return VerificationError(f"{file}: {field}: expected {expected}, found {found}")


def _shown(value: object) -> str:
    if value is _ABSENT:
        return "(nothing)"
    text = canonical(value).decode()
    return text if len(text) <= 120 else text[:117] + "..."


_ABSENT = object()


def _clip(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _first_difference(expected: object, found: object, path: str) -> tuple[str, object, object]:
    """The JSON path of the first place (in document order) where two JSON values differ."""
    if isinstance(expected, dict) and isinstance(found, dict):
        for key in [*expected, *(k for k in found if k not in expected)]:
            want, got = expected.get(key, _ABSENT), found.get(key, _ABSENT)
            where = f"{path}.{key}" if path else key
            if want is _ABSENT or got is _ABSENT:
                return where, want, got
            if canonical(want) != canonical(got):
                return _first_difference(want, got, where)
    elif isinstance(expected, list) and isinstance(found, list):
        for index in range(max(len(expected), len(found))):
            want = expected[index] if index < len(expected) else _ABSENT
            got = found[index] if index < len(found) else _ABSENT
            if want is _ABSENT or got is _ABSENT:
                return f"{path}[{index}]", want, got
            if canonical(want) != canonical(got):
                return _first_difference(want, got, f"{path}[{index}]")
    return path or "(root)", expected, found


def _check_computed(doc: dict[str, Any]) -> None:
    """Every computed field (policies, approvals, outcomes, test result, rollback, URLs) must be
    what the facts in the same document give: a forger cannot flip a result and re-render."""
    expected = evidence_document(facts_from_document(doc))
    if canonical(expected) != canonical(doc):
        where, want, got = _first_difference(expected, doc, "")
        raise _fail(EVIDENCE_JSON, where, _shown(want), _shown(got))


def _collect(paths: list[Path]) -> dict[str, Path]:
    files: dict[str, Path] = {}
    for path in paths:
        members = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
        for member in members:
            if not member.is_file():
                raise VerificationError(f"{member}: not a file")
            if member.name in files:
                raise VerificationError(f"{member.name}: given twice ({files[member.name]})")
            files[member.name] = member
    return files


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _check_sums(files: dict[str, bytes], notes: dict[str, str]) -> dict[str, str]:
    if SUMS_NAME not in files:
        raise VerificationError(f"{SUMS_NAME}: missing from the given files")
    try:
        listed = parse_sums(files[SUMS_NAME].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise VerificationError(f"{SUMS_NAME}: format: {exc}") from None
    for name, digest in listed.items():
        if name not in files:
            raise _fail(SUMS_NAME, name, "the file to be present", "no such file")
        if _sha256(files[name]) != digest:
            raise digest_mismatch(name, digest, files, notes)
    for name in sorted(files):
        if name != SUMS_NAME and name not in notes and name not in listed:
            raise _fail(name, "listed in SHA256SUMS", "yes", "no")
    return listed


def _load_evidence(files: dict[str, bytes]) -> dict[str, Any]:
    if EVIDENCE_JSON not in files:
        raise VerificationError(f"{EVIDENCE_JSON}: missing from the given files")
    raw = files[EVIDENCE_JSON]
    doc = load_json(raw, EVIDENCE_JSON, EVIDENCE, VerificationError)
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(evidence_schema()).iter_errors(doc)
    )
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        found = " ".join(error.message.split())  # it may quote a large value
        raise _fail(EVIDENCE_JSON, where, "schema-valid value", _clip(found))
    if canonical(doc) != raw:
        raise _fail(EVIDENCE_JSON, "encoding", "RFC 8785 canonical bytes", "other bytes")
    _check_computed(doc)
    return doc


def _check_statements(
    name: str, raw: bytes, doc: dict[str, Any], files: dict[str, bytes]
) -> list[dict[str, Any]]:
    commit = doc["source"]["commit"]
    lines = raw.split(b"\n")
    if lines[-1] != b"":
        raise _fail(name, "format", "newline-terminated lines", "no final newline")
    out = []
    for number, line in enumerate(lines[:-1], start=1):
        where = f"statement {number}"
        try:
            statement = bounded_json.loads(
                line, max_bytes=EVIDENCE.max_bytes, max_depth=EVIDENCE.max_depth
            )
        except bounded_json.LimitError as exc:
            raise VerificationError(f"{name}: {where}: {exc.message}") from None
        except ValueError:
            raise _fail(name, where, "one JSON object per line", "invalid JSON") from None
        if not isinstance(statement, dict) or canonical(statement) != line:
            raise _fail(name, where, "RFC 8785 canonical JSON object", "other bytes")
        if statement.get("_type") != STATEMENT_TYPE:
            raise _fail(name, f"{where}: _type", STATEMENT_TYPE, statement.get("_type"))
        for subject in statement.get("subject", []):
            digest = subject.get("digest", {})
            label = f"{where}: subject {subject.get('name')}"
            if "gitCommit" in digest:
                if digest["gitCommit"] != commit:
                    raise _fail(name, f"{label}: gitCommit", commit, digest["gitCommit"])
            elif subject.get("name") not in files:
                raise _fail(name, label, "the file to be present", "no such file")
            elif _sha256(files[subject["name"]]) != digest.get("sha256"):
                actual = _sha256(files[subject["name"]])
                raise _fail(name, f"{label}: sha256", digest.get("sha256"), actual)
        out.append(statement)
    return out


def _check_agreement(
    doc: dict[str, Any], files: dict[str, bytes], intoto: str, notes: dict[str, str]
) -> int:
    """Re-render the Markdown and the statements from the JSON; they must match byte for byte."""
    facts = facts_from_document(doc)
    if intoto != intoto_name(facts):
        raise _fail(intoto, "name", intoto_name(facts), intoto)
    for item in doc["artifacts"] + doc["sboms"]:
        if item["name"] not in files:
            raise _fail(EVIDENCE_JSON, item["name"], "the file to be present", "no such file")
        actual = _sha256(files[item["name"]])
        if actual != item["sha256"]:
            raise _fail(item["name"], "sha256 (in release-evidence.json)", item["sha256"], actual)
        if len(files[item["name"]]) != item["size"]:
            raise _fail(item["name"], "size", item["size"], len(files[item["name"]]))
    if EVIDENCE_MD not in files:
        raise VerificationError(f"{EVIDENCE_MD}: missing from the given files")
    if render_markdown(facts).encode() != files[EVIDENCE_MD]:
        raise _fail(EVIDENCE_MD, "content", "the rendering of release-evidence.json", "other text")
    evidence_sha = _sha256(files[EVIDENCE_JSON])
    expected = render_intoto(facts, evidence_sha, _sha256(files[EVIDENCE_MD])).split(b"\n")
    present = files[intoto].split(b"\n")
    if len(expected) != len(present):
        raise _fail(intoto, "statements", len(expected) - 1, len(present) - 1)
    for number, (want, got) in enumerate(zip(expected, present, strict=True), start=1):
        if want != got:
            raise _fail(intoto, f"statement {number}", "the rendering of the evidence", "other")
    wanted = {"commit": doc["source"]["commit"], "evidence_sha256": evidence_sha}
    wanted["version"] = doc["source"]["version"]
    for note_name, marker in notes.items():
        try:
            found = bounded_json.loads(
                marker, max_bytes=MARKER.max_bytes, max_depth=MARKER.max_depth
            )
        except ValueError:  # invalid, or over a bound
            found = None
        if not isinstance(found, dict):
            raise _fail(note_name, "evidence marker", "a JSON object", "invalid JSON")
        for key, value in wanted.items():
            if found.get(key) != value:
                raise _fail(note_name, key, value, found.get(key))
    return len(expected) - 1


def _check_notes(doc: dict[str, Any], files: dict[str, bytes], names: list[str]) -> None:
    """A saved release body: its notes hash to what the evidence recorded, and its footer is
    exactly the one the evidence renders."""
    recorded = doc["source"]["notes_sha256"]
    footer = notes_footer(facts_from_document(doc), _sha256(files[EVIDENCE_JSON]))
    for name in names:
        body = files[name].decode("utf-8", errors="replace")
        notes = notes_without_footer(body)
        if recorded and notes_digest(notes) != recorded:
            found = notes_digest(notes)
            raise _fail(name, "notes sha256 (in release-evidence.json)", recorded, found)
        if normalized(body) != normalized(with_footer(notes, footer)):
            raise _fail(name, "evidence footer", "the rendering of release-evidence.json", "other")


def _open_clone(repo: Path) -> None:
    """Refuse a --repo that is no clone, saying what it is instead (before any other work)."""
    if not repo.is_dir():
        what = "is not a directory" if repo.exists() else "does not exist"
        raise VerificationError(f"--repo {repo} {what}")
    try:
        GitRepo(repo).state()
    except NotARepository:
        raise VerificationError(f"--repo {repo} is not a git repository") from None
    except GitError as error:  # e.g. git refuses a repository owned by another user
        raise VerificationError(error.message, error.hint) from None


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True)


def _tag_commit(repo: Path, tag: str) -> str | None:
    found = _git(repo, "rev-parse", "--verify", "--quiet", f"refs/tags/{tag}^{{commit}}")
    return found.stdout.strip() if found.returncode == 0 else None


def _check_repo(repo: Path, doc: dict[str, Any]) -> None:
    """The evidence against a clone: tags, tree, ancestry, and that the commit list is complete."""
    src = doc["source"]
    tag, commit, previous = src["tag"], src["commit"], src["previous"]
    releases = [(tag, commit)] + ([(previous["tag"], previous["sha"])] if previous else [])
    for name, sha in releases:
        found = _tag_commit(repo, name)
        if found != sha:
            raise _fail(f"{repo}", f"tag {name}", sha, found or "no such tag")
    tree = _git(repo, "rev-parse", "--verify", "--quiet", f"{commit}^{{tree}}").stdout.strip()
    if tree != src["tree"]:
        raise _fail(f"{repo}", f"tree of {commit[:12]}", src["tree"], tree or "none")
    listed = [c["sha"] for c in src["commits"]]
    ancestors = listed + ([previous["sha"]] if previous else [])
    for sha in ancestors:
        result = _git(repo, "merge-base", "--is-ancestor", sha, commit)
        if result.returncode == 1:
            raise _fail(f"{repo}", f"commit {sha}", f"an ancestor of {commit[:12]}", "not one")
        if result.returncode != 0:
            raise _fail(f"{repo}", f"commit {sha}", "present in the clone", "missing")
    spec = f"{previous['sha']}..{commit}" if previous else commit
    result = _git(repo, "rev-list", spec)
    if result.returncode != 0:
        raise _fail(f"{repo}", f"git rev-list {spec}", "a commit list", result.stderr.strip())
    in_range = result.stdout.split()
    label = f"{previous['tag']}..{commit[:12]}" if previous else f"the history of {commit[:12]}"
    members = set(in_range)
    for index, sha in enumerate(listed):
        if sha in listed[:index]:
            raise _fail(f"{repo}", f"commit {sha}", "listed once", "listed twice")
        if sha not in members:
            raise _fail(f"{repo}", f"commit {sha}", f"in {label}", "outside it")
    # A component's commits are those touching its path, which the evidence does not record:
    # only a root release can be checked for commits left out.
    if src["component"] == "":
        recorded = set(listed)
        for sha in in_range:
            if sha not in recorded:
                raise _fail(
                    f"{repo}", f"commit {sha}", f"listed in {EVIDENCE_JSON} ({label})", "not listed"
                )


def verify(paths: list[Path], repo: Path | None = None) -> str:
    """Check downloaded assets (files or directories) offline; raise VerificationError or
    return a report: a `verified:` line, then what was checked, what was not, and warnings."""
    if repo is not None:
        _open_clone(repo)
    found = _collect(paths)
    files = {name: path.read_bytes() for name, path in found.items()}
    notes: dict[str, str] = {}
    for name, data in files.items():
        # A saved copy of the release notes is not an asset; it is recognised by its marker.
        if name.endswith(".md") and name != EVIDENCE_MD:
            marker = footer_marker(data.decode("utf-8", errors="replace"))
            if marker is not None:
                notes[name] = marker
    listed = _check_sums(files, notes)
    doc = _load_evidence(files)
    intoto = [n for n in listed if n.endswith(".intoto.jsonl")]
    if len(intoto) != 1:
        raise _fail(SUMS_NAME, "in-toto files", "exactly one *.intoto.jsonl", len(intoto))
    _check_statements(intoto[0], files[intoto[0]], doc, files)
    count = _check_agreement(doc, files, intoto[0], notes)
    model_line = check_model(doc, files)  # model-manifest.json and the model statement
    _check_notes(doc, files, sorted(notes))
    if repo is not None:
        _check_repo(repo, doc)
    policy = ", ".join(f"{p['name']} {p['status']}" for p in doc["policies"])
    extra = f", notes {', '.join(sorted(notes))}" if notes else ""
    src = doc["source"]
    prs = len(doc["changes"]["pull_requests"])
    head = (
        f"verified: {src['tag']} {src['commit'][:12]} — {len(listed) + 1} files,"
        f" {count} statements, {prs} PRs; {policy}{extra}"
    )
    report = _report(doc, sorted(notes), intoto[0], repo)
    return "\n".join([head, *([model_line] if model_line else []), *report])


def _report(doc: dict[str, Any], notes: list[str], intoto: str, repo: Path | None) -> list[str]:
    """What `verified` rests on, what it does not cover, and a warning where the assets could
    have been replaced."""
    src = doc["source"]
    checked = [
        f"every file's SHA-256 against {SUMS_NAME}, every listed file present",
        f"{EVIDENCE_JSON}: schema, canonical encoding, and every computed result (policies,"
        " approvals, check outcomes, rollback) recomputed from its facts",
        f"{EVIDENCE_MD} and {intoto} re-rendered from {EVIDENCE_JSON}, byte for byte;"
        " statement subjects' digests",
        "artifacts and SBOMs: sizes and digests as recorded",
    ]
    if notes:
        checked.append(f"release notes ({', '.join(notes)}): notes digest and evidence footer")
    not_checked = [
        "who produced these files: they are not signed (signing comes in a later version of"
        " releaser); anyone who can replace the release's assets can forge a consistent set",
        "GitHub-side facts (reviews, reviewers' access, checks, settings) are as GitHub"
        " reported them to the publishing run; verify does not ask GitHub again",
    ]
    if repo is not None:
        tags = src["tag"] + (f" and {src['previous']['tag']}" if src["previous"] else "")
        scope = "complete commit list" if src["component"] == "" else "listed commits"
        checked.append(f"git ({repo}): tags {tags}, tree, ancestry, {scope}")
    else:
        not_checked.append("git: tags, tree and commits (give --repo with a clone)")
    lines = ["checked:", *(f"  - {c}" for c in checked)]
    lines += ["not checked:", *(f"  - {c}" for c in not_checked)]
    immutable = doc["settings"]["immutable_releases"]
    if immutable is not True:
        state = "were off" if immutable is False else "were not known to be on"
        lines.append(
            f"warning: immutable releases {state} when {src['tag']} was published: its assets"
            " could have been replaced since"
        )
    return lines
