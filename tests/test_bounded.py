"""Bounded YAML and JSON parsing: alias bombs, deep nesting and oversized input are one line."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from releaser import config as config_mod
from releaser.bounded import load_json, load_yaml
from releaser.domain import bounded_json
from releaser.domain.release_pr import MarkerError, parse_body
from releaser.domain.updaters import PackageJson, UpdateError
from releaser.errors import ConfigError, EvidenceError

ROOT = Path(__file__).resolve().parent.parent

# 9 anchors, each a list of 9 aliases of the one before: 9**9 "lol"s once expanded.
ALIAS_BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{b}: &{b} [{','.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True)
)
DEEP_FLOW = "[" * 100_000 + "]" * 100_000
DEEP_BLOCK = "- " * 100_000 + "x\n"  # compact block sequences, one inside the other
DEEP_JSON = "[" * 100_000 + "]" * 100_000


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "releaser.yml"
    path.write_text(text)
    return path


def test_alias_bomb_is_small():
    assert len(ALIAS_BOMB) < 500


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(ALIAS_BOMB, "limit of", id="alias-bomb"),
        pytest.param(
            "x: &x lol\ny: [" + ",".join(["*x"] * 51) + "]\n",
            "y.yml:2: more than the limit of 50 aliases",
            id="too-many-aliases",
        ),
        pytest.param(
            "x: &x " + "[" * 40 + "]" * 40 + "\ny: " + "[" * 30 + "*x" + "]" * 30 + "\n",
            "y.yml:2: nested deeper than the limit of 64 levels",
            id="alias-deeper-once-expanded",
        ),
        pytest.param(DEEP_FLOW, "y.yml:1: nested deeper than the limit of 64", id="deep-flow"),
        pytest.param(DEEP_BLOCK, "nested deeper than the limit of 64", id="deep-block"),
        pytest.param("a: &a [*a]\n", "y.yml:1: alias *a refers to itself", id="recursive"),
        pytest.param("a: " + "x" * (1024**2), "over the 1048576-byte limit", id="too-big"),
        pytest.param("a: 2024-13-45\n", "y.yml: invalid YAML value: month", id="bad-date"),
    ],
)
def test_load_yaml_refuses_in_one_line(text, message):
    start = time.monotonic()
    with pytest.raises(ConfigError) as caught:
        load_yaml(text, "y.yml")
    assert message in caught.value.one_line()
    assert "\n" not in caught.value.one_line() and len(caught.value.one_line()) < 200
    assert time.monotonic() - start < 5


def test_load_yaml_keeps_ordinary_anchors_and_line_numbers():
    text = "base: &base {a: 1}\nother:\n  <<: *base\n  b: 2\n"
    value, root = load_yaml(text, "y.yml")
    assert value == {"base": {"a": 1}, "other": {"a": 1, "b": 2}}
    assert root.value[1][1].start_mark.line == 2


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("initial-version: 2024-13-45\n", id="impossible-date"),
        pytest.param("pull-request-title: " + "[" * 2000 + "]" * 2000 + "\n", id="deep"),
    ],
)
def test_config_load_says_one_line_where_it_raised(tmp_path, text):
    # Before: RecursionError from the parser, or ValueError from the date constructor.
    with pytest.raises(ConfigError) as caught:
        config_mod.load(_config(tmp_path, text), tmp_path, explicit=True)
    assert str(tmp_path / "releaser.yml") in caught.value.one_line()


def test_memory_bounded_cli_refuses_the_alias_bomb(tmp_path):
    """Under a 1 GiB address-space limit, `releaser plan` on the bomb ends with one line (the
    unbounded loader rendered the expanded value into a schema error: a MemoryError)."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    config = _config(tmp_path, ALIAS_BOMB + "version-files: *i\n")
    code = (
        "import resource, sys; "
        "resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30)); "
        "from releaser.cli import main; "
        f"sys.exit(main(['plan', '--repo', {str(tmp_path)!r}, '--config', {str(config)!r}]))"
    )
    start = time.monotonic()
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert out.returncode == 2, out.stderr[-2000:]
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr
    assert f"{config}:" in out.stderr and "limit" in out.stderr
    assert time.monotonic() - start < 30


# --- JSON --------------------------------------------------------------------------------


def _reference_depth(value) -> int:
    if isinstance(value, dict):
        return 1 + max(map(_reference_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_reference_depth, value), default=0)
    return 0


@pytest.mark.parametrize(
    "text",
    [
        "1",
        "[]",
        '{"a": [1, {"b": []}]}',
        '["[[[[", "]]]", "{"]',
        '["\\\\", ["\\"[[["], "\\\\\\"]]"]',
        '{"k\\\\": {"\\"": [["x\\\\\\\\"]]}}',
        '["\\u005c", [["\\\\u0022["]]]',
        '{"é€😀": ["[", ["\\"", {"x": "\\\\"}]]}',
    ],
)
def test_nesting_skips_strings_and_escapes(text):
    assert bounded_json.nesting(text.encode()) == _reference_depth(json.loads(text))


def test_load_json_refuses_deep_input_with_its_line():
    text = '{"a":\n' + "[" * 200 + "]" * 200 + "}"
    with pytest.raises(EvidenceError, match=r"^x\.json:2: nested deeper than the limit of 64"):
        load_json(text, "x.json", bounded_json_limits(64))
    with pytest.raises(EvidenceError, match=r"^x\.json:1: nested deeper"):
        load_json(DEEP_JSON, "x.json", bounded_json_limits(64))
    assert load_json('{"a": "[[[[[[[[[["}', "x.json", bounded_json_limits(2)) == {"a": "[" * 10}


def bounded_json_limits(depth: int, size: int = 1024**2):
    from releaser.bounded import JsonLimits

    return JsonLimits(size, depth)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(b'"' + b"x" * 20_000 + b'"', "over the 10000-byte limit", id="size"),
        pytest.param(b'"\xff"', "not UTF-8", id="utf8"),
        pytest.param(b"1" * 5000, "is not valid JSON: Exceeds the limit", id="long-int"),
        pytest.param(b'{"a" 1}', "x.json:1 is not valid JSON: Expecting ':'", id="syntax"),
    ],
)
def test_load_json_other_refusals(data, message):
    with pytest.raises(EvidenceError, match=message):
        load_json(data, "x.json", bounded_json_limits(8, 10_000))


def test_deep_release_pr_marker_is_a_marker_error():
    body = "---\n<!-- releaser:{" + '"a":' + "[" * 50_000 + "]" * 50_000 + "} -->"
    with pytest.raises(MarkerError, match="not valid JSON"):
        parse_body(body)


def test_deep_package_json_is_an_update_error():
    text = '{"version": "1.0.0", "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(UpdateError, match="nested deeper"):
        PackageJson().update(text, "1.1.0")


def test_verify_cli_refuses_deep_evidence_in_one_line(tmp_path):
    evidence = ("[" * 100_000 + "]" * 100_000).encode()
    (tmp_path / "release-evidence.json").write_bytes(evidence)
    digest = hashlib.sha256(evidence).hexdigest()
    (tmp_path / "SHA256SUMS").write_text(f"{digest}  release-evidence.json\n")
    out = subprocess.run(
        [sys.executable, "-m", "releaser", "verify", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert out.returncode == 1
    assert out.stderr == (
        "releaser: error: release-evidence.json:1: nested deeper than the limit of 64 levels\n"
    )


# --- JUnit XML ---------------------------------------------------------------------------


def test_deep_junit_is_refused_quickly():
    from releaser.evidence import junit

    data = b"<testsuite>" + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</testsuite>"
    start = time.monotonic()
    note = junit.parse_junit_bytes(data, "deep.xml")
    assert note == junit.Note("deep.xml", "refused: nested deeper than the limit of 64 elements")
    assert time.monotonic() - start < 2


def test_junit_element_count_is_bounded(monkeypatch):
    from releaser.evidence import junit

    monkeypatch.setattr(junit, "MAX_ELEMENTS", 10)
    data = b"<testsuite>" + b"<testcase name='x'/>" * 10 + b"</testsuite>"
    note = junit.parse_junit_bytes(data, "wide.xml")
    assert note == junit.Note("wide.xml", "refused: more than the limit of 10 elements")
    monkeypatch.setattr(junit, "MAX_ELEMENTS", 11)
    assert junit.parse_junit_bytes(data, "wide.xml").tests == 10


def test_verify_refuses_a_deep_in_toto_line(tmp_path):
    from releaser.errors import VerificationError
    from releaser.evidence.verify import verify
    from tests.test_evidence_support import write_release

    write_release(tmp_path)
    (tmp_path / "demo-1.4.0.intoto.jsonl").write_text(DEEP_JSON + "\n")
    names = sorted(p.name for p in tmp_path.iterdir() if p.name not in ("SHA256SUMS", "notes.md"))
    sums = [f"{hashlib.sha256((tmp_path / n).read_bytes()).hexdigest()}  {n}\n" for n in names]
    (tmp_path / "SHA256SUMS").write_text("".join(sums))
    with pytest.raises(VerificationError) as caught:
        verify([tmp_path])
    assert caught.value.one_line() == (
        "demo-1.4.0.intoto.jsonl: statement 1: nested deeper than the limit of 64 levels"
    )


def test_verify_blame_reads_a_deep_file_within_bounds():
    from releaser.evidence.blame import _json

    assert _json(b"[" * 100_000 + b"]" * 100_000) is None  # not a RecursionError
    assert _json(b'{"a": 1}') == {"a": 1}


SAFE_LOADER_CORNERS = """\
base: &base {retries: 3, on: [push, pull_request]}
merged:
  <<: *base
  retries: 5
when: 2024-06-01
stamp: 2024-06-01T12:30:00Z
yes_is: yes
off_is: off
octal: 0o17
old_octal: 017
hex: 0x1F
float: 1.5e3
inf: .inf
nothing: ~
empty:
binary: !!binary aGVsbG8=
set: !!set {a, b}
ordered: !!omap [{a: 1}, {b: 2}]
folded: >
  one
  two
literal: |
  keep
   this
"""


def test_load_yaml_reads_what_the_pure_python_safe_loader_reads():
    """Composed by libyaml (CSafeLoader) for speed, read as yaml.safe_load reads it: the
    same constructor and resolver, so merge keys, dates, YAML 1.1 booleans and octals,
    tags and block scalars come out alike, and the node keeps each key's line."""
    import yaml

    value, root = load_yaml(SAFE_LOADER_CORNERS, "corners.yml")
    assert value == yaml.load(SAFE_LOADER_CORNERS, Loader=yaml.SafeLoader)
    lines = {key.value: key.start_mark.line + 1 for key, _ in root.value}
    assert lines["base"] == 1 and lines["stamp"] == 6 and lines["literal"] == 22


def test_load_yaml_refuses_python_tags_in_one_line():
    with pytest.raises(ConfigError) as refused:
        load_yaml("run: !!python/object/apply:os.system ['true']\n", "evil.yml")
    assert str(refused.value).startswith("evil.yml:1: invalid YAML: ")
    assert "\n" not in str(refused.value)
