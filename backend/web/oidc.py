"""Production sign-in: OpenID Connect authorization code with PKCE, state and nonce.

1. ``begin`` stores (hash of state, nonce, PKCE verifier) and returns the
   provider's authorize URL; the state also goes in a cookie, so only the
   browser that started the sign-in can finish it (no login CSRF).
2. ``finish`` takes the flow once, exchanges the code at the token endpoint
   with the verifier, verifies the ID token's signature (JWKS), issuer,
   audience (our client id), lifetime and nonce, and returns the identity.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

import asyncpg
import httpx
import jwt

from backend.signin import portal_sessions
from backend.web.settings import WebOidcClient
from backend.web.signed_in import token_hash

# The JWKS clients of a process by URL: each caches the provider's keys.
JwksCache = dict[str, jwt.PyJWKClient]

log = logging.getLogger("skolebro.web")

ALGORITHMS = ["RS256", "ES256"]


class LoginFailed(Exception):
    """The sign-in could not be completed; the message says why (for the log and page)."""


@dataclass(frozen=True, slots=True)
class Started:
    state: str
    redirect_to: str


def provider(clients: tuple[WebOidcClient, ...], name: str) -> WebOidcClient | None:
    return next((c for c in clients if c.name == name), None)


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def safe_next(path: str | None) -> str:
    """Only our own pages are places to return to (no open redirect)."""
    if path and path.startswith("/web/") and not path.startswith("//") and "\\" not in path:
        return path
    return "/web/"


async def begin(
    conn: asyncpg.Connection, client: WebOidcClient, next_path: str | None, now: datetime
) -> Started:
    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)
    await portal_sessions.store_flow(
        conn,
        token_hash(state),
        client.name,
        nonce,
        verifier,
        safe_next(next_path),
        now,
    )
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client.client_id,
            "redirect_uri": client.redirect_uri,
            "scope": client.scope,
            "state": state,
            "nonce": nonce,
            "code_challenge": _challenge(verifier),
            "code_challenge_method": "S256",
        }
    )
    separator = "&" if "?" in client.authorize_url else "?"
    log.info("web sign-in with %s started", client.name)
    return Started(state=state, redirect_to=f"{client.authorize_url}{separator}{query}")


@dataclass(frozen=True, slots=True)
class Finished:
    provider: str
    subject: str
    next_path: str


async def finish(
    conn: asyncpg.Connection,
    clients: tuple[WebOidcClient, ...],
    jwks: JwksCache,
    state: str,
    code: str,
    now: datetime,
) -> Finished:
    flow = await portal_sessions.take_flow(conn, token_hash(state), now)
    if flow is None:
        raise LoginFailed("unknown, used or expired state")
    client = provider(clients, flow["provider"])
    if client is None:
        raise LoginFailed("the identity provider is no longer configured")
    id_token = await _exchange(client, code, flow["code_verifier"])
    subject = await _verify(jwks, client, id_token, flow["nonce"], now)
    return Finished(provider=client.name, subject=subject, next_path=flow["next_path"])


async def _exchange(client: WebOidcClient, code: str, verifier: str) -> str:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": client.redirect_uri,
        "client_id": client.client_id,
        "code_verifier": verifier,
    }
    # A confidential client authenticates with HTTP Basic (client_secret_basic).
    auth = httpx.BasicAuth(client.client_id, client.client_secret) if client.client_secret else None
    try:
        async with httpx.AsyncClient(timeout=10, auth=auth) as http:
            answer = await http.post(client.token_url, data=form, headers={"accept": "application/json"})
    except httpx.HTTPError as exc:
        raise LoginFailed(f"token endpoint unreachable: {exc.__class__.__name__}") from exc
    if answer.status_code != 200:
        raise LoginFailed(f"token endpoint answered {answer.status_code}")
    try:
        id_token = answer.json()["id_token"]
    except (ValueError, KeyError, TypeError) as exc:
        raise LoginFailed("token endpoint gave no id_token") from exc
    if not isinstance(id_token, str):
        raise LoginFailed("token endpoint gave no id_token")
    return id_token


def _jwks(cache: JwksCache, client: WebOidcClient) -> jwt.PyJWKClient:
    if client.jwks_url not in cache:
        cache[client.jwks_url] = jwt.PyJWKClient(client.jwks_url, cache_keys=True, lifespan=3600, timeout=10)
    return cache[client.jwks_url]


async def _verify(jwks: JwksCache, client: WebOidcClient, id_token: str, nonce: str, now: datetime) -> str:
    try:
        # PyJWKClient is synchronous (urllib); keep it off the event loop.
        key = await asyncio.to_thread(_jwks(jwks, client).get_signing_key_from_jwt, id_token)
        claims = jwt.decode(
            id_token,
            key.key,
            algorithms=ALGORITHMS,
            audience=client.client_id,
            issuer=client.issuer,
            options={
                "require": ["iss", "aud", "exp", "iat", "nonce", client.subject_claim],
                "verify_exp": False,
                "verify_iat": False,
            },
        )
    except (jwt.PyJWTError, jwt.PyJWKClientError) as exc:
        raise LoginFailed(f"ID token refused: {exc}") from exc
    # Lifetime against the service clock, which dev and test can move.
    ts = now.timestamp()
    if claims["exp"] <= ts or claims["iat"] > ts + 60:
        raise LoginFailed("ID token expired or issued in the future")
    if not isinstance(claims["nonce"], str) or not secrets.compare_digest(claims["nonce"], nonce):
        raise LoginFailed("ID token nonce does not match")
    subject = claims[client.subject_claim]
    if not isinstance(subject, str) or not subject:
        raise LoginFailed(f"ID token has no usable {client.subject_claim}")
    return subject
