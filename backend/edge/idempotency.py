"""``Idempotency-Key`` on POST: a retry gets the first answer, nothing new.

The key row is inserted first in the use case's own transaction. A
concurrent duplicate blocks on that row until the first commits and then
reads its answer; if the first rolled back, the duplicate does the work.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import asyncpg
import msgspec
from litestar import Request, Response

from backend.problems.codes import Code
from backend.problems.errors import Invalid

MAX_KEY_LENGTH = 64
T = TypeVar("T")

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


async def key_of(request: Request[Any, Any, Any], person_id: uuid.UUID) -> IdempotencyKey | None:
    key = request.headers.get("idempotency-key")
    if key is None:
        return None
    if not key.strip():
        raise Invalid(Code.IDEMPOTENCY_KEY_EMPTY, field="Idempotency-Key")
    if len(key) > MAX_KEY_LENGTH:
        raise Invalid(Code.IDEMPOTENCY_KEY_TOO_LONG, field="Idempotency-Key")
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.url.path}\n".encode())
    digest.update(await request.body())
    return IdempotencyKey(person_id, key, digest.hexdigest())


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


async def once(
    request: Request[Any, Any, Any],
    conn: asyncpg.Connection,
    person_id: uuid.UUID,
    status: int,
    work: Callable[[], Awaitable[T]],
) -> T:
    """Run a POST's use case in one transaction, under its ``Idempotency-Key`` if any.

    A retry with the same key and body gets the first answer (Litestar sends a
    ``Response`` as it is, whatever the handler's declared type); a 204 has no
    body to replay, so its retry simply does nothing new. The key is claimed
    even where the use case is idempotent by itself, so a reused key with
    another body is refused like everywhere else.
    """
    key = await key_of(request, person_id)
    async with conn.transaction():
        replay = await claim(conn, key)
        if replay is not None:
            return None if status == 204 else replay  # type: ignore[return-value]
        result = await work()
        await store(conn, key, status, result)
    return result


async def store(conn: asyncpg.Connection, key: IdempotencyKey | None, status: int, body: object) -> None:
    if key is None:
        return
    await conn.execute(_STORE, key.person_id, key.key, status, msgspec.to_builtins(body))
