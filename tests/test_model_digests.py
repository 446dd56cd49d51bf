"""Model digests: model_signing's manifest digest, canonical hashes, streaming file hashes."""

from __future__ import annotations

import hashlib

from releaser.domain.model import canonical_sha256, manifest_digest
from releaser.models.hashing import hash_file

# Computed by the model-signing 1.1.1 package (sigstore/model-transparency), not by releaser:
#   model_signing.hashing.Config().hash(dir) for a directory holding a/b = "x", a.b = "y",
#   a-c = "z", d/e = "w", then the in-toto subject digest of signing.Payload(manifest).
MODEL_SIGNING_DIGEST = "6562ac0eb2a16e64f7f0044e40ee1aeb8a2eb1c7aa02040103392b79f215088f"
FILES = {"a/b": b"x", "a.b": b"y", "a-c": b"z", "d/e": b"w"}


def test_manifest_digest_matches_model_signing_on_a_real_directory(tmp_path):
    for rel, data in FILES.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(data)
    hashed = [(rel, hash_file(tmp_path, rel)[0]) for rel in FILES]
    assert manifest_digest(hashed) == MODEL_SIGNING_DIGEST


def test_manifest_digest_sorts_by_path_segments_not_whole_strings():
    digests = {rel: hashlib.sha256(data).hexdigest() for rel, data in FILES.items()}
    # model_signing orders a/b < a-c < a.b < d/e: a byte-string sort would put a/b third.
    order = ["a/b", "a-c", "a.b", "d/e"]
    expected = hashlib.sha256(b"".join(bytes.fromhex(digests[p]) for p in order)).hexdigest()
    assert manifest_digest(reversed(list(digests.items()))) == expected
    by_bytes = sorted(digests)
    wrong = hashlib.sha256(b"".join(bytes.fromhex(digests[p]) for p in by_bytes)).hexdigest()
    assert expected != wrong


def test_canonical_hash_ignores_key_order_and_number_spelling():
    assert canonical_sha256({"b": 1.0, "a": [1, "x"]}) == canonical_sha256({"a": [1, "x"], "b": 1})
    assert canonical_sha256({"a": 1}) == hashlib.sha256(b'{"a":1}').hexdigest()


def test_streaming_hash_of_a_large_file_matches_hashlib(tmp_path):
    data = bytes(range(256)) * (5 * 4096 + 7)  # ~5 MiB, not a multiple of any buffer
    (tmp_path / "w.bin").write_bytes(data)
    assert hash_file(tmp_path, "w.bin") == (hashlib.sha256(data).hexdigest(), len(data))
