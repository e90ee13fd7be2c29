"""Tokens for the tests: demo users' bearer headers from the real dev-login route, and
hand-made tokens (forged, of another key, of another algorithm)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from litestar.testing import AsyncTestClient


class Tokens:
    """Mints bearer headers for demo users through the real dev-login route."""

    def __init__(self, client: AsyncTestClient[Any]) -> None:
        self.client = client
        self._cache: dict[tuple[str, str], dict[str, str]] = {}

    async def headers(self, username: str, client: str = "app") -> dict[str, str]:
        key = (username, client)
        if key not in self._cache:
            r = await self.client.post(
                "/api/v1/auth/dev-login", json={"username": username, "client": client}
            )
            assert r.status_code == 200, r.text
            self._cache[key] = {"Authorization": f"Bearer {r.json()['access_token']}"}
        return self._cache[key]

    def forget(self) -> None:
        self._cache.clear()


class FreshTokens(Tokens):
    """Mints a token per call: these tests move the clock past a token's lifetime."""

    async def headers(self, username: str, client: str = "app") -> dict[str, str]:
        self.forget()
        return await super().headers(username, client)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims_for(person_id: uuid.UUID, now: float | None = None, **overrides: Any) -> dict[str, Any]:
    """Claims exactly like the service's own access tokens (tests/conftest.py settings)."""
    issued = int(now if now is not None else time.time())
    body: dict[str, Any] = {
        "iss": "skolebro",
        "aud": "skolebro-api",
        "sub": str(person_id),
        "client": "app",
        "iat": issued,
        "exp": issued + 900,
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def token_with_other_key(claims: dict[str, Any]) -> str:
    return jwt.encode(claims, Ed25519PrivateKey.generate(), algorithm="EdDSA")


def token_alg_none(claims: dict[str, Any]) -> str:
    header = b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    return f"{header}.{b64(json.dumps(claims).encode())}."


def token_hs256(claims: dict[str, Any], secret: bytes) -> str:
    """HS256 with a public key as the HMAC secret: the classic algorithm-confusion forgery."""
    signing_input = (
        b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + b64(json.dumps(claims).encode())
    )
    sig = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(sig)}"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
