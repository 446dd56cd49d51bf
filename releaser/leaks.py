"""Last line of defence: refuse a release asset that carries the token, in the forms a checkout
or a careless build writes it (raw, `x-access-token:` basic auth, base64 at any alignment)."""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from typing import Any, BinaryIO

from releaser.errors import EvidenceError

MIN_SECRET = 8  # shorter strings would match by chance; GitHub tokens are far longer
CHUNK = 1024 * 1024


def _base64_cores(data: bytes) -> set[bytes]:
    """The base64 characters that depend only on `data`, wherever it starts modulo 3 in a
    longer encoded stream (standard and URL-safe alphabets)."""
    out = set()
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + data)
        start = -(-8 * shift // 6)  # the first character with no bit of the padding before
        end = 8 * (shift + len(data)) // 6  # the last one with no bit of what follows
        core = encoded[start:end]
        out |= {core, core.translate(bytes.maketrans(b"+/", b"-_"))}
    return out


def forms(secrets: Iterable[str]) -> tuple[bytes, ...]:
    """Every byte string whose presence in an asset means it holds one of `secrets`."""
    out: set[bytes] = set()
    for secret in secrets:
        raw = secret.encode()
        if len(raw) < MIN_SECRET:
            continue
        basic = b"x-access-token:" + raw
        # actions/checkout keeps `AUTHORIZATION: basic <this>` in .git/config.
        out |= {raw, basic, base64.b64encode(basic)}
        out |= _base64_cores(raw)
    return tuple(sorted(out))


def contains(stream: BinaryIO, needles: Sequence[bytes], chunk: int = CHUNK) -> bool:
    """Whether any needle occurs in `stream`, read in chunks that overlap by the longest
    needle, so memory stays constant whatever the size."""
    if not needles:
        return False
    keep = max(len(n) for n in needles) - 1
    tail = b""
    while block := stream.read(chunk):
        window = tail + block
        if any(n in window for n in needles):
            return True
        tail = window[-keep:] if keep else b""
    return False


def refuse_leaks(assets: Iterable[Any], secrets: Iterable[str]) -> None:
    """EvidenceError naming the first asset (.name, .open()) that holds a secret; the secret
    itself is never in the message."""
    needles = forms(secrets)
    if not needles:
        return
    for asset in assets:
        with asset.open() as stream:
            if contains(stream, needles):
                raise EvidenceError(
                    f"release asset {asset.name!r} contains the token; refusing to upload it",
                    hint="nothing more was uploaded; rebuild it without the credentials and "
                    "revoke the token if the file was shared",
                )
