"""The fake GitHub App: an RSA test key, RS256 JWT verification, installation tokens."""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass

import jwt  # PyJWT, a dependency of PyGithub
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


@functools.cache
def _key_pem() -> str:
    # Generating RSA keys costs ~50 ms; one per process is enough for tests.
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


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
        pem = _key_pem()
        private = serialization.load_pem_private_key(pem.encode(), password=None)
        public = private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return cls(31337, "fake-releaser", 7777, account, pem, public.decode("ascii"))

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
