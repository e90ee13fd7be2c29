"""Start-up and shutdown: database, migrations, pool, background work."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import asyncpg
from litestar import Litestar

from backend.app.runtime import Runtime
from backend.db.embedded import start_embedded
from backend.db.migrate import apply_migrations
from backend.db.pool import PoolTimeouts, close_pool, create_pool
from backend.db.schema_files import SchemaError
from backend.ops.heap import freeze_startup_heap

log = logging.getLogger("skolebro")

BackgroundTask = Callable[[Runtime], Coroutine[Any, Any, None]]


async def resolve_dsn(rt: Runtime) -> str:
    if rt.dsn:
        return rt.dsn
    if rt.settings.database.url:
        rt.dsn = rt.settings.database.url
    else:
        rt.dsn = await asyncio.to_thread(start_embedded, rt.settings.data_dir)
    return rt.dsn


def direct_dsn(rt: Runtime) -> str | None:
    """A connection that is a real session (LISTEN, advisory locks): not through PgBouncer."""
    return rt.settings.database.direct_url or rt.dsn


def request_timeouts(rt: Runtime) -> PoolTimeouts:
    s = rt.settings.database
    return PoolTimeouts(
        connect=s.connect_timeout_seconds,
        command=s.command_timeout_seconds or None,
        statement=s.statement_timeout_seconds or None,
    )


def request_plan_cache_mode(rt: Runtime) -> str:
    """The plan_cache_mode the request pool sends at connect, "" for none.

    Without a statement cache (PgBouncer in transaction mode) every statement is
    unnamed and planned each time anyway, and PgBouncer refuses the start-up parameter.
    The CLI's imports and jobs keep PostgreSQL's own choice of plans.
    """
    s = rt.settings.database
    if s.statement_cache_size == 0 or s.plan_cache_mode == "none":
        return ""
    return s.plan_cache_mode


async def open_database(rt: Runtime, *, serving: bool = False) -> None:
    """Open the pool and migrate. ``serving``: with the request timeouts (the CLI's
    imports and jobs may run single statements longer than any request should)."""
    dsn = await resolve_dsn(rt)
    rt.pool = await create_pool(
        dsn,
        min_size=rt.settings.database.pool_min_size,
        max_size=rt.settings.database.pool_max_size,
        timeouts=request_timeouts(rt) if serving else None,
        statement_cache_size=rt.settings.database.statement_cache_size,
        plan_cache_mode=request_plan_cache_mode(rt) if serving else "",
    )
    try:
        applied = await migrate(rt, rt.pool)
    except SchemaError as exc:
        # The service does not start on a schema it cannot trust (a changed migration).
        log.error("not starting: %s", exc)
        await close_pool(rt.pool)
        rt.pool = None
        raise
    if applied:
        log.info("database migrated: %s", ", ".join(applied))


async def migrate(rt: Runtime, pool: asyncpg.Pool) -> list[str]:
    # Migrations use the direct connection when there is one. Their advisory lock is
    # transaction-level (one transaction for the whole run), so PgBouncer would not break it.
    migrator = direct_dsn(rt)
    if rt.settings.database.direct_url and migrator:
        conn = await asyncpg.connect(migrator, statement_cache_size=rt.settings.database.statement_cache_size)
        try:
            return await apply_migrations(conn)
        finally:
            await conn.close()
    async with pool.acquire() as pooled:
        return await apply_migrations(pooled)


def lifespan_for(
    rt: Runtime, background: list[BackgroundTask]
) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await open_database(rt, serving=True)
        tasks = [asyncio.create_task(task(rt)) for task in background]
        if rt.settings.env != "test":
            # Not in tests: they build many apps in one process, and what is frozen stays.
            freeze_startup_heap()
        log.info("skolebro ready (%s)", rt.settings.env)
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            for listener in rt.listeners.values():
                await listener.close()
            if rt.pool is not None:
                await close_pool(rt.pool)
                rt.pool = None
            log.info("skolebro stopped")

    return lifespan
