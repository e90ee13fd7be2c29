"""Sign-in use cases: dev login, token exchange, refresh rotation, logout."""

from __future__ import annotations

import hashlib
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import asyncpg
import msgspec

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


class Retry(Protocol):
    """The request's ``Idempotency-Key`` (backend/edge/idempotency.py's ``SignInKey``):
    claimed for the person the credential names, inside the use case's transaction."""

    async def replay(self, conn: asyncpg.Connection, person_id: uuid.UUID) -> dict[str, Any] | None: ...
    async def store(self, conn: asyncpg.Connection, person_id: uuid.UUID, answer: object) -> None: ...


# A phone often loses the answer to a refresh (api.md: Auth): the just-spent token
# presented again this soon after its rotation is a retry, not a theft.
RETRY_WINDOW = timedelta(seconds=30)


class _Reused(Exception):
    """A spent refresh token used again outside the retry window (its family ends)."""

    def __init__(self, family_id: uuid.UUID) -> None:
        self.family_id = family_id


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
    parent_id: uuid.UUID | None = None,
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
        parent_id,
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


async def _once(
    conn: asyncpg.Connection, retry: Retry | None, person_id: uuid.UUID, issue: Any
) -> TokenResponse:
    """``issue()`` under the request's key: a retry gets the first pair. In a transaction."""
    if retry is not None:
        first = await retry.replay(conn, person_id)
        if first is not None:
            return msgspec.convert(first, TokenResponse)
    pair: TokenResponse = await issue()
    if retry is not None:
        await retry.store(conn, person_id, pair)
    return pair


async def dev_login(
    conn: asyncpg.Connection,
    si: SignIn,
    username: str,
    client: str,
    address: str,
    now: datetime,
    retry: Retry | None = None,
) -> TokenResponse:
    async with atomic(conn):
        si.limits.by_address.hit(address, si.rates.auth_per_minute)
        person_id = await person_by_username(conn, username)
        if person_id is None:
            raise Unauthorized(Code.AUTH_UNKNOWN_USER)
        log.info("dev login as %s (%s)", username, client)
        return await _once(conn, retry, person_id, lambda: _issue_pair(conn, si, person_id, client, now))


async def token(
    conn: asyncpg.Connection,
    si: SignIn,
    form: TokenRequest,
    address: str,
    now: datetime,
    retry: Retry | None = None,
) -> TokenResponse:
    if form.grant_type == "refresh_token":
        # Refreshes count per family (in refresh); only failed ones count against the
        # address, apart from sign-ins, so a school's NAT address is not spent by its
        # pupils' devices nor by a morning of sign-ins.
        si.limits.failures_by_address.check(address, si.rates.auth_per_minute)
        try:
            if not form.refresh_token:
                raise InvalidGrant("refresh_token is required")
            return await refresh(conn, si, form.refresh_token, now, retry)
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
        client = form.client.value
        async with conn.transaction():
            return await _once(conn, retry, person_id, lambda: _issue_pair(conn, si, person_id, client, now))
    raise InvalidGrant(f"grant_type must be {TOKEN_EXCHANGE} or refresh_token")


async def refresh(
    conn: asyncpg.Connection, si: SignIn, refresh_token: str, now: datetime, retry: Retry | None = None
) -> TokenResponse:
    """Rotate a refresh token: the family gets a new one and the presented one is spent.

    The just-spent token presented again within ``RETRY_WINDOW`` of its rotation, while
    the token it was rotated to is still unused, is a retry: that successor is revoked
    and a new pair issued, so the family again holds exactly one live token. Any other
    use of a spent token means it leaked, and the whole family ends.
    """
    try:
        async with conn.transaction():
            row = await conn.fetchrow(q.LOCK_REFRESH, _hash(refresh_token))
            if row is None:
                raise InvalidGrant("the refresh token is not known")
            if row["revoked_at"] is not None or not row["active"]:
                raise InvalidGrant("the refresh token has been revoked; sign in again")
            if retry is not None:
                first = await retry.replay(conn, row["person_id"])
                if first is not None:
                    return msgspec.convert(first, TokenResponse)
            if row["used_at"] is not None:
                if now - row["used_at"] > RETRY_WINDOW:
                    raise _Reused(row["family_id"])
                # Successors are locked so that two retries racing take turns.
                successors = await conn.fetch(q.LOCK_SUCCESSORS, row["id"])
                if any(s["used_at"] is not None for s in successors):
                    raise _Reused(row["family_id"])  # the successor is in use: not a lost answer
                await conn.execute(q.REVOKE_SUCCESSORS, row["id"], now)
                log.info("refresh retried within the window: family %s", row["family_id"])
            if row["family_expires_at"] <= now:
                raise InvalidGrant("the sign-in has expired; sign in again")
            si.limits.by_family.hit(str(row["family_id"]), si.rates.refresh_per_minute)
            if row["used_at"] is None:
                await conn.execute(q.MARK_USED, row["id"], now)
            pair = await _issue_pair(
                conn,
                si,
                row["person_id"],
                row["client"],
                now,
                (row["family_id"], row["family_expires_at"]),
                parent_id=row["id"],
            )
            if retry is not None:
                await retry.store(conn, row["person_id"], pair)
            return pair
    except _Reused as reused:
        # Out of the rolled-back transaction: the revocation must stay.
        await conn.execute(q.REVOKE_FAMILY, reused.family_id, now)
        log.warning("refresh token reuse: family %s revoked", reused.family_id)
    raise InvalidGrant("the refresh token was already used; every session of it is signed out")


async def logout(
    conn: asyncpg.Connection,
    si: SignIn,
    person_id: uuid.UUID | None,
    refresh_token: str | None,
    device_id: uuid.UUID | None,
    address: str,
    now: datetime,
    retry: Retry | None = None,
) -> None:
    """Revoke the refresh token's family and unregister the device.

    The caller is known by a valid access token or, when that has expired (an
    app signing out after a while), by the refresh token itself: holding it is
    what the family is about. A refresh token of someone else is ignored.
    """
    limit = si.rates.auth_per_minute
    si.limits.failures_by_address.check(address, limit)
    async with conn.transaction():
        family_id: uuid.UUID | None = None
        if refresh_token:
            row = await conn.fetchrow(q.FAMILY_OF, _hash(refresh_token))
            if row is not None and person_id in (None, row["person_id"]):
                person_id = row["person_id"]
                family_id = row["family_id"]
        if person_id is None:
            si.limits.failures_by_address.record(address)  # a guess at someone's refresh token
            raise Unauthorized(Code.AUTH_MISSING_TOKEN)
        if retry is not None and await retry.replay(conn, person_id) is not None:
            return  # signed out already; a 204 has nothing to replay
        if family_id is not None:
            await conn.execute(q.REVOKE_FAMILY, family_id, now)
        if device_id is not None:
            # Signing out on a phone: pushes still queued for it must not follow.
            await remove_device(conn, device_id, person_id, "device signed out")
        if retry is not None:
            await retry.store(conn, person_id, {})
    log.info("logout of %s", person_id)
