"""JUnit XML -> test summaries via defusedxml; hostile or broken files are rejected, never fatal."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from releaser import paths
from releaser.domain.evidence import JUnitSummary, Note
from releaser.evidence.files import resolve_globs

DEFAULT_MAX_BYTES = 20 * 1024**2
DEFAULT_MAX_PASSED = 1000
# <testsuites> <testsuite> (nested suites) <testcase> <failure>: real reports nest a handful of
# levels. A tree costs ~300 bytes an element, so the count bounds memory as well as time.
MAX_DEPTH = 64
MAX_ELEMENTS = 1_000_000


class _OverLimit(Exception):
    pass


class _BoundedBuilder(TreeBuilder):
    """The tree builder, refusing to go deeper or grow larger than the limits."""

    def __init__(self, max_depth: int, max_elements: int) -> None:
        super().__init__()
        self.depth = 0
        self.elements = 0
        self.max_depth = max_depth
        self.max_elements = max_elements

    def start(self, tag, attrs):
        self.depth += 1
        self.elements += 1
        if self.depth > self.max_depth:
            raise _OverLimit(f"nested deeper than the limit of {self.max_depth} elements")
        if self.elements > self.max_elements:
            raise _OverLimit(f"more than the limit of {self.max_elements} elements")
        return super().start(tag, attrs)

    def end(self, tag):
        self.depth -= 1
        return super().end(tag)


def _parse(data: bytes, max_depth: int, max_elements: int) -> Element:
    # forbid_dtd refuses every DTD, which rules out entity expansion bombs and XXE at once.
    parser = DefusedXMLParser(
        target=_BoundedBuilder(max_depth, max_elements),
        forbid_dtd=True,
        forbid_entities=True,
        forbid_external=True,
    )
    parser.feed(data)
    return parser.close()


@dataclass(frozen=True, slots=True)
class JUnitResults:
    summaries: tuple[JUnitSummary, ...]
    rejected: tuple[Note, ...]
    warnings: tuple[Note, ...]


def _float(value: str | None) -> float:
    try:
        number = float(value or 0)
    except ValueError:
        return 0.0
    return number if number >= 0 and number != float("inf") else 0.0


def _int(value: str | None) -> int:
    try:
        return max(int(value or 0), 0)
    except ValueError:
        return 0


def _case_name(case: Element) -> str:
    name = case.get("name", "")
    classname = case.get("classname", "")
    return f"{classname}.{name}" if classname else name


def summarize(root: Element, file: str, sha256: str, max_passed: int) -> JUnitSummary:
    """Totals for a <testsuites> or <testsuite> root, counted from the test cases themselves."""
    # Only top-level suites: nested suites' counts and times are already in their parents.
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    cases = list(root.iter("testcase"))
    if cases:
        failed = [c for c in cases if c.find("failure") is not None]
        errored = [c for c in cases if c.find("error") is not None and c.find("failure") is None]
        skipped = [c for c in cases if c.find("skipped") is not None]
        bad = {id(c) for c in failed + errored}
        passed = [_case_name(c) for c in cases if id(c) not in bad and c.find("skipped") is None]
        tests, failures, errors, skips = len(cases), len(failed), len(errored), len(skipped)
        failed_names = tuple(_case_name(c) for c in failed + errored)
    else:
        # Some tools write only the counts; trust the outermost elements that carry them.
        top = [root] if root.get("tests") is not None else suites
        tests = sum(_int(s.get("tests")) for s in top)
        failures = sum(_int(s.get("failures")) for s in top)
        errors = sum(_int(s.get("errors")) for s in top)
        skips = sum(_int(s.get("skipped") or s.get("disabled")) for s in top)
        passed, failed_names = [], ()
    if root.get("time") is not None:
        time = _float(root.get("time"))
    elif suites and any(s.get("time") is not None for s in suites):
        time = sum(_float(s.get("time")) for s in suites)
    else:
        time = sum(_float(c.get("time")) for c in cases)
    return JUnitSummary(
        file=file,
        sha256=sha256,
        tests=tests,
        failures=failures,
        errors=errors,
        skipped=skips,
        time=round(time, 6),
        failed=failed_names,
        passed=tuple(passed[:max_passed]),
        passed_truncated=len(passed) > max_passed,
    )


def parse_junit_bytes(
    data: bytes, file: str, max_passed: int = DEFAULT_MAX_PASSED
) -> JUnitSummary | Note:
    """A summary, or a Note(file, one-line reason) when the file cannot be trusted or read."""
    try:
        root = _parse(data, MAX_DEPTH, MAX_ELEMENTS)
    except _OverLimit as exc:
        return Note(file, f"refused: {exc}")
    except DefusedXmlException as exc:
        kind = type(exc).__name__
        return Note(file, f"refused unsafe XML ({kind}): DTDs and entities are not allowed")
    except ParseError as exc:
        return Note(file, f"not well-formed XML: {exc}")
    if root.tag not in ("testsuites", "testsuite"):
        return Note(file, f"root element is <{root.tag}>, expected <testsuites> or <testsuite>")
    return summarize(root, file, hashlib.sha256(data).hexdigest(), max_passed)


def collect_junit(
    workspace: Path,
    patterns: Sequence[str],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_passed: int = DEFAULT_MAX_PASSED,
    fail_on_missing: bool = False,
) -> JUnitResults:
    resolved = resolve_globs(
        workspace, patterns, max_bytes=max_bytes, fail_on_missing=fail_on_missing
    )
    root = workspace.resolve()
    summaries: list[JUnitSummary] = []
    rejected = list(resolved.skipped)
    for path in resolved.files:
        shown = path.relative_to(root).as_posix()
        try:
            data = paths.read_bytes(root, path, max_bytes)
        except paths.PathRefused as exc:
            rejected.append(Note(shown, f"refused: {exc.reason}"))
            continue
        except OSError as exc:
            rejected.append(Note(shown, f"unreadable: {exc.strerror or exc}"))
            continue
        result = parse_junit_bytes(data, shown, max_passed)
        if isinstance(result, Note):
            rejected.append(result)
        else:
            summaries.append(result)
    return JUnitResults(tuple(summaries), tuple(rejected), resolved.warnings)
