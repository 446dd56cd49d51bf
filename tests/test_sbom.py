"""SBOMs: supplied CycloneDX/SPDX files are checked; the generated one is valid and stable."""

from __future__ import annotations

import json

import pytest

from releaser.domain.evidence import Artifact
from releaser.errors import EvidenceError
from releaser.evidence.sbom import cyclonedx_problem, generate_sbom, validate_sbom

ARTS = (Artifact("demo-1.0.0.tar.gz", 10, "a" * 64), Artifact("demo.whl", 5, "b" * 64))
SPDX = {
    "spdxVersion": "SPDX-2.3",
    "SPDXID": "SPDXRef-DOCUMENT",
    "name": "demo",
    "dataLicense": "CC0-1.0",
    "documentNamespace": "https://example.com/spdx/demo-1.0.0",
    "creationInfo": {"created": "2025-01-01T00:00:00Z", "creators": ["Tool: x"]},
    "packages": [],
}


def _gen(**over):
    args = dict(
        name="demo",
        version="1.0.0",
        repository_url="https://github.com/acme/demo",
        commit="c" * 40,
        artifacts=ARTS,
        time="2025-03-04T05:06:07Z",
    )
    args.update(over)
    return generate_sbom(**args)


def test_generated_sbom_is_deterministic_and_valid_cyclonedx_1_6():
    first, second = _gen(), _gen(artifacts=tuple(reversed(ARTS)))
    assert first == second
    assert cyclonedx_problem(first.decode(), "1.6") is None
    doc = json.loads(first)
    assert doc["specVersion"] == "1.6" and doc["metadata"]["timestamp"].startswith("2025-03-04")
    hashes = {c["name"]: c["hashes"][0]["content"] for c in doc["components"]}
    assert hashes == {"demo-1.0.0.tar.gz": "a" * 64, "demo.whl": "b" * 64}
    assert _gen(commit="d" * 40) != first  # serial number follows the inputs


def test_validate_supplied_sboms(tmp_path):
    cdx = tmp_path / "demo.cdx.json"
    cdx.write_bytes(_gen())
    assert validate_sbom(cdx).format == "cyclonedx"
    spdx = tmp_path / "demo.spdx.json"
    spdx.write_text(json.dumps(SPDX))
    result = validate_sbom(spdx)
    assert (result.format, result.generated, result.size) == ("spdx", False, spdx.stat().st_size)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param("not json", "is not valid JSON", id="not-json"),
        pytest.param("[]", "expected a JSON object", id="array"),
        pytest.param('{"name": "x"}', "neither CycloneDX", id="unknown"),
        pytest.param('{"bomFormat": "CycloneDX", "specVersion": "9.9"}', "unsupported", id="ver"),
        pytest.param(
            '{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": "x"}',
            "invalid cyclonedx",
            id="cdx-schema",
        ),
        pytest.param(json.dumps({**SPDX, "spdxVersion": "SPDX-3.0"}), "SPDX-2.x", id="spdx-3"),
        pytest.param(
            json.dumps({k: v for k, v in SPDX.items() if k != "creationInfo"}),
            "missing creationInfo",
            id="spdx-missing",
        ),
    ],
)
def test_invalid_sboms_are_errors(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(EvidenceError, match=message):
        validate_sbom(path)


def test_sbom_size_cap(tmp_path):
    path = tmp_path / "big.json"
    path.write_bytes(_gen())
    with pytest.raises(EvidenceError, match="over the 100-byte limit"):
        validate_sbom(path, max_bytes=100)
