"""Helpers shared by the tests: problem-document checks and hand-made tokens."""

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

PROBLEM_TYPE = "application/problem+json"


def assert_problem(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The answer is an RFC 9457 problem document with this status (and code)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_TYPE), response.headers
    body = response.json()
    assert body["status"] == status
    assert body["title"] and body["detail"] and body["type"]
    if code is not None:
        assert body["code"] == code, body
    if status == 422:
        assert body["errors"], body
        for e in body["errors"]:
            assert set(e) == {"field", "message"} and e["message"]
    if status == 401:
        assert response.headers["www-authenticate"].lower().startswith("bearer")
    return body


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims_for(person_id: uuid.UUID, now: float | None = None, **overrides: Any) -> dict[str, Any]:
    """Claims exactly like the service's own access tokens (tests/conftest settings)."""
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
