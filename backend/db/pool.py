"""The asyncpg pool: JSON codecs once per connection, closed gracefully."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import asyncpg


async def _init_connection(conn: asyncpg.Connection) -> None:
    for name in ("json", "jsonb"):
        await conn.set_type_codec(name, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def create_pool(dsn: str, *, min_size: int = 2, max_size: int = 10) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        init=_init_connection,
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
