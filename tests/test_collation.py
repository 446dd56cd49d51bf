"""sort_key orders text as JavaScript's localeCompare (ICU root), exactly for ASCII text."""

from __future__ import annotations

import json
import random
import shutil
import subprocess

import pytest

from releaser.domain.collation import sort_key

# Each list is in the order Node's `a.localeCompare(b)` gives (ICU root collation).
ORDERS = {
    "case-insensitive-first": ["Add `mode`", "add b", "Add IDLE"],
    "lower-case-first-on-a-tie": ["ab", "aB", "Ab", "AB"],
    "punctuation-order": [
        "_a",
        "-x",
        ",x",
        ";x",
        ":x",
        "!x",
        "?x",
        ".x",
        "'x",
        '"x',
        "(x)",
        "[x]",
        "{x",
        "}x",
        "@x",
        "**x**",
        "/x",
        "\\x",
        "&x",
        "#x",
        "%x",
        "`x",
        "^x",
        "+x",
        "<x",
        "=x",
        ">x",
        "|x",
        "~x",
        "$x",
        "10 things",
    ],
    "digits-are-not-numbers": ["10 things", "2 things", "a"],
    "space-before-punctuation-before-letters": ["a\tb", "a b", "a_b", "a-b", "a.b", "ab"],
    "scope-and-subject-together": ["api`add` y", "apiadd x", "clia", "cliZ"],
    "accents-after-case": ["eclair", "Eclair", "éclair", "naive", "Naive", "naïve", "Zeta"],
    "sharp-s-as-ss": ["strasse", "Strasse", "Straße"],
}


@pytest.mark.parametrize("expected", ORDERS.values(), ids=ORDERS.keys())
def test_order_matches_locale_compare(expected):
    shuffled = expected[::-1]
    assert sorted(shuffled, key=sort_key) == expected


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_random_ascii_order_matches_node():
    rng = random.Random(12)
    alphabet = "aAbBzZ09 _-.`*()#$~@"
    texts = sorted(
        {"".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6))) for _ in range(400)}
    )
    script = (
        "const l=JSON.parse(require('fs').readFileSync(0,'utf8'));"
        "console.log(JSON.stringify(l.sort((a,b)=>a.localeCompare(b))))"
    )
    done = subprocess.run(
        ["node", "-e", script], input=json.dumps(texts), capture_output=True, text=True, check=True
    )
    expected = json.loads(done.stdout)
    # Equal keys are ties in both; compare the keys' order, which a stable sort cannot hide.
    assert [sort_key(t) for t in expected] == sorted(sort_key(t) for t in texts)
