"""``Idempotency-Key`` on POST: a retry gets the first answer, nothing new.

The key row is inserted first in the use case's own transaction. A
concurrent duplicate blocks on that row until the first commits and then
reads its answer; if the first rolled back, the duplicate does the work.
"""

from __future__ import annotations

import base64
import hashlib
import os
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

import asyncpg
import msgspec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from litestar import Request, Response

from backend.problems.codes import Code
from backend.problems.errors import Invalid

MAX_KEY_LENGTH = 64
T = TypeVar("T")
P = ParamSpec("P")

_CLAIM = """
INSERT INTO idempotency_keys (person_id, key, fingerprint) VALUES ($1, $2, $3)
ON CONFLICT DO NOTHING RETURNING true
"""
_EXISTING = """
SELECT fingerprint, status, response FROM idempotency_keys WHERE person_id = $1 AND key = $2
"""
_STORE = "UPDATE idempotency_keys SET status = $3, response = $4 WHERE person_id = $1 AND key = $2"


@dataclass(frozen=True, slots=True)
class IdempotencyKey:
    person_id: uuid.UUID
    key: str
    fingerprint: str


def checked_key(request: Request[Any, Any, Any]) -> str | None:
    """The request's ``Idempotency-Key`` header, if any; 422 for an empty or too long one."""
    key = request.headers.get("idempotency-key")
    if key is None:
        return None
    if not key.strip():
        raise Invalid(Code.IDEMPOTENCY_KEY_EMPTY, field="Idempotency-Key")
    if len(key) > MAX_KEY_LENGTH:
        raise Invalid(Code.IDEMPOTENCY_KEY_TOO_LONG, field="Idempotency-Key")
    return key


def check_key_on_post(request: Request[Any, Any, Any]) -> None:
    """The application's ``before_request``: every POST, whatever its route, refuses an
    empty or over-long key (api.md: <= 64 characters), also where nothing is stored."""
    if request.method == "POST":
        checked_key(request)


def _fingerprint(request: Request[Any, Any, Any], body: bytes) -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.url.path}\n".encode())
    digest.update(body)
    return digest.hexdigest()


async def key_of(request: Request[Any, Any, Any], person_id: uuid.UUID) -> IdempotencyKey | None:
    key = checked_key(request)
    if key is None:
        return None
    return IdempotencyKey(person_id, key, _fingerprint(request, await request.body()))


async def claim(conn: asyncpg.Connection, key: IdempotencyKey | None) -> Response[bytes] | None:
    """Own the key (None) or get the first answer to replay. Call inside the transaction."""
    if key is None:
        return None
    if await conn.fetchval(_CLAIM, key.person_id, key.key, key.fingerprint):
        return None
    row = await conn.fetchrow(_EXISTING, key.person_id, key.key)
    if row["fingerprint"] != key.fingerprint:
        raise Invalid(Code.IDEMPOTENCY_KEY_REUSED, field="Idempotency-Key")
    return Response(
        content=msgspec.json.encode(row["response"]),
        status_code=row["status"],
        media_type="application/json",
        headers={"Idempotent-Replayed": "true"},
    )


class Idempotent:
    """A POST's use case run once under its ``Idempotency-Key`` (the ``once`` dependency).

    The transaction is opened here, around the use case, so that routes never open
    one: the key row is taken in the same transaction as the work.
    """

    __slots__ = ("_conn", "_key", "_person_id", "_read", "_request")

    def __init__(
        self, request: Request[Any, Any, Any], conn: asyncpg.Connection, person_id: uuid.UUID
    ) -> None:
        self._request = request
        self._conn = conn
        self._person_id = person_id
        self._key: IdempotencyKey | None = None
        self._read = False

    async def key(self) -> IdempotencyKey | None:
        """The request's key, checked (422 for an empty or too long one); read once."""
        if not self._read:
            self._key = await key_of(self._request, self._person_id)
            self._read = True
        return self._key

    async def __call__(
        self,
        status: int,
        work: Callable[P, Awaitable[T]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run ``work(*args, **kwargs)`` in one transaction, under the key if any.

        A retry with the same key and body gets the first answer (Litestar sends a
        ``Response`` as it is, whatever the handler's declared type); a 204 has no
        body to replay, so its retry simply does nothing new. The key is claimed
        even where the use case is idempotent by itself, so a reused key with
        another body is refused like everywhere else. A use case that answers with
        a ``Response`` of its own (201 or 200) is stored with that status.
        """
        key = await self.key()
        async with self._conn.transaction():
            replay = await claim(self._conn, key)
            if replay is not None:
                return None if status == 204 else replay  # type: ignore[return-value]
            result = await work(*args, **kwargs)
            if isinstance(result, Response):
                await store(self._conn, key, result.status_code or status, result.content)
            else:
                await store(self._conn, key, status, result)
        return result

    async def single_statement(
        self, status: int, work: Callable[P, Awaitable[T]], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Like calling it, but without a key a use case of one statement runs without
        BEGIN/COMMIT: the statement commits on its own (the morning's hot path)."""
        if await self.key() is None:
            return await work(*args, **kwargs)
        return await self(status, work, *args, **kwargs)


async def store(conn: asyncpg.Connection, key: IdempotencyKey | None, status: int, body: object) -> None:
    if key is None:
        return
    await conn.execute(_STORE, key.person_id, key.key, status, msgspec.to_builtins(body))


class SignInKey:
    """``Idempotency-Key`` on ``/api/v1/auth/*``, where the caller is known only once the
    credential in the body has been checked (backend/signin/service.py's ``Retry``).

    The answer holds tokens, which the database otherwise keeps only as hashes, so it
    is stored sealed (AES-GCM) under a key derived from the request body: only a
    retry that carries the same credential can open it.
    """

    __slots__ = ("_fingerprint", "_key", "_secret")

    def __init__(self, key: str, fingerprint: str, body: bytes) -> None:
        self._key = key
        self._fingerprint = fingerprint
        self._secret = hashlib.sha256(b"skolebro idempotent sign-in\0" + body).digest()

    async def replay(self, conn: asyncpg.Connection, person_id: uuid.UUID) -> dict[str, Any] | None:
        """Claim the key for this person (None) or the first answer. Inside the transaction."""
        if await conn.fetchval(_CLAIM, person_id, self._key, self._fingerprint):
            return None
        row = await conn.fetchrow(_EXISTING, person_id, self._key)
        if row["fingerprint"] != self._fingerprint or not isinstance(row["response"], dict):
            raise Invalid(Code.IDEMPOTENCY_KEY_REUSED, field="Idempotency-Key")
        sealed = base64.b64decode(row["response"]["sealed"])
        opened = AESGCM(self._secret).decrypt(sealed[:12], sealed[12:], None)
        answer: dict[str, Any] = msgspec.json.decode(opened)
        return answer

    async def store(self, conn: asyncpg.Connection, person_id: uuid.UUID, answer: object) -> None:
        nonce = os.urandom(12)
        sealed = nonce + AESGCM(self._secret).encrypt(nonce, msgspec.json.encode(answer), None)
        await conn.execute(_STORE, person_id, self._key, 200, {"sealed": base64.b64encode(sealed).decode()})


async def sign_in_key(request: Request[Any, Any, Any]) -> SignInKey | None:
    """The sign-in request's key (422 for an empty or too long one), or None."""
    key = checked_key(request)
    if key is None:
        return None
    body = await request.body()
    return SignInKey(key, _fingerprint(request, body), body)
