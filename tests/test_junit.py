"""JUnit parsing: totals, failed names, and hostile or broken XML rejected with one-line reasons."""

from __future__ import annotations

import pytest

from releaser.domain.evidence import JUnitSummary, Note
from releaser.errors import EvidenceError
from releaser.evidence.junit import collect_junit, parse_junit_bytes

SUITES = b"""<?xml version="1.0" encoding="UTF-8"?>
<testsuites time="2.5">
  <testsuite name="a" tests="3" failures="1" errors="0" skipped="1" time="1.5">
    <testcase classname="pkg.mod" name="test_ok" time="0.5"/>
    <testcase classname="pkg.mod" name="test_bad" time="0.5"><failure message="boom"/></testcase>
    <testcase classname="pkg.mod" name="test_skip"><skipped/></testcase>
  </testsuite>
  <testsuite name="b" tests="1" time="1.0">
    <testcase name="bare" time="1.0"><error message="oops"/></testcase>
  </testsuite>
</testsuites>
"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<testsuite name="&lol4;" tests="1"><testcase name="x"/></testsuite>
"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE testsuite [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<testsuite name="x" tests="1"><testcase name="&secret;"/></testsuite>
"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE testsuite SYSTEM "http://127.0.0.1:9/evil.dtd">
<testsuite name="x" tests="1"><testcase name="a"/></testsuite>
"""


def test_totals_and_names_from_testsuites_root():
    result = parse_junit_bytes(SUITES, "r.xml")
    assert isinstance(result, JUnitSummary)
    assert (result.tests, result.failures, result.errors, result.skipped) == (4, 1, 1, 1)
    assert result.time == 2.5
    assert result.failed == ("pkg.mod.test_bad", "bare")
    assert result.passed == ("pkg.mod.test_ok",)
    assert len(result.sha256) == 64


def test_single_testsuite_root_and_passed_cap():
    cases = b"".join(b'<testcase classname="c" name="t%d" time="0.1"/>' % i for i in range(5))
    data = b'<testsuite name="s" time="0.5">' + cases + b"</testsuite>"
    result = parse_junit_bytes(data, "s.xml", max_passed=2)
    assert (result.tests, result.failures, result.time) == (5, 0, 0.5)
    assert result.passed == ("c.t0", "c.t1") and result.passed_truncated


def test_counts_only_file_uses_attributes():
    data = b'<testsuites><testsuite tests="7" failures="2" errors="1" skipped="3" time="4"/>'
    data += b"</testsuites>"
    result = parse_junit_bytes(data, "c.xml")
    assert (result.tests, result.failures, result.errors, result.skipped) == (7, 2, 1, 3)
    assert result.time == 4.0


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        pytest.param(BILLION_LAUGHS, "refused unsafe XML", id="billion-laughs"),
        pytest.param(XXE, "refused unsafe XML", id="xxe-file-entity"),
        pytest.param(EXTERNAL_DTD, "refused unsafe XML", id="external-dtd"),
        pytest.param(b"<testsuite><testcase></testsuite>", "not well-formed XML", id="malformed"),
        pytest.param(b"", "not well-formed XML", id="empty"),
        pytest.param(b"<html><body/></html>", "root element is <html>", id="wrong-root"),
    ],
)
def test_rejected_with_one_line_reason(data, reason):
    result = parse_junit_bytes(data, "bad.xml")
    assert isinstance(result, Note)
    assert result.item == "bad.xml" and reason in result.reason
    assert "\n" not in result.reason
    assert "root:" not in result.reason  # nothing from /etc/passwd leaks into the reason


def test_collect_from_globs_with_caps(tmp_path):
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "good.xml").write_bytes(SUITES)
    (reports / "bomb.xml").write_bytes(BILLION_LAUGHS)
    (reports / "huge.xml").write_bytes(b"<testsuite>" + b" " * 2048 + b"</testsuite>")
    results = collect_junit(tmp_path, ["reports/*.xml", "missing/*.xml"], max_bytes=1024)
    assert [s.file for s in results.summaries] == ["reports/good.xml"]
    assert {n.item for n in results.rejected} == {"reports/bomb.xml", "reports/huge.xml"}
    huge = next(n for n in results.rejected if n.item == "reports/huge.xml")
    assert "over the 1024-byte limit" in huge.reason
    assert [(w.item, w.reason) for w in results.warnings] == [("missing/*.xml", "matched no file")]
    with pytest.raises(EvidenceError, match="matched no file"):
        collect_junit(tmp_path, ["missing/*.xml"], fail_on_missing=True)
