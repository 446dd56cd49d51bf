"""Hostile commit messages: inputs that made a regex or a loop super-linear parse correctly.

These are guards, not timings: each input is large enough that a quadratic (or worse) path
takes minutes to hours, while the linear one takes a fraction of a second.
"""

from __future__ import annotations

import pytest

from releaser.domain.commits import RawCommit, parse_commit, parse_commit_full
from releaser.domain.markdown import escape_inline
from tests.gitutil import plan_json

SHA = "a" * 40
BLANKS = 200_000


def parsers():
    return pytest.mark.parametrize("parse", [parse_commit, parse_commit_full], ids=["fast", "full"])


def summary(parse, message: str):
    commit = parse(RawCommit(SHA, message, ("p",)))
    return [(e.type, e.scope, e.breaking, e.subject) for e in commit.entries]


@parsers()
@pytest.mark.parametrize("blank", [" ", "\t", " \t ", "\x0c"], ids=repr)
def test_runs_of_whitespace_lines_before_a_colon(parse, blank):
    message = "fix: x\n" + f"{blank}\n" * BLANKS + "a: b"
    assert summary(parse, message) == [("fix", None, False, "x")]


@parsers()
def test_runs_of_whitespace_lines_before_a_unit_header(parse):
    message = "fix: x\n" + " \n" * BLANKS + "feat: y"
    assert summary(parse, message) == [("fix", None, False, "x"), ("feat", None, False, "y")]


@parsers()
def test_a_long_footer_keeps_every_continuation_line(parse):
    lines = 2_000_000  # joined one by one, this took minutes
    message = "fix: x\n\nBREAKING CHANGE: y\n" + "a\n" * lines
    (entry,) = parse(RawCommit(SHA, message, ("p",))).entries
    assert entry.breaking and entry.breaking_notes == ("y\n" + "\n".join(["a"] * lines),)


@pytest.mark.parametrize("run", [200_000, 199_999])
def test_a_subject_of_backticks_is_literal(run):
    assert escape_inline("`" * run) == "\\`" * run


def test_many_backtick_runs_without_partners_are_literal():
    # runs of lengths 1, 2, 3, ... each with no partner: a naive forward search is quadratic
    text = " ".join("`" * n for n in range(1, 600))
    assert escape_inline(text) == " ".join("\\`" * n for n in range(1, 600))


def test_megabyte_hostile_message_plans(repo):
    repo.commit("fix: base")
    repo.tag("v1.0.0")
    body = " \n" * 150_000 + "a: b\n" + "`" * 100_000 + "\n" + "\t\n" * 150_000 + "c: d\n"
    repo.commit("feat: hostile " + "`" * 200_000 + "\n\n" + body + "Refs: #5\n" + "x\n" * 50_000)
    (release,) = plan_json(repo.path)["releases"]
    assert (release["version"], release["bump"]) == ("1.1.0", "minor")
    (commit,) = release["commits"]
    assert commit["type"] == "feat" and commit["subject"] == "hostile " + "`" * 200_000
    assert "hostile " + "\\`" * 200_000 in release["notes"]
