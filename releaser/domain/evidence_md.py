"""release-evidence.md: a human summary of the evidence, safe to render on GitHub.

Every user-supplied string goes through `md_text` (the one escaping module, markdown.py), so
titles and names never become HTML, comments, links, table breaks or @mentions, and control
and bidi characters show as U+FFFD; the file stays readable as plain text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from releaser.domain.evidence import (
    EvidenceFacts,
    approvers_of_head,
    junit_outcome,
    policies,
    reviewer_standings,
    rollback,
)
from releaser.domain.markdown import escape_readable


def md_text(value: str) -> str:
    """Untrusted text for a Markdown table cell or paragraph: safe, and readable raw."""
    return escape_readable(value)


def _code(value: str) -> str:
    """Inline code for values we control the alphabet of (shas, digests, commands)."""
    return f"`{value.replace('`', '')}`"


def _link(label: str, url: str) -> str:
    # Only http(s) URLs become links; anything else is shown as text. A label's brackets are
    # escaped so that it closes where releaser closes it.
    if re.fullmatch(r"https?://[^\s<>()\[\]]+", url):
        label = re.sub(r"(?<!\\)((?:\\\\)*)([\[\]])", r"\1\\\2", label)
        return f"[{label}](<{url}>)"
    return label


_IMMUTABLE = {
    True: "on (GitHub keeps these assets from being replaced)",
    False: "**off** (these assets could be replaced after publishing)",
    None: "**unknown** (the token could not read the setting)",
}


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines + [""]


def render_markdown(facts: EvidenceFacts) -> str:
    results = {p.name: p for p in policies(facts)}
    approved = sum(1 for pr in facts.pull_requests if approvers_of_head(pr))
    total_tests = sum(t.tests for t in facts.tests)
    failed_tests = sum(t.failures + t.errors for t in facts.tests)
    title = f"{md_text(facts.name)} {md_text(facts.version)}"
    out = [
        f"# Release evidence: {title}",
        "",
        f"- **Commit:** {_code(facts.sha)} (tag {_code(facts.tag)},"
        f" repository {_link(md_text(facts.repository), facts.repository_url)})",
        f"- **Changes:** {len(facts.pull_requests)} pull request(s), {approved} approved at head,"
        f" {len(facts.direct_pushes)} direct push(es)",
        f"- **Second-person review:** {results['second-person-review'].status}",
        f"- **Checks:** {results['required-checks-passed'].status}"
        f" — {md_text(results['required-checks-passed'].detail)}",
        f"- **Tests:** {junit_outcome(facts)} — {total_tests} test(s), {failed_tests} failed,"
        f" {len(facts.rejected_tests)} file(s) rejected",
        f"- **Built by:** {_link('workflow run', facts.run.run_url)} at {md_text(facts.run.time)}",
        f"- **Immutable releases:** {_IMMUTABLE[facts.immutable_releases]}",
        "",
    ]
    if facts.previous and facts.compare_url:
        out += [f"Compare: {_link(md_text(facts.previous.tag), facts.compare_url)}", ""]
    if facts.model is not None:
        from releaser.domain.model_evidence_md import render_model_section  # models only

        out += render_model_section(facts.model)
    out += _pr_section(facts) + _checks_section(facts) + _tests_section(facts)
    out += _files_section(facts) + _notes_section(facts) + _rollback_section(facts)
    return "\n".join(out).rstrip("\n") + "\n"


def _pr_section(facts: EvidenceFacts) -> list[str]:
    out = ["## Pull requests", ""]
    if not facts.pull_requests:
        out += ["None.", ""]
    rows = []
    for pr in facts.pull_requests:
        approvers = approvers_of_head(pr)
        reviewers = [f"{md_text(who)} ({what})" for who, what in reviewer_standings(pr)]
        rows.append(
            (
                _link(f"\\#{pr.number}", pr.url),
                md_text(pr.title),
                md_text(pr.author),
                ", ".join(reviewers) or "—",
                ", ".join(md_text(a) for a in approvers) or "**none**",
                md_text(pr.merged_by),
            )
        )
    if rows:
        header = ("PR", "Title", "Author", "Reviewers", "Approved at head", "Merged by")
        out += _table(header, rows)
    if facts.direct_pushes:
        out += ["Direct pushes (no pull request): " + ", ".join(map(_code, facts.direct_pushes))]
        out += [""]
    return out


def _checks_section(facts: EvidenceFacts) -> list[str]:
    out = ["## Checks on the release commit", ""]
    if facts.required_checks:
        out += ["Required: " + ", ".join(md_text(r.label) for r in facts.required_checks), ""]
    if not facts.checks:
        return out + ["None reported.", ""]
    rows = [
        (
            _link(md_text(c.name), c.url),
            c.kind.replace("_", " "),
            md_text(c.source or "—"),
            md_text(c.status),
            md_text(c.conclusion or "—"),
            c.outcome,
        )
        for c in facts.checks
    ]
    return out + _table(("Check", "Kind", "Source", "Status", "Conclusion", "Outcome"), rows)


def _tests_section(facts: EvidenceFacts) -> list[str]:
    out = ["## Tests", ""]
    if not facts.tests and not facts.rejected_tests:
        return out + ["No test results were supplied.", ""]
    rows = [
        (
            md_text(t.file),
            str(t.tests),
            str(t.failures),
            str(t.errors),
            str(t.skipped),
            f"{t.time:.3f}s",
        )
        for t in facts.tests
    ]
    if rows:
        out += _table(("File", "Tests", "Failures", "Errors", "Skipped", "Time"), rows)
    failed = [name for t in facts.tests for name in t.failed]
    if failed:
        out += ["Failed: " + ", ".join(md_text(n) for n in failed), ""]
    for note in facts.rejected_tests:
        out += [f"- Rejected {md_text(note.item)}: {md_text(note.reason)}"]
    return out + ([""] if facts.rejected_tests else [])


def _files_section(facts: EvidenceFacts) -> list[str]:
    out = ["## Artifacts", ""]
    rows: list[tuple[str, ...]] = [
        (md_text(a.name), str(a.size), _code(a.sha256)) for a in facts.artifacts
    ]
    rows += [
        (md_text(s.name), str(s.size), _code(s.sha256))
        + ((f"SBOM ({s.format}, {'generated' if s.generated else 'supplied'})"),)
        for s in facts.sboms
    ]
    rows = [r if len(r) == 4 else r + ("artifact",) for r in rows]
    if not rows:
        return out + ["None.", ""]
    return out + _table(("Name", "Size", "SHA-256", "Kind"), rows)


def _notes_section(facts: EvidenceFacts) -> list[str]:
    if not facts.skipped and not facts.warnings:
        return []
    out = ["## Skipped and warnings", ""]
    for label, notes in (("Skipped", facts.skipped), ("Warning", facts.warnings)):
        out += [f"- {label}: {md_text(n.item)} — {md_text(n.reason)}" for n in notes]
    return out + [""]


def _rollback_section(facts: EvidenceFacts) -> list[str]:
    plan = rollback(facts)
    out = ["## Rollback", ""]
    if plan.previous is None:
        out += [
            "No earlier release is known; this is the first release."
            " The commands below withdraw it as a pre-release.",
            "",
        ]
    else:
        prev = plan.previous
        label = _link(md_text(prev.tag), prev.url or "")
        out += [
            f"Previous known-good release: {label} at {_code(prev.sha)}.",
            "",
            f"In a clone: a branch from {_code(facts.tag)} gets the whole tree of"
            f" {_code(prev.tag)} (files added since are removed) in one new commit, which works"
            " across merge commits; merge it through a pull request. The last command marks"
            " this release a pre-release.",
            "",
        ]
    return out + ["```sh", *plan.commands, "```"]
