"""The streamed `git log` reader splits and decodes exactly like reading all the output at once."""

from __future__ import annotations

import random

import pytest

from releaser.domain.commits import RawCommit
from releaser.git import _records


def whole_output(out: bytes) -> list[RawCommit]:
    """The reference: split all of the output, then decode field by field."""
    fields = out.split(b"\0")
    commits = []
    for i in range(0, len(fields) - 4, 4):
        commits.append(
            RawCommit(
                fields[i].strip().decode("ascii"),
                fields[i + 3].decode("utf-8", "replace"),
                tuple(fields[i + 1].decode("ascii").split()),
                fields[i + 2].decode("utf-8", "replace"),
            )
        )
    return commits


PIECES = [
    b"feat: x",
    b"\n\nbody line\n",
    "ünïcode 🚀".encode(),
    b"\xff\xfe broken",
    b"\xe2\x82",  # a truncated three-byte sequence
    b"\xf0\x9f\x9a",  # a truncated four-byte sequence
    b"\xc3",
    b"\x80\x80",
    b"Refs: #12\n",
    b"",
]


def log_output(rng: random.Random, count: int) -> bytes:
    out = []
    for n in range(count):
        sha = f"{n:040x}".encode()
        parents = b" ".join(b"%040x" % rng.getrandbits(160) for _ in range(rng.randint(0, 2)))
        author = b"".join(rng.choice(PIECES) for _ in range(rng.randint(0, 2)))
        message = b"".join(rng.choice(PIECES) for _ in range(rng.randint(0, 6)))
        out.append(b"%s\0%s\0%s\0%s\0\n" % (sha, parents, author, message))
    return b"".join(out)


def chunked(data: bytes, rng: random.Random, largest: int) -> list[bytes]:
    chunks, pos = [], 0
    while pos < len(data):
        size = rng.randint(1, largest)
        chunks.append(data[pos : pos + size])
        pos += size
    return chunks


@pytest.mark.parametrize("largest", [1, 7, 64, 4096, 1 << 20], ids=lambda n: f"chunks<={n}")
def test_stream_equals_whole_output(largest):
    rng = random.Random(largest)
    data = log_output(rng, 300)
    expected = whole_output(data)
    assert list(_records(chunked(data, rng, largest))) == expected
    assert len(expected) == 300


def test_empty_output_has_no_commits():
    assert list(_records([])) == []
    assert list(_records([b""])) == whole_output(b"") == []
