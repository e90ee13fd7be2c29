"""The web portal's sessions and sign-in flows as stored: keyed by token hashes only.

The cookies and forms that carry them are the web layer's (``backend/web/signed_in.py``).
"""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg

from backend.signin import portal_session_queries as q


async def store_session(
    conn: asyncpg.Connection,
    token_hash: bytes,
    person_id: uuid.UUID,
    csrf_token: str,
    now: datetime,
    seconds: int,
) -> None:
    await conn.execute(q.INSERT_SESSION, token_hash, person_id, csrf_token, now, now, seconds)


async def session_of(conn: asyncpg.Connection, token_hash: bytes, now: datetime) -> asyncpg.Record | None:
    """The unexpired session with this token: person, CSRF token, name and locale."""
    row: asyncpg.Record | None = await conn.fetchrow(q.SESSION, token_hash, now)
    return row


async def delete_session(conn: asyncpg.Connection, token_hash: bytes) -> None:
    await conn.execute(q.DELETE_SESSION, token_hash)


async def store_flow(
    conn: asyncpg.Connection,
    state_hash: bytes,
    provider: str,
    nonce: str,
    code_verifier: str,
    next_path: str,
    now: datetime,
) -> None:
    await conn.execute(q.INSERT_FLOW, state_hash, provider, nonce, code_verifier, next_path, now)


async def take_flow(conn: asyncpg.Connection, state_hash: bytes, now: datetime) -> asyncpg.Record | None:
    """The unexpired sign-in flow with this state, deleted as it is taken (used once)."""
    row: asyncpg.Record | None = await conn.fetchrow(q.TAKE_FLOW, state_hash, now)
    return row
