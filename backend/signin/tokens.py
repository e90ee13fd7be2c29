"""Access tokens: short-lived EdDSA JWTs naming the person and the client."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from backend.access.principal import Principal

ALGORITHM = "EdDSA"
REQUIRED_CLAIMS = ["iss", "aud", "exp", "iat", "sub", "client"]
# Tokens whose signature was already checked; bounded, oldest dropped first.
VERIFIED_CACHE_SIZE = 10_000
MAX_LIFETIME_SECONDS = 900  # api.md: access tokens live at most 15 minutes
# Replicas' clocks may differ by a moment; a token issued by one is usable at once on another.
CLOCK_SKEW_SECONDS = 5


class InvalidToken(Exception):
    pass


@dataclass(frozen=True, slots=True)
class _Checked:
    principal: Principal
    exp: int
    iat: int
    nbf: int | None


class AccessTokens:
    def __init__(self, key: Ed25519PrivateKey, *, issuer: str, audience: str, lifetime_seconds: int) -> None:
        if lifetime_seconds > MAX_LIFETIME_SECONDS:
            raise ValueError("access tokens live at most 15 minutes")
        self._key = key
        self._public = key.public_key()
        self.issuer = issuer
        self.audience = audience
        self.lifetime_seconds = lifetime_seconds
        self._checked: dict[str, _Checked] = {}

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
        # The signature and the fixed claims of a token string never change, so they are
        # checked once per token (an Ed25519 check costs more than the rest of a small
        # request); the times are checked on every call, against the service clock.
        checked = self._checked.get(token)
        if checked is None:
            checked = self._check_signed(token)
            if len(self._checked) >= VERIFIED_CACHE_SIZE:
                del self._checked[next(iter(self._checked))]  # the oldest
            self._checked[token] = checked
        # Every time claim is checked against the service clock, which tests and dev
        # can move (PyJWT would compare nbf with the machine's clock).
        ts = now.timestamp()
        if checked.exp <= ts:
            raise InvalidToken("expired")
        if checked.iat > ts + CLOCK_SKEW_SECONDS:
            raise InvalidToken("issued in the future")
        if checked.nbf is not None and checked.nbf > ts + CLOCK_SKEW_SECONDS:
            raise InvalidToken("not yet valid")
        return checked.principal

    def _check_signed(self, token: str) -> _Checked:
        try:
            claims = jwt.decode(
                token,
                self._public,
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=self.issuer,
                options={
                    "require": REQUIRED_CLAIMS,
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                },
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(str(exc)) from exc
        if not isinstance(claims["exp"], int):
            raise InvalidToken("expired")
        if not isinstance(claims["iat"], int):
            raise InvalidToken("issued in the future")
        nbf = claims.get("nbf")
        if nbf is not None and not isinstance(nbf, int):
            raise InvalidToken("not yet valid")
        if (
            claims["exp"] - min(claims["iat"], nbf if nbf is not None else claims["iat"])
            > MAX_LIFETIME_SECONDS
        ):
            # Signed with our key but living longer than any token we issue: refuse.
            raise InvalidToken("lifetime longer than 15 minutes")
        if claims["client"] not in ("app", "web"):
            raise InvalidToken("unknown client")
        try:
            person_id = uuid.UUID(claims["sub"])
        except (ValueError, TypeError) as exc:
            raise InvalidToken("bad subject") from exc
        return _Checked(
            Principal(person_id=person_id, client=claims["client"]), claims["exp"], claims["iat"], nbf
        )
