"""A model release's assets: model-manifest.json, the model_signing statement, the model card
in the SBOM and the `model` section of the evidence, all covered by SHA256SUMS and verify."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from importlib import resources

import jsonschema
import pytest
from referencing import Registry, Resource

from releaser.cli import main
from releaser.domain.evidence_json import canonical, evidence_document
from releaser.domain.model import manifest_digest
from releaser.domain.model_evidence import MODEL_SIGNING_PREDICATE
from releaser.errors import VerificationError
from releaser.evidence.verify import verify
from releaser.models.release import digest_in_message, model_evidence
from tests.golden_util import check_golden
from tests.model_release_util import (
    CUSTOMERS,
    FILES,
    model_data,
    model_release,
    write_model_release,
)
from tests.test_evidence_support import facts
from tests.test_markdown_mentions import linked_mentions

STATEMENT = "churn-1.4.0.model.intoto.json"
SBOM = "churn-1.4.0.cdx.json"


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    root = tmp_path_factory.mktemp("model-release")
    full, _ = write_model_release(root / "assets", model_release(root / "model"))
    return root / "assets"


def _copy(release, tmp_path):
    target = tmp_path / "copy"
    shutil.copytree(release, target)
    return target


def _json(path):
    return json.loads(path.read_bytes())


def test_a_model_release_has_its_assets_listed_in_sums_and_verifies(release):
    sums = (release / "SHA256SUMS").read_text()
    for name in ("model-manifest.json", STATEMENT, SBOM):
        digest = hashlib.sha256((release / name).read_bytes()).hexdigest()
        assert f"{digest}  {name}\n" in sums
    report = verify([release])
    assert report.splitlines()[1] == (
        f"model churn: model-manifest.json, {STATEMENT} and release-evidence.json agree on"
        f" manifest sha256 {_json(release / 'model-manifest.json')['digests']['manifest_sha256']}"
        " (2 files)"
    )


def test_model_manifest_json_holds_every_digest_the_commit_and_the_baseline(release):
    doc = _json(release / "model-manifest.json")
    files = {f["path"]: f["sha256"] for f in doc["artifact"]["files"]}
    assert files == {p: hashlib.sha256(b).hexdigest() for p, b in FILES.items()}
    assert doc["digests"]["manifest_sha256"] == manifest_digest(files.items())
    assert doc["code_commit"] == facts().sha
    assert doc["baseline"] == {"tag": "churn@v1.3.0", "manifest_sha256": "ab" * 32}
    assert (doc["tag"], doc["version"]) == ("churn@v1.4.0", "1.4.0")
    assert set(doc["digests"]) >= {"interface_sha256", "hyperparameters_sha256"}


def test_the_model_statement_is_model_signing_v1_0(release):
    statement = _json(release / STATEMENT)
    manifest = _json(release / "model-manifest.json")["digests"]["manifest_sha256"]
    assert statement["_type"] == "https://in-toto.io/Statement/v1"
    assert statement["predicateType"] == MODEL_SIGNING_PREDICATE
    assert statement["subject"] == [{"name": "churn", "digest": {"sha256": manifest}}]
    predicate = statement["predicate"]
    assert predicate["serialization"] == {
        "method": "files",
        "hash_type": "sha256",
        "allow_symlinks": False,
    }
    # As model_signing verifies: the raw digests, in the order listed, hash to the subject.
    hasher = hashlib.sha256()
    for item in predicate["resources"]:
        assert item["algorithm"] == "sha256"
        hasher.update(bytes.fromhex(item["digest"]))
    assert hasher.hexdigest() == manifest
    assert [r["name"] for r in predicate["resources"]] == [
        "model.safetensors",
        "tokenizer/vocab.txt",
    ]


def test_the_evidence_json_carries_the_model_section_and_code_evidence_does_not(release):
    doc = _json(release / "release-evidence.json")
    model = doc["model"]
    assert (
        model["digests"]["manifest_sha256"]
        == _json(release / STATEMENT)["subject"][0]["digest"]["sha256"]
    )
    data = {d["name"]: d for d in model["lineage"]["data"]}
    assert data["customers"]["sha256"] == CUSTOMERS and "weak" not in data["customers"]
    assert data["events"]["weak"] is True and data["events"]["digests"][0]["algorithm"] == "md5"
    assert model["lineage"]["run"] == {
        "system": "mlflow",
        "id": "r-42",
        "url": "https://mlflow.example/r/42",
    }
    assert model["lineage"]["environment"]["frameworks"] == [
        {"name": "xgboost", "version": "2.0.3"}
    ]
    assert [g["assurance"] for g in model["gates"]] == ["declared", "declared"]
    assert model["gates_passed"] is True and "weak-digest" in model["flags"]
    assert model["changes"][0]["rule"] == "metric-improved"
    assert "model" not in evidence_document(facts())
    markdown = (release / "release-evidence.md").read_text()
    assert "md5 (weak) `a304afb96060aad90176268345e10355`" in markdown
    assert "| auc >= 0.85 | 0.91 | 0.85 | — | pass | declared |" in markdown


def _cyclonedx_validator():
    res = resources.files("cyclonedx.schema") / "_res"
    schemas = {
        name: json.loads((res / f"{name}.SNAPSHOT.schema.json").read_text())
        for name in ("bom-1.6", "spdx", "jsf-0.82")
    }
    base = "http://cyclonedx.org/schema/"
    # The bundled bom schema names its neighbours by their SNAPSHOT file names.
    registry = Registry().with_resources(
        (f"{base}{name}.SNAPSHOT.schema.json", Resource.from_contents(doc))
        for name, doc in schemas.items()
    )
    main_schema = schemas["bom-1.6"]
    cls = jsonschema.validators.validator_for(main_schema)
    return cls(main_schema, registry=registry, format_checker=cls.FORMAT_CHECKER)


def test_the_sbom_with_the_model_card_is_valid_cyclonedx_1_6(release):
    doc = _json(release / SBOM)
    errors = sorted(_cyclonedx_validator().iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:3]]
    components = {c["bom-ref"]: c for c in doc["components"]}
    model = components["model:churn@1.4.0"]
    assert model["type"] == "machine-learning-model"
    card = model["modelCard"]
    assert card["modelParameters"]["datasets"] == [
        {"ref": "data:customers@2024-06"},
        {"ref": "data:events@7"},
    ]
    metrics = card["quantitativeAnalysis"]["performanceMetrics"]
    assert metrics[0] == {
        "type": "auc",
        "value": "0.91",
        "slice": "dataset holdout",
        "confidenceInterval": {"lowerBound": "0.9", "upperBound": "0.92"},
    }
    assert metrics[1]["slice"] == "dataset holdout, tenure<12"
    assert card["considerations"] == {
        "useCases": ["Rank accounts by churn risk for retention offers"],
        "technicalLimitations": ["Trained on EU customers only"],
        "ethicalConsiderations": [{"name": "May under-serve new customers"}],
    }
    customers, events = components["data:customers@2024-06"], components["data:events@7"]
    assert customers["type"] == events["type"] == "data"
    assert customers["hashes"] == [{"alg": "SHA-256", "content": CUSTOMERS}]
    assert "hashes" not in events and "md5:" in events["properties"][0]["value"]
    deps = {d["ref"]: d.get("dependsOn", []) for d in doc["dependencies"]}
    assert "model:churn@1.4.0" in deps["churn@1.4.0"]
    assert deps["model:churn@1.4.0"] == ["data:customers@2024-06", "data:events@7"]


def test_the_validator_rejects_a_bad_model_card(release):
    doc = _json(release / SBOM)
    model = next(c for c in doc["components"] if c["type"] == "machine-learning-model")
    model["modelCard"]["quantitativeAnalysis"]["performanceMetrics"][0]["value"] = 0.91
    assert any(True for _ in _cyclonedx_validator().iter_errors(doc))


def _blamed(message: str) -> str:
    return re.match(r"[^\s:]+", message).group(0)


@pytest.mark.parametrize("name", ["model-manifest.json", STATEMENT])
@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_a_flipped_byte_in_a_model_file_fails_naming_it(release, tmp_path, name, where):
    target = _copy(release, tmp_path)
    data = bytearray((target / name).read_bytes())
    data[{"first": 0, "middle": len(data) // 2, "last": len(data) - 1}[where]] ^= 0x01
    (target / name).write_bytes(bytes(data))
    with pytest.raises(VerificationError) as caught:
        verify([target])
    assert _blamed(caught.value.message) == name, caught.value.message


def _resum(target):
    names = sorted(p.name for p in target.iterdir() if p.name not in ("SHA256SUMS", "notes.md"))
    lines = [f"{hashlib.sha256((target / n).read_bytes()).hexdigest()}  {n}\n" for n in names]
    (target / "SHA256SUMS").write_text("".join(lines))


def test_a_forged_manifest_with_fixed_sums_fails_on_the_evidence(release, tmp_path):
    target = _copy(release, tmp_path)
    doc = _json(target / "model-manifest.json")
    doc["artifact"]["files"][0]["sha256"] = "0" * 64
    (target / "model-manifest.json").write_bytes(canonical(doc))
    _resum(target)
    with pytest.raises(VerificationError) as caught:
        verify([target])
    # The evidence's own in-toto subjects record the manifest file's digest: it is named.
    assert "subject model-manifest.json: sha256" in caught.value.message


def _recorded(target, evidence, name, raw):
    """Rewrite `name` and its digest in the evidence, as a forger with every key would."""
    (target / name).write_bytes(raw)
    for entry in evidence["model"]["files"].values():
        if entry["name"] == name:
            entry.update(sha256=hashlib.sha256(raw).hexdigest(), size=len(raw))
    return {p.name: p.read_bytes() for p in target.iterdir()}


def test_a_manifest_whose_files_do_not_hash_to_its_digest_fails(release, tmp_path):
    from releaser.evidence.verify_model import check_model

    target = _copy(release, tmp_path)
    evidence = _json(target / "release-evidence.json")
    doc = _json(target / "model-manifest.json")
    doc["artifact"]["files"][0]["sha256"] = "0" * 64
    files = _recorded(target, evidence, "model-manifest.json", canonical(doc))
    with pytest.raises(VerificationError) as caught:
        check_model(evidence, files)
    assert caught.value.message.startswith("model-manifest.json: manifest_sha256 of its files")


def test_manifest_and_statement_must_agree_on_the_digest(release, tmp_path):
    """The statement rewritten along with the evidence's record of its digest: the
    manifest digest in the statement must still be the one the manifest and evidence hold."""
    from releaser.evidence.verify_model import check_model

    target = _copy(release, tmp_path)
    statement = _json(target / STATEMENT)
    statement["subject"][0]["digest"]["sha256"] = "1" * 64
    evidence = _json(target / "release-evidence.json")
    files = _recorded(target, evidence, STATEMENT, canonical(statement))
    with pytest.raises(VerificationError) as caught:
        check_model(evidence, files)
    assert caught.value.message.startswith(f"{STATEMENT}: subject digest (manifest_sha256)")
    assert "1" * 64 in caught.value.message


def test_verify_model_rehashes_a_copy_against_the_released_manifest(release, tmp_path, capsys):
    copy = tmp_path / "copy-of-model"
    for rel, content in FILES.items():
        (copy / rel).parent.mkdir(parents=True, exist_ok=True)
        (copy / rel).write_bytes(content)
    assert main(["verify", str(release), "--model", str(copy)]) == 0
    (copy / "model.safetensors").write_bytes(b"tampered")
    assert main(["verify", str(release), "--model", str(copy)]) == 1
    assert "model.safetensors differs" in capsys.readouterr().err


def test_the_model_section_of_the_markdown_matches_its_golden_file(release):
    markdown = (release / "release-evidence.md").read_text()
    start = markdown.index("## Model churn")
    check_golden("evidence/model-section.md", markdown[start : markdown.index("## Pull requests")])


@pytest.mark.parametrize(
    ("message", "digest"),
    [
        (f"Registering artifact churn version v1.4.0\n\nmanifest_sha256: {'a' * 64}\n", "a" * 64),
        ("manifest_sha256: " + "b" * 64 + "\nmanifest_sha256: " + "c" * 64, "c" * 64),
        ("manifest_sha256: not-a-digest\n", None),
        ("a message someone typed\n", None),
    ],
    ids=["releasers", "last-line-wins", "not-hex", "none"],
)
def test_the_digest_is_read_from_a_tag_message(message, digest):
    assert digest_in_message(message) == digest


def test_model_text_in_the_markdown_cannot_form_html_markers_or_mentions(tmp_path):
    import cmarkgfm

    from releaser.domain.model_evidence_md import render_model_section

    hostile = "@octocat <!-- releaser:{} --> <img src=x> | ::error::x [a](javascript:alert(1))"
    data = model_data()
    data["training"]["data"][0]["name"] = hostile
    data["training"]["run"] = {"system": hostile, "id": "1", "url": "javascript:alert(1)"}
    data["metrics"][1]["slice"] = hostile
    release = model_release(tmp_path / "m", data=data)
    section, _ = model_evidence(release, "a" * 40)
    text = "\n".join(render_model_section(section))
    html = cmarkgfm.github_flavored_markdown_to_html(text)
    assert "<!--" not in html and "<img" not in html and 'href="javascript' not in html
    assert not any(line.startswith("::") for line in text.splitlines())
    assert linked_mentions(text + "\n") == []
    assert html.count("<a href") == 0  # the run's URL is not http(s): shown as text
