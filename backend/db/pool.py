"""The asyncpg pool: JSON codecs once per connection, closed gracefully."""

from __future__ import annotations

import json
import weakref
from collections.abc import AsyncIterator

import asyncpg


async def _init_connection(conn: asyncpg.Connection) -> None:
    for name in ("json", "jsonb"):
        await conn.set_type_codec(name, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


_SESSION_LOCKED: weakref.WeakSet[asyncpg.Connection] = weakref.WeakSet()


def unlock_on_release(conn: asyncpg.Connection) -> None:
    """The caller takes a session-level advisory lock that must outlive its own
    statements (and their commit); the pool releases it when the connection returns."""
    # A pooled connection is a proxy; the pool's reset sees the connection inside it.
    _SESSION_LOCKED.add(getattr(conn, "_con", None) or conn)


async def _reset_connection(conn: asyncpg.Connection) -> None:
    """Reset a released connection for its next user, without a round trip when it can.

    asyncpg has already rolled back an open transaction. Its default reset would
    then send ``SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL``
    on every release: one more round trip per request, a tenth of the service's CPU
    in the morning mix and as much again in PostgreSQL. Nothing here leaves other
    session state on a pooled connection: cursors live inside transactions,
    temporary tables are ``ON COMMIT DROP``, nobody ``SET``s or ``LISTEN``s on a
    pooled connection (the dispatcher listens on its own), and the one session-level
    lock (the absence overlap guard) says so with ``unlock_on_release``.
    """
    if conn in _SESSION_LOCKED:
        _SESSION_LOCKED.discard(conn)
        await conn.execute("SELECT pg_advisory_unlock_all()")


async def create_pool(dsn: str, *, min_size: int = 2, max_size: int = 10) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        init=_init_connection,
        reset=_reset_connection,
        command_timeout=30,
    )
    assert pool is not None
    return pool


async def close_pool(pool: asyncpg.Pool, grace_seconds: float = 10.0) -> None:
    try:
        import asyncio

        await asyncio.wait_for(pool.close(), grace_seconds)
    except TimeoutError:
        pool.terminate()


async def connection(pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
    async with pool.acquire() as conn:
        yield conn
