"""The asyncpg pool: JSON codecs once per connection, timeouts, closed gracefully."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import asyncpg

log = logging.getLogger("skolebro.db")


@dataclass(frozen=True, slots=True)
class PoolTimeouts:
    """How long the pool waits on the database; None waits for ever (the CLI's long jobs).

    ``statement`` is PostgreSQL's own ``statement_timeout``, sent at connect; PgBouncer
    refuses unknown start-up parameters, so behind it set 0 and put it on the role.
    """

    connect: float | None = 60.0
    command: float | None = None
    statement: float | None = None


async def _init_connection(conn: asyncpg.Connection) -> None:
    for name in ("json", "jsonb"):
        await conn.set_type_codec(name, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def _keep_session(conn: asyncpg.Connection) -> None:
    """What a connection needs on its way back to the pool beyond asyncpg's own part
    (which rolls back a transaction left open): nothing.

    asyncpg's default reset (unlock all advisory locks, CLOSE ALL, UNLISTEN *, RESET ALL)
    is a round trip on every request, a tenth of the database's work in the morning mix.
    Requests keep no session state to undo: locks are transaction-level, cursors live in
    transactions, settings are SET LOCAL, and LISTEN and the migration lock use their own
    connections (tests/ops/test_pool.py keeps it so).
    """


async def create_pool(
    dsn: str,
    *,
    min_size: int = 2,
    max_size: int = 10,
    timeouts: PoolTimeouts | None = None,
    statement_cache_size: int = 100,
    plan_cache_mode: str = "",
) -> asyncpg.Pool:
    """``plan_cache_mode`` is sent as PostgreSQL's setting at connect ("" sends none;
    PgBouncer refuses it as a start-up parameter)."""
    limits = timeouts or PoolTimeouts(command=30)
    server_settings = {}
    if limits.statement:
        server_settings["statement_timeout"] = str(int(limits.statement * 1000))
    if plan_cache_mode:
        server_settings["plan_cache_mode"] = plan_cache_mode
    pool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        init=_init_connection,
        reset=_keep_session,
        command_timeout=limits.command,
        timeout=limits.connect,
        statement_cache_size=statement_cache_size,
        server_settings=server_settings or None,
    )
    assert pool is not None
    return pool


async def close_pool(pool: asyncpg.Pool, grace_seconds: float = 10.0) -> None:
    try:
        await asyncio.wait_for(pool.close(), grace_seconds)
    except TimeoutError:
        pool.terminate()


def is_database_failure(exc: BaseException) -> bool:
    """The database went away, hung or refused: the request should get a 503."""
    return isinstance(
        exc,
        TimeoutError
        | OSError
        | asyncpg.InterfaceError
        | asyncpg.exceptions.PostgresConnectionError
        | asyncpg.exceptions.OperatorInterventionError
        | asyncpg.exceptions.InsufficientResourcesError,
    )


@asynccontextmanager
async def connection(
    pool: asyncpg.Pool, acquire_timeout: float | None = None
) -> AsyncIterator[asyncpg.Connection]:
    """A pooled connection for one request.

    After a database failure the connection is closed rather than given back: a
    connection whose query timed out on a hung server would otherwise be reset on
    release, and the reset waits on the same hung server, holding the answer.
    """
    conn = await pool.acquire(timeout=acquire_timeout)
    try:
        yield conn
    except BaseException as exc:
        if is_database_failure(exc) or isinstance(exc, asyncio.CancelledError):
            # A connection the server closed is already detached from its pool proxy.
            with contextlib.suppress(asyncpg.InterfaceError):
                conn.terminate()
        raise
    finally:
        try:
            await pool.release(conn, timeout=acquire_timeout)
        except Exception as exc:
            # The pool has dropped the connection (asyncpg terminates it on a failed
            # reset); raising here would replace the request's own error with this one.
            if not is_database_failure(exc):
                raise
            log.info("database connection dropped on release: %s", exc)
