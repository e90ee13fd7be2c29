"""Web sessions and CSRF protection.

The session cookie holds a random token (only its hash is stored) and is
``HttpOnly``, ``SameSite=Lax`` and ``Secure`` outside dev. Every form carries
a CSRF token: bound to the session once signed in, and before sign-in a
double-submit token (cookie and field must match).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
from litestar import Request
from litestar.datastructures import Cookie

from backend.problems.codes import Code
from backend.problems.errors import Forbidden
from backend.signin import portal_sessions

log = logging.getLogger("skolebro.web")

SESSION_COOKIE = "skolebro_session"
LOGIN_CSRF_COOKIE = "skolebro_login_csrf"
OIDC_STATE_COOKIE = "skolebro_oidc_state"
SESSION_SECONDS = 8 * 3600  # a working day; then sign in again
CSRF_FIELD = "csrf_token"


class LoginRequired(Exception):
    """No valid session: the page sends the browser to the sign-in page."""


@dataclass(frozen=True, slots=True)
class WebSession:
    person_id: uuid.UUID
    name: str
    locale: str
    csrf_token: str
    # The pages this person's roles may use, for the header (backend/web/nav.py).
    nav: tuple[Any, ...] = ()


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def cookie(secure: bool, key: str, value: str, max_age: int | None = None) -> Cookie:
    """``secure``: the portal's ``cookie_secure`` setting (production)."""
    return Cookie(
        key=key,
        value=value,
        path="/web",
        httponly=True,
        secure=secure,
        samesite="lax",
        max_age=max_age,
    )


def expired_cookie(secure: bool, key: str) -> Cookie:
    return Cookie(
        key=key,
        value="",
        path="/web",
        httponly=True,
        secure=secure,
        samesite="lax",
        max_age=0,
    )


async def start_session(
    conn: asyncpg.Connection, person_id: uuid.UUID, now: datetime, *, secure: bool
) -> Cookie:
    """Store a new session and return the cookie that carries it."""
    token = secrets.token_urlsafe(32)
    await portal_sessions.store_session(
        conn, token_hash(token), person_id, secrets.token_urlsafe(32), now, SESSION_SECONDS
    )
    log.info("web session started for %s", person_id)
    return cookie(secure, SESSION_COOKIE, token, SESSION_SECONDS)


async def load_session(
    conn: asyncpg.Connection, request: Request[Any, Any, Any], now: datetime
) -> WebSession | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    row = await portal_sessions.session_of(conn, token_hash(token), now)
    if row is None:
        return None
    return WebSession(row["person_id"], row["name"], row["locale"], row["csrf_token"])


async def require_session(
    conn: asyncpg.Connection, request: Request[Any, Any, Any], now: datetime
) -> WebSession:
    session = await load_session(conn, request, now)
    if session is None:
        raise LoginRequired()
    return session


async def end_session(conn: asyncpg.Connection, request: Request[Any, Any, Any]) -> None:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await portal_sessions.delete_session(conn, token_hash(token))


def check_csrf(expected: str | None, sent: object) -> None:
    """403 unless the form's token matches (constant-time)."""
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(expected.encode(), sent.encode()):
        log.warning("web form refused: missing or wrong CSRF token")
        raise Forbidden(Code.WEB_CSRF)


def login_csrf(request: Request[Any, Any, Any]) -> tuple[str, bool]:
    """The double-submit token of the sign-in form, and whether it is new (set the cookie)."""
    existing = request.cookies.get(LOGIN_CSRF_COOKIE)
    if existing and len(existing) >= 32:
        return existing, False
    return secrets.token_urlsafe(32), True
