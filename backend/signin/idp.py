"""Verifying ID tokens from the national identity providers.

ID-porten (guardians) and Feide (staff and pupils) sign ID tokens with keys
published as JWKS. The JWKS is fetched in a thread (PyJWKClient is
synchronous) and cached; an unknown key id triggers one refetch.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime

import jwt

from backend.signin.settings import IdentityProvider

log = logging.getLogger("skolebro.auth")


class IdentityError(Exception):
    """The ID token was not accepted; the message says why."""


class ProviderUnavailable(Exception):
    """The provider's JWKS could not be fetched: nothing is wrong with the token."""


@dataclass(frozen=True, slots=True)
class VerifiedIdentity:
    provider: str
    subject: str


class IdentityVerifier:
    def __init__(self, providers: tuple[IdentityProvider, ...]) -> None:
        self._by_issuer = {p.issuer: p for p in providers}
        self._clients = {
            p.issuer: jwt.PyJWKClient(p.jwks_url, cache_keys=True, lifespan=3600, timeout=10)
            for p in providers
        }

    async def verify(self, id_token: str, now: datetime) -> VerifiedIdentity:
        try:
            unverified = jwt.decode(id_token, options={"verify_signature": False})
            header = jwt.get_unverified_header(id_token)
        except jwt.PyJWTError as exc:
            raise IdentityError("the subject_token is not a JWT") from exc
        issuer = unverified.get("iss")
        provider = self._by_issuer.get(issuer) if isinstance(issuer, str) else None
        if provider is None:
            raise IdentityError("the subject_token comes from an issuer we do not trust")
        if header.get("alg") not in provider.algorithms:
            raise IdentityError("the subject_token uses an algorithm we do not accept")
        client = self._clients[provider.issuer]
        try:
            signing_key = await asyncio.to_thread(client.get_signing_key_from_jwt, id_token)
        except jwt.PyJWKClientConnectionError as exc:
            log.warning("JWKS of %s unreachable: %s", provider.name, exc)
            raise ProviderUnavailable(provider.name) from exc
        except jwt.PyJWKClientError as exc:
            log.warning("JWKS lookup for %s failed: %s", provider.name, exc)
            raise IdentityError("the identity provider's signing key could not be found") from exc
        try:
            claims = jwt.decode(
                id_token,
                signing_key.key,
                algorithms=list(provider.algorithms),
                audience=provider.audience,
                issuer=provider.issuer,
                options={
                    "require": ["iss", "aud", "exp", "iat", provider.subject_claim],
                    "verify_exp": False,
                    "verify_iat": False,
                },
            )
        except jwt.PyJWTError as exc:
            raise IdentityError(f"the subject_token was refused: {exc}") from exc
        ts = now.timestamp()
        # PyJWT checks these only when it verifies them itself; we use the service clock.
        if not all(
            isinstance(claims[c], int | float) and not isinstance(claims[c], bool) for c in ("exp", "iat")
        ):
            raise IdentityError("the subject_token has non-numeric exp or iat")
        if claims["exp"] <= ts:
            raise IdentityError("the subject_token has expired")
        if claims["iat"] > ts + 60:
            raise IdentityError("the subject_token was issued in the future")
        subject = claims[provider.subject_claim]
        if not isinstance(subject, str) or not subject:
            raise IdentityError(f"the subject_token has no usable {provider.subject_claim}")
        return VerifiedIdentity(provider=provider.name, subject=subject)
