"""`releaser verify EVIDENCE_DIR --model MODEL_DIR`: a tampered copy fails, naming the file."""

from __future__ import annotations

import hashlib
import json

from releaser.cli import main
from releaser.models import manifest as loader
from releaser.models.sources import WorkspaceFiles
from releaser.models.verify import MANIFEST_JSON, document
from tests.modelutil import manifest, write_model

FILES = {"a.bin": b"alpha", "sub/b.bin": b"beta", "c.bin": b"gamma"}


def release(tmp_path, sums=True):
    data = manifest()
    data["artifact"]["files"] = [{"path": p} for p in FILES]
    write_model(tmp_path / "src", data, FILES)
    model = loader.load(WorkspaceFiles(tmp_path / "src", "."))
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    raw = json.dumps(document(model, "a" * 40, None)).encode()
    (evidence / MANIFEST_JSON).write_bytes(raw)
    if sums:
        digest = hashlib.sha256(raw).hexdigest()
        (evidence / "SHA256SUMS").write_text(f"{digest}  {MANIFEST_JSON}\n")
    copy = tmp_path / "copy"
    for rel, content in FILES.items():
        (copy / rel).parent.mkdir(parents=True, exist_ok=True)
        (copy / rel).write_bytes(content)
    return evidence, copy


def run(capsys, evidence, copy):
    code = main(["verify", str(evidence), "--model", str(copy)])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_an_intact_copy_verifies(tmp_path, capsys):
    evidence, copy = release(tmp_path)
    code, text = run(capsys, evidence, copy)
    assert code == 0 and "churn: 3 files match manifest sha256" in text


def test_a_tampered_copy_names_the_first_differing_file_and_missing_and_extra(tmp_path, capsys):
    evidence, copy = release(tmp_path)
    (copy / "c.bin").write_bytes(b"gamma!")
    (copy / "sub" / "b.bin").unlink()
    (copy / "evil.pkl").write_bytes(b"\x80")
    code, text = run(capsys, evidence, copy)
    assert code == 1
    assert "model churn: c.bin differs (expected sha256 " in text
    assert "; missing: sub/b.bin; extra: evil.pkl" in text


def test_a_manifest_not_in_sha256sums_is_refused(tmp_path, capsys):
    evidence, copy = release(tmp_path)
    doc = json.loads((evidence / MANIFEST_JSON).read_text())
    doc["artifact"]["files"][0]["sha256"] = "0" * 64
    (evidence / MANIFEST_JSON).write_text(json.dumps(doc))
    code, text = run(capsys, evidence, copy)
    assert code == 1 and "does not match SHA256SUMS" in text


def test_an_edited_manifest_without_sums_fails_its_own_digest(tmp_path, capsys):
    evidence, copy = release(tmp_path, sums=False)
    doc = json.loads((evidence / MANIFEST_JSON).read_text())
    doc["artifact"]["files"][0]["sha256"] = "0" * 64
    (evidence / MANIFEST_JSON).write_text(json.dumps(doc))
    code, text = run(capsys, evidence, copy)
    assert code == 1 and "not the recorded manifest_sha256" in text


def test_a_symlink_in_the_copy_is_named_extra_not_followed(tmp_path, capsys):
    evidence, copy = release(tmp_path)
    (copy / "link.bin").symlink_to(copy / "a.bin")
    code, text = run(capsys, evidence, copy)
    assert code == 1 and "extra: link.bin" in text
