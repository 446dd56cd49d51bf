"""parse_commit's fast path gives exactly the full parse's result, on hits and misses alike."""

from __future__ import annotations

import random

import pytest

from releaser.domain.commits import (
    DEFAULT_TYPES,
    RawCommit,
    SquashBullets,
    _parse_fast,
    _unit_gate,
    parse_commit,
    parse_commit_full,
    parse_commits,
)

SHA = "b" * 40

HEADERS = [
    "feat: add x",
    "feat(api): add x",
    "fix(core)!: drop y",
    "Feat!: shout",
    "FIX(Core): upper",
    "feature: long form",
    "perf:  two spaces",
    "chore(deps): bump a from 1 to 2 (#12)",
    "feat:",
    "feat: ",
    "feat:no space",
    "feat(): empty scope",
    "update readme",
    "",
    "   ",
    "  feat: indented title",
    "\tfix: tab title",
    "\x0cfeat: form feed title",
    "Merge pull request #3 from a/b",
    "Merge branch 'main' into x",
    'Revert "feat: add x"',
    'Revert "feat: add x" (#9)',
    "revert: feat: add x",
    "Reverting things",
    "fix: emoji 🚀 <script>alert(1)</script> @someone",
    "custom: unknown type",
    "security: a configured type",
    "\u212aeep: kelvin sign type",
    "ſecurity: long s",
    "feat: trailing spaces   ",
    "docs(readme)!: breaking docs",
    "revert: undo the cache",
    "revert(api)!: undo the api",
    "feat: merged pull request title (#31)",
]

BODY_LINES = [
    "",
    "",
    "Some prose about the change.",
    "Add remove handle support parse render.",
    "  indented example: feat: not a commit",
    "    fix: indented code",
    "* feat: bullet feature",
    "* fix(api)!: bullet breaking",
    "- fix: dash bullet",
    "*   chore: many spaces",
    "* not a commit",
    "*feat: no space bullet",
    "feat: paragraph commit",
    "fix(core): another paragraph commit",
    "Feature!: paragraph breaking",
    "custom: unknown paragraph",
    "security: configured paragraph",
    "\x0cfeat: form feed paragraph",
    "\u3000fix: ideographic space paragraph",
    "\u212aeep: kelvin",
    "Refs: #12",
    "Refs #13",
    "refs: #1, #2",
    "Fixes #7",
    "fixed: #8",
    "Closes #3",
    "closed #4",
    "Resolves: #5",
    "References: #6",
    "Ref #77",
    "Release-As: 2.0.0",
    "release-as: v3.0.0",
    "Release-As: not-a-version",
    "BREAKING CHANGE: the flag is gone",
    "BREAKING-CHANGE: also gone",
    "breaking change: lower case",
    "Breaking-Change: mixed",
    "Signed-off-by: A <a@example.com>",
    "Co-authored-by: B <b@example.com>",
    "Reviewed-by: Z",
    "continuation of a footer #99",
    "This reverts commit 0123456789abcdef0123456789abcdef01234567.",
    "This reverts commit abcdef1.",
    "trailing spaces   ",
    "tab\tinside",
    "Refs:",
    "Refs: ",
    "fixes-foo: #5",
    "BREAKING CHANGE #123",
    "BREAKING-CHANGE #124",
    "PiperOrigin-RevId: 612345",
    "Refs: 676104e, a215868",
    "Fixes: acme/widget#3",
    "Fix: no issue named here",
    "docs: header right after another",
]


def messages(count: int, seed: int):
    rng = random.Random(seed)
    for _ in range(count):
        lines = [rng.choice(HEADERS)]
        for _ in range(rng.choice((0, 0, 1, 2, 3, 5, 8))):
            lines.append(rng.choice(BODY_LINES))
        if rng.random() < 0.2:
            lines.insert(0, rng.choice(("", " ", "\t", "\x1c")))
        sep = "\r\n" if rng.random() < 0.05 else "\n"
        text = sep.join(lines)
        if rng.random() < 0.5:
            text += "\n"
        yield text


TYPE_SETS = [DEFAULT_TYPES, DEFAULT_TYPES | {"security", "keep"}]


@pytest.mark.parametrize("bullets", list(SquashBullets), ids=lambda b: b.value)
@pytest.mark.parametrize("types", TYPE_SETS, ids=["default-types", "custom-types"])
def test_fast_path_equals_full_parse_on_generated_messages(bullets, types):
    hits = 0
    for index, message in enumerate(messages(4000, seed=len(types) * 7 + len(bullets.value))):
        parents = ("p", "q") if index % 13 == 0 else ("p",)
        raw = RawCommit(SHA, message, parents, "Author")
        assert parse_commit(raw, bullets, types) == parse_commit_full(raw, bullets, types), message
        hits += _parse_fast(raw, _unit_gate(types)) is not None
    assert 1000 < hits < 4000  # both paths are exercised


@pytest.mark.parametrize(
    "message",
    [
        "feat(api): add x\n",
        "fix: y\n\nAdd remove handle support parse render.\n",
        "fix: y\n\nSome prose.\n\nRefs: #12\n",
        "perf!: z\n\nBREAKING CHANGE: gone\n",
        "update readme\n\nSigned-off-by: A <a@example.com>\n",
        "Merge pull request #3 from a/b\n\n* feat: x\n",
    ],
)
def test_typical_messages_take_the_fast_path(message):
    raw = RawCommit(SHA, message, ("p",))
    assert _parse_fast(raw, _unit_gate(DEFAULT_TYPES)) == parse_commit_full(raw)


@pytest.mark.parametrize(
    "message",
    [
        "fix: y\n\n* feat: bullet\n",
        "fix: y\n\nfeat: paragraph\n",
        "Feat: y\n\n\x0cFIX: form-feed paragraph\n",
        'Revert "feat: x"\n\nThis reverts commit abcdef1.\n',
        "fix: crlf\r\n",
    ],
)
def test_messages_that_need_the_full_parse_miss_the_fast_path(message):
    assert _parse_fast(RawCommit(SHA, message, ("p",)), _unit_gate(DEFAULT_TYPES)) is None


def test_parse_commits_is_parse_commit_over_a_stream():
    raws = [RawCommit(SHA, m, ("p",)) for m in messages(300, seed=5)]
    for bullets in SquashBullets:
        expected = [parse_commit(r, bullets) for r in raws]
        assert list(parse_commits(iter(raws), bullets)) == expected
