"""Evidence model: computed approvals and policies, schema, goldens, Markdown safety, purity."""

from __future__ import annotations

import ast
import json
import os
import re
from dataclasses import replace
from importlib import resources
from pathlib import Path

import cmarkgfm
import jsonschema
import pytest
from cmarkgfm.cmark import Options

from releaser.domain.evidence import (
    Check,
    PullRequest,
    RequiredCheck,
    Review,
    approval_covers_head,
    approvers_of_head,
    junit_outcome,
    needs_permission_lookup,
    required_checks_passed,
    reviewer_standings,
    rollback,
    second_person_review,
)
from releaser.domain.evidence_intoto import intoto_name, notes_footer, render_intoto
from releaser.domain.evidence_json import evidence_document, evidence_json, facts_from_document
from releaser.domain.evidence_md import md_text, render_markdown
from tests.test_evidence_support import HEAD_1, OLD_2, facts
from tests.test_markdown_mentions import linked_mentions

GOLDEN = Path(__file__).parent / "golden" / "evidence"
ROOT = Path(__file__).parent.parent


def pr(author="ada", head=HEAD_1, reviews=(), number=7):
    url = f"https://github.com/acme/demo/pull/{number}"
    return PullRequest(number, "t", author, url, "grace", "2025-01-01T00:00:00Z", head, reviews)


def rv(who, state, at, commit=HEAD_1, **kw):
    kw.setdefault("association", "MEMBER")
    return Review(who, state, f"2025-01-0{at}T00:00:00Z", commit, **kw)


@pytest.mark.parametrize(
    ("reviews", "approvers"),
    [
        pytest.param((), (), id="no-reviews"),
        pytest.param((rv("grace", "APPROVED", 1),), ("grace",), id="approved-at-head"),
        pytest.param((rv("ada", "APPROVED", 1),), (), id="self-approval"),
        pytest.param((rv("ADA", "APPROVED", 1),), (), id="self-approval-other-case"),
        pytest.param((rv("grace", "APPROVED", 1, OLD_2),), (), id="approval-on-old-commit"),
        pytest.param(
            (rv("grace", "APPROVED", 1), rv("grace", "CHANGES_REQUESTED", 2)),
            (),
            id="changes-requested-after-approval",
        ),
        pytest.param(
            (rv("grace", "CHANGES_REQUESTED", 1), rv("grace", "APPROVED", 2)),
            ("grace",),
            id="approval-after-changes-requested",
        ),
        pytest.param(
            (rv("grace", "APPROVED", 1), rv("grace", "COMMENTED", 2)),
            ("grace",),
            id="comment-does-not-supersede",
        ),
        pytest.param((rv("grace", "APPROVED", 1), rv("grace", "DISMISSED", 2)), (), id="dismissed"),
        pytest.param(
            (rv("grace", "APPROVED", 2), rv("grace", "CHANGES_REQUESTED", 1)),
            ("grace",),
            id="ordered-by-submitted-at-not-list-order",
        ),
        pytest.param(
            (rv("grace", "APPROVED", 1), rv("bob", "CHANGES_REQUESTED", 2)),
            ("grace",),
            id="other-reviewer-blocking-does-not-cancel",
        ),
        pytest.param(
            (rv("grace", "APPROVED", 1, OLD_2), rv("grace", "APPROVED", 2)),
            ("grace",),
            id="re-approved-after-push",
        ),
    ],
)
def test_approvers_of_head(reviews, approvers):
    subject = pr(reviews=reviews)
    assert approvers_of_head(subject) == approvers
    assert approval_covers_head(subject) is bool(approvers)


OK = pr(reviews=(rv("grace", "APPROVED", 1),), number=1)
SELF = pr(reviews=(rv("ada", "APPROVED", 1),), number=2)


@pytest.mark.parametrize(
    ("prs", "pushes", "status", "offending"),
    [
        pytest.param((OK,), (), "pass", (), id="all-approved"),
        pytest.param((OK, SELF), (), "fail", ("#2",), id="one-self-approved"),
        pytest.param((OK,), ("9" * 40,), "fail", ("9" * 40,), id="direct-push"),
        pytest.param((), (), "pass", (), id="no-changes"),
    ],
)
def test_second_person_review(prs, pushes, status, offending):
    result = second_person_review(replace(facts(), pull_requests=prs, direct_pushes=pushes))
    assert (result.status, result.offending) == (status, offending)


def ck(name, status="completed", conclusion="success", kind="check_run", source="ci"):
    return Check(name, kind, status, conclusion, "https://ci.example/" + name, source)


@pytest.mark.parametrize(
    ("checks", "required", "status", "offending"),
    [
        pytest.param((ck("a"), ck("b", conclusion="neutral")), (), "pass", (), id="all-pass"),
        pytest.param((ck("a"), ck("b", conclusion="failure")), (), "fail", ("b",), id="fail"),
        pytest.param((ck("a"), ck("b", "in_progress", None)), (), "pending", ("b",), id="pending"),
        pytest.param((ck("a"), ck("b", conclusion="failure")), ("a",), "pass", (), id="only-req"),
        pytest.param((ck("a"),), ("a", "c"), "pending", ("c",), id="required-missing"),
        pytest.param((), (), "fail", (), id="nothing-reported"),
        pytest.param(
            (ck("a"), ck("a", conclusion="error", kind="status")),
            ("a",),
            "fail",
            ("a",),
            id="same-name-worst-wins",
        ),
        pytest.param(
            (ck("s", "pending", None, "status"),), (), "pending", ("s",), id="pending-status"
        ),
        pytest.param((ck("a", conclusion="cancelled"),), (), "fail", ("a",), id="cancelled"),
    ],
)
def test_required_checks_passed(checks, required, status, offending):
    required = tuple(RequiredCheck(n) for n in required)
    result = required_checks_passed(replace(facts(), checks=checks, required_checks=required))
    assert (result.status, result.offending) == (status, offending)


def test_junit_outcome_never_claims_a_pass_without_results():
    base = facts()
    assert junit_outcome(base) == "FAILED"
    assert junit_outcome(replace(base, tests=(), rejected_tests=())) == "WARNED"
    clean = replace(base.tests[0], failures=0, failed=())
    assert junit_outcome(replace(base, tests=(clean,), rejected_tests=())) == "PASSED"
    assert junit_outcome(replace(base, tests=(clean,))) == "WARNED"


@pytest.mark.parametrize(
    "counts",
    [pytest.param((0,), id="one empty file"), pytest.param((0, 0), id="two empty files")],
)
def test_junit_outcome_with_no_test_run_is_warned(counts):
    base = facts()
    empty = tuple(
        replace(base.tests[0], file=f"empty-{i}.xml", tests=n, failures=0, errors=0, failed=())
        for i, n in enumerate(counts)
    )
    assert junit_outcome(replace(base, tests=empty, rejected_tests=())) == "WARNED"


def test_rollback_commands_name_the_previous_release():
    plan = rollback(facts())
    assert "git checkout -B rollback-to-v1.3.2 v1.4.0" in plan.commands
    assert "git restore --source=v1.3.2 --staged --worktree -- :/" in plan.commands
    assert not any("git revert" in c for c in plan.commands)  # stops at merge commits
    assert rollback(replace(facts(), previous=None)).previous is None


def _schema():
    path = resources.files("releaser").joinpath("schemas/release-evidence-v1.json")
    return json.loads(path.read_text())


def test_document_validates_and_schema_is_strict():
    validator = jsonschema.Draft202012Validator(_schema())
    jsonschema.Draft202012Validator.check_schema(_schema())
    doc = evidence_document(facts())
    validator.validate(doc)
    doc["source"]["surprise"] = 1
    assert not validator.is_valid(doc)
    doc = evidence_document(facts())
    doc["changes"]["pull_requests"][0]["reviews"][0]["extra"] = True
    assert not validator.is_valid(doc)


def test_every_object_in_the_schema_is_closed():
    def walk(node, path):
        if isinstance(node, dict):
            if node.get("type") == "object":
                assert node.get("additionalProperties") is False, path
            for key, value in node.items():
                walk(value, f"{path}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{path}/{i}")

    walk(_schema(), "#")


def test_json_is_canonical_and_round_trips():
    data = evidence_json(facts())
    assert (
        data
        == json.dumps(
            json.loads(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()
    )
    assert facts_from_document(json.loads(data)) == facts()


def _golden(name: str, data: bytes) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_bytes(data)
    assert path.exists(), f"missing golden {path}; run with UPDATE_GOLDEN=1"
    assert data == path.read_bytes(), f"{name} differs from golden; UPDATE_GOLDEN=1 to review"


def test_golden_outputs():
    f = facts()
    ev = evidence_json(f)
    md = render_markdown(f).encode()
    _golden("release-evidence.json", ev)
    _golden("release-evidence.md", md)
    _golden(intoto_name(f), render_intoto(f, "4" * 64, "5" * 64))
    _golden("notes-footer.md", notes_footer(f, "4" * 64).encode())


def test_statements_shape():
    lines = render_intoto(facts(), "4" * 64, "5" * 64).decode().splitlines()
    statements = [json.loads(line) for line in lines]
    assert [s["predicateType"] for s in statements] == [
        "https://slsa.dev/provenance/v1",
        "https://in-toto.io/attestation/test-result/v0.1",
        "https://releaser.dev/attestation/change-history/v1",
    ]
    names = [s["name"] for s in statements[0]["subject"]]
    assert "release-evidence.json" in names and "release-evidence.md" in names
    assert statements[0]["subject"][-1] == {
        "name": "git+https://github.com/acme/demo@v1.4.0",
        "digest": {"gitCommit": facts().sha},
    }
    provenance = statements[0]["predicate"]
    assert provenance["runDetails"]["builder"]["id"].startswith("https://github.com/acme/demo/")
    assert statements[1]["predicate"]["result"] == "FAILED"
    assert statements[1]["predicate"]["failedTests"] == ["pkg.test_mod.test_bad"]


HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "hi @octocat and @acme/team",
    "mail me: someone@example.com",
    "[click](javascript:alert(1))",
    "![x](https://evil.example/x.png)",
    "a | b | c",
    "`code` **bold** _em_ ~~strike~~",
    "line one\n\n# heading\n- item",
    "&lt;script&gt; &amp;",
    "<!-- comment --> <https://evil.example>",
    "https://evil.example/auto www.evil.example",
]


def _html(markdown: str) -> str:
    return cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)


@pytest.mark.parametrize("text", HOSTILE)
def test_md_text_renders_as_plain_text(text):
    html = _html(f"| a |\n|---|\n| {md_text(text)} |\n\n{md_text(text)}\n")
    tags = set(re.findall(r"</?([a-zA-Z][a-zA-Z0-9]*)", html))
    # GFM links an e-mail address (mailto:, notifies no one); a mention shows as code.
    assert tags <= {"table", "thead", "tr", "th", "tbody", "td", "p", "code", "a"}, html
    assert all(h.startswith("mailto:") for h in re.findall(r'href="([^"]*)"', html)), html
    assert linked_mentions(f"{md_text(text)}\n") == []
    assert "<!--" not in html and "<!--" not in md_text(text) and "-->" not in md_text(text)


def test_rendered_evidence_markdown_has_no_injected_html():
    html = _html(render_markdown(facts()))
    assert "<script" not in html and "<b>" not in html and "<img" not in html
    assert 'href="javascript' not in html
    assert linked_mentions(render_markdown(facts())) == []
    hrefs = re.findall(r'href="([^"]+)"', html)
    assert hrefs and all(
        h.startswith("https://github.com/") or h.startswith("https://ci.example/") for h in hrefs
    ), hrefs


def test_domain_stays_pure():
    banned = {"subprocess", "github", "requests", "os", "socket", "urllib", "pathlib", "time"}
    for path in (ROOT / "releaser" / "domain").glob("evidence*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] not in banned, f"{path.name} imports {name}"
            if isinstance(node, ast.ImportFrom) and node.module.startswith("releaser"):
                assert node.module.startswith("releaser.domain"), f"{path.name}: {node.module}"
        assert "datetime.now" not in path.read_text()


@pytest.mark.parametrize(
    ("review", "counted"),
    [
        pytest.param(rv("dependabot[bot]", "APPROVED", 1, bot=True), False, id="bot"),
        pytest.param(
            rv("github-actions[bot]", "APPROVED", 1, bot=True, association="MEMBER"),
            False,
            id="bot-even-as-member",
        ),
        pytest.param(rv("grace", "APPROVED", 1, association="OWNER"), True, id="owner"),
        pytest.param(rv("grace", "APPROVED", 1, association="COLLABORATOR"), True, id="collab"),
        pytest.param(
            rv("eve", "APPROVED", 1, association="CONTRIBUTOR"), False, id="contributor-unknown"
        ),
        pytest.param(
            rv("eve", "APPROVED", 1, association="CONTRIBUTOR", permission="read"),
            False,
            id="contributor-read",
        ),
        pytest.param(
            rv("eve", "APPROVED", 1, association="NONE", permission="write"),
            True,
            id="private-member-with-write",
        ),
        pytest.param(
            rv("eve", "APPROVED", 1, association="MANNEQUIN", permission="admin"),
            True,
            id="looked-up-admin",
        ),
        pytest.param(rv("eve", "APPROVED", 1, association="MANNEQUIN"), False, id="mannequin"),
    ],
)
def test_only_human_writers_approvals_count(review, counted):
    subject = pr(reviews=(review,))
    assert approvers_of_head(subject) == ((review.reviewer,) if counted else ())
    result = second_person_review(replace(facts(), pull_requests=(subject,), direct_pushes=()))
    assert result.status == ("pass" if counted else "fail")


def test_a_pr_approved_only_by_github_actions_fails_second_person_review():
    bot = rv("github-actions[bot]", "APPROVED", 1, bot=True, association="NONE")
    subject = pr(reviews=(bot,))
    result = second_person_review(replace(facts(), pull_requests=(subject,), direct_pushes=()))
    assert (result.status, result.offending) == ("fail", ("#7",))


def test_permission_is_looked_up_only_for_ambiguous_human_approvals():
    assert needs_permission_lookup(rv("eve", "APPROVED", 1, association="CONTRIBUTOR"))
    assert needs_permission_lookup(rv("eve", "APPROVED", 1, association="NONE"))
    assert not needs_permission_lookup(rv("eve", "COMMENTED", 1, association="NONE"))
    assert not needs_permission_lookup(rv("grace", "APPROVED", 1, association="MEMBER"))
    assert not needs_permission_lookup(rv("x[bot]", "APPROVED", 1, bot=True, association="NONE"))


def test_reviewer_standings_say_what_each_review_was():
    subject = pr(
        reviews=(
            rv("carol", "COMMENTED", 1),
            rv("grace", "APPROVED", 2),
            rv("bob", "APPROVED", 3, OLD_2),
            rv("dan", "APPROVED", 1),
            rv("dan", "CHANGES_REQUESTED", 4),
            rv("ci[bot]", "APPROVED", 5, bot=True),
            rv("eve", "APPROVED", 6, association="CONTRIBUTOR", permission="read"),
            rv("ada", "APPROVED", 7),
        )
    )
    assert reviewer_standings(subject) == (
        ("ada", "approved at head, the author: not counted"),
        ("bob", "approved an older commit"),
        ("carol", "commented"),
        ("ci[bot]", "approved at head, a bot: not counted"),
        ("dan", "requested changes"),
        ("eve", "approved at head, no write access: not counted"),
        ("grace", "approved at head"),
    )
    md = render_markdown(replace(facts(), pull_requests=(subject,)))
    assert "carol (commented)" in md and "bob (approved an older commit)" in md
    assert "grace (approved at head)" in md


PINNED = (RequiredCheck("tests", "github-actions"),)


@pytest.mark.parametrize(
    ("checks", "status"),
    [
        pytest.param((ck("tests", source="github-actions"),), "pass", id="from-the-app"),
        pytest.param(
            (ck("tests", kind="status", source="mallory"),), "pending", id="spoofed-status"
        ),
        pytest.param((ck("tests", source="other-app"),), "pending", id="other-app"),
        pytest.param(
            (ck("tests", kind="status", source="github-actions[bot]"),),
            "pass",
            id="status-posted-by-the-app",
        ),
        pytest.param(
            (ck("tests", source="github-actions"), ck("tests", "completed", "failure", "status")),
            "pass",
            id="others-ignored",
        ),
    ],
)
def test_a_pinned_check_counts_only_its_app(checks, status):
    result = required_checks_passed(replace(facts(), checks=checks, required_checks=PINNED))
    assert result.status == status
    if status != "pass":
        assert result.offending == ("tests (app github-actions)",)


def test_a_plain_required_name_accepts_any_source():
    spoof = (ck("tests", kind="status", source="mallory"),)
    plain = (RequiredCheck("tests"),)
    result = required_checks_passed(replace(facts(), checks=spoof, required_checks=plain))
    assert result.status == "pass"


@pytest.mark.parametrize(
    "raw, shown",
    [
        ("feat(cli): add", "feat(cli): add"),
        ("github-actions[bot]", "github-actions[bot]"),
        ("2024-05-01T12:57:29Z", "2024-05-01T12:57:29Z"),
        ("snake_case_name and a-b", "snake_case_name and a-b"),
        ("a -> b, 3 < 4", "a -> b, 3 < 4"),
    ],
)
def test_md_text_stays_readable_raw(raw, shown):
    assert md_text(raw) == shown
    assert _html(md_text(raw)) == f"<p>{shown.replace('<', '&lt;').replace('>', '&gt;')}</p>\n"


def test_evidence_markdown_shows_controls_in_a_pr_title_as_replacement_characters():
    f = facts()
    pr = replace(f.pull_requests[0], title="fix: \u202eevil\u202c \x1b[31mred\x1b[0m \u2066x\u2069")
    md = render_markdown(replace(f, pull_requests=(pr, *f.pull_requests[1:])))
    assert "fix: \ufffdevil\ufffd \ufffd[31mred\ufffd[0m \ufffdx\ufffd" in md
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", md)


def test_footer_says_how_to_install_the_verifier_that_wrote_the_evidence():
    """`pip install releaser` installs another project; the footer names ours, pinned to the
    version recorded in the evidence, and pyproject.toml publishes under that name."""
    import tomllib

    from releaser.domain.evidence_intoto import VERIFIER_DISTRIBUTION

    f = replace(facts(), run=replace(facts().run, releaser_version="2.7.1"))
    lines = notes_footer(f, "4" * 64).splitlines()
    installs = [line for line in lines if line.startswith("pip install ")]
    assert installs == ["pip install releaser-evidence==2.7.1  # provides the releaser command"]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["name"] == VERIFIER_DISTRIBUTION
    assert project["scripts"]["releaser"] == "releaser.cli:main"
