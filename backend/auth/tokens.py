"""Access tokens: short-lived EdDSA JWTs naming the person and the client."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ALGORITHM = "EdDSA"
REQUIRED_CLAIMS = ["iss", "aud", "exp", "iat", "sub", "client"]


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: only the person and the client; roles come from the roster."""

    person_id: uuid.UUID
    client: str


class InvalidToken(Exception):
    pass


class AccessTokens:
    def __init__(
        self, key: Ed25519PrivateKey, *, issuer: str, audience: str, lifetime_seconds: int
    ) -> None:
        if lifetime_seconds > 900:
            raise ValueError("access tokens live at most 15 minutes")
        self._key = key
        self._public = key.public_key()
        self.issuer = issuer
        self.audience = audience
        self.lifetime_seconds = lifetime_seconds

    def issue(self, person_id: uuid.UUID, client: str, now: datetime) -> str:
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": str(person_id),
            "client": client,
            "iat": int(now.timestamp()),
            "exp": int((now + timedelta(seconds=self.lifetime_seconds)).timestamp()),
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, self._key, algorithm=ALGORITHM)

    def verify(self, token: str, now: datetime) -> Principal:
        try:
            claims = jwt.decode(
                token,
                self._public,
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=self.issuer,
                options={"require": REQUIRED_CLAIMS, "verify_exp": False, "verify_iat": False},
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(str(exc)) from exc
        # Expiry is checked against the service clock, which tests and dev can move.
        ts = now.timestamp()
        if not isinstance(claims["exp"], int) or claims["exp"] <= ts:
            raise InvalidToken("expired")
        if not isinstance(claims["iat"], int) or claims["iat"] > ts + 60:
            raise InvalidToken("issued in the future")
        if claims["client"] not in ("app", "web"):
            raise InvalidToken("unknown client")
        try:
            person_id = uuid.UUID(claims["sub"])
        except (ValueError, TypeError) as exc:
            raise InvalidToken("bad subject") from exc
        return Principal(person_id=person_id, client=claims["client"])
