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
        ("feat: merged via a custom title", ("a", "b")),
    ],
)
def test_merge_commits_create_no_entries(message, parents):
    parsed = parse(message, parents=parents)
    assert parsed.is_merge and parsed.entries == ()


def test_git_default_revert_message():
    sha = "b" * 40
    parsed = parse(f'Revert "feat: add x"\n\nThis reverts commit {sha}.\n')
    assert parsed.reverts_sha == sha
    assert parsed.reverts_header == "feat: add x"
    assert [(e.type, e.subject) for e in parsed.entries] == [("revert", "feat: add x")]


def test_conventional_revert_with_sha_line():
    parsed = parse("revert: add x\n\nThis reverts commit 1234567.\n")
    assert parsed.reverts_sha == "1234567"
    assert parsed.entries[0].type == "revert"


def test_megabyte_message_parses():
    body = ("lorem ipsum dolor sit amet " * 40 + "\n") * 1000
    parsed = parse("feat: big\n\n" + body + "\nBREAKING CHANGE: huge")
    assert parsed.entries[0].breaking
    assert len(body) > 1_000_000


def test_non_utf8_replacement_characters_do_not_crash():
    assert summary("fix: caf\ufffd") == [("fix", None, False, "caf\ufffd")]
