"""The token scan: every form, across chunk boundaries, in constant memory."""

from __future__ import annotations

import base64
import io

import pytest

from releaser.leaks import contains, forms

TOKEN = "ghs_16C7e42F292c6912E7710c838347Ae178B4a"


def _encodings(prefix: bytes):
    data = prefix + TOKEN.encode() + b"\n"
    yield "raw", data
    yield "basic", base64.b64encode(prefix + b"x-access-token:" + TOKEN.encode())
    yield "base64", base64.b64encode(data)
    yield "base64url", base64.urlsafe_b64encode(b"\xfb\xff" + data)


@pytest.mark.parametrize("offset", range(7))
@pytest.mark.parametrize("chunk", [5, 16, 1 << 20])
def test_every_form_is_found_at_every_offset_and_chunk_boundary(offset, chunk):
    needles = forms([TOKEN])
    for name, blob in _encodings(b"\x00" * offset):
        for pad in range(0, 2 * chunk if chunk < 100 else 1, 3):
            stream = io.BytesIO(b"q" * pad + blob + b"tail")
            assert contains(stream, needles, chunk=chunk), (name, offset, pad)


def test_clean_data_and_short_or_empty_secrets():
    assert not contains(io.BytesIO(b"hello" * 10000), forms([TOKEN]), chunk=7)
    assert forms(["", "short"]) == ()
    assert not contains(io.BytesIO(b"short"), forms(["short"]))
