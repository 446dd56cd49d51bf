"""Conventional Commits parsing, including GitHub squash bodies, footers and reverts."""

from __future__ import annotations

import pytest

from releaser.domain.commits import RawCommit, SquashBullets, parse_commit

SHA = "a" * 40


def parse(message: str, bullets: SquashBullets = SquashBullets.AUTO, parents=("p",)):
    return parse_commit(RawCommit(SHA, message, tuple(parents)), bullets)


def summary(message: str, bullets: SquashBullets = SquashBullets.AUTO):
    return [(e.type, e.scope, e.breaking, e.subject) for e in parse(message, bullets).entries]


@pytest.mark.parametrize(
    "message, expected",
    [
        ("feat: add x", [("feat", None, False, "add x")]),
        ("feat(api): add x", [("feat", "api", False, "add x")]),
        ("feat(api)!: drop x", [("feat", "api", True, "drop x")]),
        ("feat!: drop x", [("feat", None, True, "drop x")]),
        ("Feat: upper-case type", [("feat", None, False, "upper-case type")]),
        ("FIX(Core): shout", [("fix", "Core", False, "shout")]),
        ("fix: x\n\nBREAKING CHANGE: gone", [("fix", None, True, "x")]),
        ("fix: x\n\nBREAKING-CHANGE: gone", [("fix", None, True, "x")]),
        ("fix: x\n\nbreaking change: lower case is not the token", [("fix", None, False, "x")]),
        ("fix: x\n\nBreaking-Change: mixed case is not the token", [("fix", None, False, "x")]),
        ("update readme", [(None, None, False, "update readme")]),
        ("feat:", [(None, None, False, "feat:")]),
        ("feat: ", [(None, None, False, "feat:")]),
        ("feat:no space", [(None, None, False, "feat:no space")]),
        ("", [(None, None, False, "")]),
        ("fix: trailing spaces   \n\nbody   ", [("fix", None, False, "trailing spaces")]),
        ("fix: crlf\r\n\r\nBREAKING CHANGE: windows\r\n", [("fix", None, True, "crlf")]),
        ("feat: emoji 🚀 support", [("feat", None, False, "emoji 🚀 support")]),
        ("feat(): empty scope", [("feat", None, False, "empty scope")]),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_header_forms(message, expected):
    assert summary(message) == expected


def test_breaking_note_text_is_the_footer_value_with_continuation_lines():
    parsed = parse("feat: x\n\nBREAKING CHANGE: the flag\nis removed\nRefs: #4")
    entry = parsed.entries[0]
    assert entry.breaking_notes == ("the flag\nis removed",)
    assert entry.issues == (("refs", 4),)


def test_bang_without_footer_uses_description_as_note():
    assert parse("feat!: drop node 14").entries[0].breaking_notes == ("drop node 14",)


@pytest.mark.parametrize(
    "footer, expected",
    [
        ("Refs: #12", (("refs", 12),)),
        ("Refs #12", (("refs", 12),)),
        ("Fixes #7", (("fixes", 7),)),
        ("fixes: #7, #8", (("fixes", 7), ("fixes", 8))),
        ("Closes #3", (("closes", 3),)),
        ("Reviewed-by: Z", ()),
    ],
)
def test_issue_footers(footer, expected):
    assert parse(f"fix: x\n\nsome body\n\n{footer}").entries[0].issues == expected


SQUASH_FIX_WITH_ABANDONED_BREAKING = """fix: handle empty input (#42)

* feat!: rewrite the parser

* fix: handle empty input

* revert the rewrite
"""


@pytest.mark.parametrize(
    "bullets, expected",
    [
        (SquashBullets.AUTO, [("fix", None, False, "handle empty input (#42)")]),
        (SquashBullets.NEVER, [("fix", None, False, "handle empty input (#42)")]),
        (
            SquashBullets.ALWAYS,
            [
                ("fix", None, False, "handle empty input (#42)"),
                ("feat", None, True, "rewrite the parser"),
                ("fix", None, False, "handle empty input"),
            ],
        ),
    ],
    ids=["auto", "never", "always"],
)
def test_squash_bullets_under_conventional_title(bullets, expected):
    assert summary(SQUASH_FIX_WITH_ABANDONED_BREAKING, bullets) == expected


NON_CONVENTIONAL_SQUASH = """Parser improvements (#43)

* feat(parser): accept tabs

* fix: off-by-one

* wip
"""


def test_bullets_count_under_a_non_conventional_title_in_auto():
    assert summary(NON_CONVENTIONAL_SQUASH) == [
        ("feat", "parser", False, "accept tabs"),
        ("fix", None, False, "off-by-one"),
    ]


def test_bullets_never_count_when_never_even_without_conventional_title():
    assert summary(NON_CONVENTIONAL_SQUASH, SquashBullets.NEVER) == [
        (None, None, False, "Parser improvements (#43)")
    ]


def test_breaking_footer_in_body_makes_title_breaking_whatever_bullets_setting():
    message = "fix: small thing (#9)\n\n* fix: small thing\n\nBREAKING CHANGE: config moved\n"
    for setting in (SquashBullets.AUTO, SquashBullets.NEVER):
        entries = parse(message, setting).entries
        assert [e.breaking for e in entries] == [True]


def test_release_as_in_squash_body_counts():
    assert parse("chore: prep (#1)\n\n* chore: x\n\nRelease-As: 3.0.0").release_as == "3.0.0"
    assert parse("chore: prep\n\nrelease-as: 3.1.0").release_as == "3.1.0"


def test_conventional_paragraphs_always_count():
    message = "feat: first thing\n\nfix(io): second thing\n\ndocs: third thing\n"
    for setting in SquashBullets:
        assert summary(message, setting) == [
            ("feat", None, False, "first thing"),
            ("fix", "io", False, "second thing"),
            ("docs", None, False, "third thing"),
        ]


def test_prose_paragraph_with_colon_is_not_a_commit():
    assert summary("fix: a\n\nNote: this is prose, not a commit\n") == [("fix", None, False, "a")]


@pytest.mark.parametrize(
    "message, parents",
    [
        ("Merge pull request #12 from acme/feature\n\nfeat: add thing", ("a", "b")),
        ("Merge branch 'main' into topic", ("a",)),
        ("Merge branch 'main' into topic", ("a", "b")),
        ("Merge remote-tracking branch 'origin/main'", ("a", "b")),
        ("Integrate the topic branch\n\n* feat: from the branch", ("a", "b")),
    ],
    ids=["github-merge-pr", "merge-branch-one-parent", "merge-branch", "remote-tracking", "prose"],
)
def test_structural_merge_commits_create_no_entries(message, parents):
    parsed = parse(message, parents=parents)
    assert parsed.is_merge and parsed.entries == ()


@pytest.mark.parametrize(
    "message, expected",
    [
        ("feat: add sso login (#31)", [("feat", None, False, "add sso login (#31)")]),
        ("fix(api)!: drop v1 (#32)\n\nPR body", [("fix", "api", True, "drop v1 (#32)")]),
        (
            "feat: sso (#33)\n\nBREAKING CHANGE: sessions end at upgrade",
            [("feat", None, True, "sso (#33)")],
        ),
    ],
    ids=["pr-title-merge", "pr-title-merge-bang", "pr-title-merge-breaking-footer"],
)
def test_merge_commit_with_a_conventional_header_counts(message, expected):
    parsed = parse(message, parents=("a", "b"))
    assert not parsed.is_merge
    assert summary_of(parsed) == expected


def summary_of(parsed):
    return [(e.type, e.scope, e.breaking, e.subject) for e in parsed.entries]


@pytest.mark.parametrize(
    "message, breaking, notes",
    [
        ("fix: x\n\nBREAKING CHANGE #123", False, ()),
        ("fix: x\n\nBREAKING-CHANGE #123", False, ()),
        ("fix: x\n\nBREAKING CHANGE: #123 is gone", True, ("#123 is gone",)),
        ("fix: x\n\nBREAKING CHANGE #123\nRefs: #4", False, ()),
    ],
    ids=["hash-separator", "hyphen-hash-separator", "colon-with-hash-value", "then-refs"],
)
def test_breaking_change_footer_needs_colon_and_space(message, breaking, notes):
    entry = parse(message).entries[0]
    assert (entry.breaking, entry.breaking_notes) == (breaking, notes)


@pytest.mark.parametrize(
    "body, breaking, notes",
    [
        (
            "Rework the flag handling.\nPiperOrigin-RevId: 612\nBREAKING CHANGE: the flag is gone",
            True,
            ("the flag is gone",),
        ),
        (
            "Rework the flag handling.\nBREAKING CHANGE: the flag is gone",
            True,
            ("the flag is gone",),
        ),
        (
            "Intro.\n\nMore text\nBREAKING CHANGE: old\n\nSigned-off-by: A <a@example.com>",
            False,
            (),
        ),
        ("Intro.\nBREAKING CHANGE: first\nmore of it", True, ("first\nmore of it",)),
    ],
    ids=[
        "trailers-after-body-text",
        "breaking-right-after-body-text",
        "not-in-the-last-paragraph",
        "continuation-line",
    ],
)
def test_trailer_block_directly_after_body_text(body, breaking, notes):
    entry = parse(f"feat: rework\n\n{body}\n").entries[0]
    assert (entry.breaking, entry.breaking_notes) == (breaking, notes)


@pytest.mark.parametrize(
    "body, issues",
    [
        ("Some prose about it.\nFixes #12", (("fixes", 12),)),
        ("Some prose about it.\nCloses #7\n\nSigned-off-by: A <a@example.com>", (("closes", 7),)),
        ("Some prose.\nFixes: acme/widget#3", (("fixes", "acme/widget#3"),)),
        ("Fix: the typo in the intro\nmore prose\n\nSigned-off-by: A", ()),
    ],
    ids=["last-paragraph", "middle-paragraph", "other-repo", "no-issue-named"],
)
def test_issue_footer_after_a_non_footer_line_is_linked(body, issues):
    assert parse(f"fix: x\n\n{body}\n").entries[0].issues == issues


@pytest.mark.parametrize(
    "message, expected",
    [
        ("docs: a\ndocs: b", ["a", "b"]),
        ("docs: a\n\ndocs: b\ndocs: c", ["a", "b", "c"]),
        ("fix: a\nfeat(api): b\nchore: c", ["a", "b", "c"]),
        ("fix: a\n\nSome prose\nfeat: not after a header", ["a"]),
    ],
    ids=["title-then-header", "paragraph-of-headers", "three-lines", "after-prose-is-prose"],
)
def test_header_lines_without_blank_lines_between_are_separate_entries(message, expected):
    assert [e.subject for e in parse(message).entries] == expected


@pytest.mark.parametrize(
    "message, shas",
    [
        ("revert: let us never speak of it\n\nRefs: 676104e, a215868\n", ("676104e", "a215868")),
        (
            "revert(api): undo\n\nRefs: 0123456789ABCDEF0123456789abcdef01234567",
            ("0123456789abcdef0123456789abcdef01234567",),
        ),
        ("revert: undo\n\nRefs: #12", ()),
        ("fix: not a revert\n\nRefs: 676104e", ()),
    ],
    ids=["faq-two-shas", "full-sha-scope", "issue-not-sha", "not-a-revert"],
)
def test_revert_with_refs_footer_names_what_it_reverts(message, shas):
    assert parse(message).reverts_shas == shas


def test_git_default_revert_message():
    sha = "b" * 40
    parsed = parse(f'Revert "feat: add x"\n\nThis reverts commit {sha}.\n')
    assert parsed.reverts_shas == (sha,)
    assert parsed.reverts_header == "feat: add x"
    assert [(e.type, e.subject) for e in parsed.entries] == [("revert", "feat: add x")]


def test_conventional_revert_with_sha_line():
    parsed = parse("revert: add x\n\nThis reverts commit 1234567.\n")
    assert parsed.reverts_shas == ("1234567",)
    assert parsed.entries[0].type == "revert"


def test_megabyte_message_parses():
    body = ("lorem ipsum dolor sit amet " * 40 + "\n") * 1000
    parsed = parse("feat: big\n\n" + body + "\nBREAKING CHANGE: huge")
    assert parsed.entries[0].breaking
    assert len(body) > 1_000_000


def test_non_utf8_replacement_characters_do_not_crash():
    assert summary("fix: caf\ufffd") == [("fix", None, False, "caf\ufffd")]
