"""Sign-in use cases: dev login, token exchange, refresh rotation, logout."""

from __future__ import annotations

import hashlib
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

import asyncpg

from backend.db.transactions import atomic
from backend.problems.codes import Code
from backend.problems.errors import DomainError, Unauthorized, Unavailable
from backend.signin import queries as q
from backend.signin.identity import stored_subject
from backend.signin.idp import IdentityError, IdentityVerifier, ProviderUnavailable
from backend.signin.settings import RateLimitSettings
from backend.signin.tokens import AccessTokens
from notifications.devices import remove_device
from schemas.auth import TOKEN_EXCHANGE, TokenRequest, TokenResponse

log = logging.getLogger("skolebro.auth")


class IdentityProviderDown(Unavailable):
    """The identity provider could not be asked; the client should try again shortly."""

    default_code = Code.AUTH_PROVIDER_UNAVAILABLE


class InvalidGrant(DomainError):
    default_code = Code.AUTH_INVALID_GRANT

    def __init__(self, reason: str) -> None:
        super().__init__(Code.AUTH_INVALID_GRANT, reason=reason)


class Window(Protocol):
    """Uses of a key in the last minute (backend/edge/ratelimit.py's SlidingWindow)."""

    def check(self, key: str, limit: int) -> None: ...
    def hit(self, key: str, limit: int) -> None: ...
    def record(self, key: str) -> None: ...


class Limits(Protocol):
    """The process's sign-in counters (backend/edge/ratelimit.py's SignInLimits)."""

    @property
    def by_address(self) -> Window: ...
    @property
    def failures_by_address(self) -> Window: ...
    @property
    def by_family(self) -> Window: ...


@dataclass(frozen=True, slots=True)
class SignIn:
    """What signing in needs of the process: its keys, trusted providers and counters."""

    tokens: AccessTokens
    identity: IdentityVerifier
    limits: Limits
    rates: RateLimitSettings
    refresh_token_days: int
    pepper: str


def _hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


async def _issue_pair(
    conn: asyncpg.Connection,
    si: SignIn,
    person_id: uuid.UUID,
    client: str,
    now: datetime,
    family: tuple[uuid.UUID, datetime] | None = None,
) -> TokenResponse:
    refresh = secrets.token_urlsafe(32)
    family_id, family_expires = family or (
        uuid.uuid4(),
        now + timedelta(days=si.refresh_token_days),
    )
    await conn.execute(
        q.INSERT_REFRESH,
        uuid.uuid4(),
        family_id,
        person_id,
        client,
        _hash(refresh),
        now,
        family_expires,
    )
    return TokenResponse(
        access_token=si.tokens.issue(person_id, client, now),
        refresh_token=refresh,
        expires_in=si.tokens.lifetime_seconds,
    )


async def person_by_username(conn: asyncpg.Connection, username: str) -> uuid.UUID | None:
    """The person who may sign in with this demo username (dev/test), if any."""
    person_id: uuid.UUID | None = await conn.fetchval(q.PERSON_BY_USERNAME, username)
    return person_id


async def person_by_identity(
    conn: asyncpg.Connection, pepper: str, provider: str, subject: str
) -> uuid.UUID | None:
    """The person who may sign in with this identity provider's subject, if any."""
    person_id: uuid.UUID | None = await conn.fetchval(
        q.PERSON_BY_IDENTITY, provider, stored_subject(provider, subject, pepper)
    )
    return person_id


async def dev_users(conn: asyncpg.Connection, usernames: list[str]) -> list[dict[str, str]]:
    """The demo users to offer on the dev sign-in page, in the given order."""
    return [dict(r) for r in await conn.fetch(q.DEV_USERS, usernames)]


async def dev_login(
    conn: asyncpg.Connection, si: SignIn, username: str, client: str, address: str, now: datetime
) -> TokenResponse:
    async with atomic(conn):
        si.limits.by_address.hit(address, si.rates.auth_per_minute)
        person_id = await person_by_username(conn, username)
        if person_id is None:
            raise Unauthorized(Code.AUTH_UNKNOWN_USER)
        log.info("dev login as %s (%s)", username, client)
        return await _issue_pair(conn, si, person_id, client, now)


async def token(
    conn: asyncpg.Connection, si: SignIn, form: TokenRequest, address: str, now: datetime
) -> TokenResponse:
    if form.grant_type == "refresh_token":
        # Refreshes count per family (in refresh); only failed ones count against the
        # address, apart from sign-ins, so a school's NAT address is not spent by its
        # pupils' devices nor by a morning of sign-ins.
        si.limits.failures_by_address.check(address, si.rates.auth_per_minute)
        try:
            if not form.refresh_token:
                raise InvalidGrant("refresh_token is required")
            return await refresh(conn, si, form.refresh_token, now)
        except InvalidGrant:
            si.limits.failures_by_address.record(address)
            raise
    si.limits.by_address.hit(address, si.rates.auth_per_minute)
    if form.grant_type == TOKEN_EXCHANGE:
        if not form.subject_token or form.client is None:
            raise InvalidGrant("token exchange needs subject_token and client (app or web)")
        try:
            identity = await si.identity.verify(form.subject_token, now)
        except IdentityError as exc:
            log.info("token exchange refused: %s", exc)
            raise InvalidGrant(str(exc)) from exc
        except ProviderUnavailable as exc:
            raise IdentityProviderDown() from exc
        person_id = await person_by_identity(conn, si.pepper, identity.provider, identity.subject)
        if person_id is None:
            log.info("token exchange: %s subject not in the roster", identity.provider)
            raise Unauthorized(Code.AUTH_UNKNOWN_USER)
        async with conn.transaction():
            return await _issue_pair(conn, si, person_id, form.client.value, now)
    raise InvalidGrant(f"grant_type must be {TOKEN_EXCHANGE} or refresh_token")


async def refresh(conn: asyncpg.Connection, si: SignIn, refresh_token: str, now: datetime) -> TokenResponse:
    revoked_family: uuid.UUID | None = None
    async with conn.transaction():
        row = await conn.fetchrow(q.LOCK_REFRESH, _hash(refresh_token))
        if row is None:
            raise InvalidGrant("the refresh token is not known")
        if row["revoked_at"] is not None or not row["active"]:
            raise InvalidGrant("the refresh token has been revoked; sign in again")
        if row["used_at"] is not None:
            # A spent token used again means it leaked: end the whole family.
            await conn.execute(q.REVOKE_FAMILY, row["family_id"], now)
            revoked_family = row["family_id"]
        elif row["family_expires_at"] <= now:
            raise InvalidGrant("the sign-in has expired; sign in again")
        else:
            si.limits.by_family.hit(str(row["family_id"]), si.rates.refresh_per_minute)
            await conn.execute(q.MARK_USED, row["id"], now)
            return await _issue_pair(
                conn,
                si,
                row["person_id"],
                row["client"],
                now,
                (row["family_id"], row["family_expires_at"]),
            )
    log.warning("refresh token reuse: family %s revoked", revoked_family)
    raise InvalidGrant("the refresh token was already used; every session of it is signed out")


async def logout(
    conn: asyncpg.Connection,
    si: SignIn,
    person_id: uuid.UUID | None,
    refresh_token: str | None,
    device_id: uuid.UUID | None,
    address: str,
    now: datetime,
) -> None:
    """Revoke the refresh token's family and unregister the device.

    The caller is known by a valid access token or, when that has expired (an
    app signing out after a while), by the refresh token itself: holding it is
    what the family is about. A refresh token of someone else is ignored.
    """
    limit = si.rates.auth_per_minute
    si.limits.failures_by_address.check(address, limit)
    async with conn.transaction():
        if refresh_token:
            row = await conn.fetchrow(q.FAMILY_OF, _hash(refresh_token))
            if row is not None and person_id in (None, row["person_id"]):
                person_id = row["person_id"]
                await conn.execute(q.REVOKE_FAMILY, row["family_id"], now)
        if person_id is None:
            si.limits.failures_by_address.record(address)  # a guess at someone's refresh token
            raise Unauthorized(Code.AUTH_MISSING_TOKEN)
        if device_id is not None:
            # Signing out on a phone: pushes still queued for it must not follow.
            await remove_device(conn, device_id, person_id, "device signed out")
    log.info("logout of %s", person_id)
