"""The fake GitHub App: an RSA test key, RS256 JWT verification, installation tokens."""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass

import jwt  # PyJWT, a dependency of PyGithub
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


@functools.cache
def _key_pems() -> tuple[str, str]:
    """(private PKCS8 PEM, public SPKI PEM) of one RSA test key per process.

    Generating the key costs ~50 ms and loading a PEM back ~100 ms of key checks: both are
    paid once, not once per fake."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public.decode("ascii")


def _key_pem() -> str:
    return _key_pems()[0]


@dataclass(slots=True)
class App:
    app_id: int
    slug: str
    installation_id: int
    account: str
    private_key_pem: str
    public_key_pem: str
    client_id: str = "Iv1.fakeclientid"

    @classmethod
    def create(cls, account: str) -> App:
        private, public = _key_pems()
        return cls(31337, "fake-releaser", 7777, account, private, public)

    @property
    def bot_login(self) -> str:
        return f"{self.slug}[bot]"

    def verify_jwt(self, token: str) -> str | None:
        """The app's slug when token is a valid RS256 JWT issued by this app, else None."""
        try:
            claims = jwt.decode(
                token,
                self.public_key_pem,
                algorithms=["RS256"],
                options={"require": ["iat", "exp", "iss"]},
                leeway=60,
            )
        except jwt.PyJWTError:
            return None
        # GitHub accepts the App ID or, since 2024, the App's client ID as the issuer.
        if str(claims.get("iss")) not in (str(self.app_id), self.client_id):
            return None
        return self.slug

    @staticmethod
    def new_token() -> str:
        return "ghs_" + secrets.token_hex(18)
