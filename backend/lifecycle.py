"""Start-up and shutdown: database, migrations, pool, background work."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from litestar import Litestar

from backend.db.embedded import start_embedded
from backend.db.migrate import apply_migrations
from backend.db.pool import close_pool, create_pool
from backend.runtime import Runtime

log = logging.getLogger("skolebro")

BackgroundTask = Callable[[Runtime], Coroutine[Any, Any, None]]


async def resolve_dsn(rt: Runtime) -> str:
    if rt.dsn:
        return rt.dsn
    if rt.settings.database_url:
        rt.dsn = rt.settings.database_url
    else:
        rt.dsn = await asyncio.to_thread(start_embedded, rt.settings.data_dir)
    return rt.dsn


async def open_database(rt: Runtime) -> None:
    dsn = await resolve_dsn(rt)
    rt.pool = await create_pool(dsn, min_size=rt.settings.pool_min_size, max_size=rt.settings.pool_max_size)
    async with rt.pool.acquire() as conn:
        applied = await apply_migrations(conn)
    if applied:
        log.info("database migrated: %s", ", ".join(applied))


def lifespan_for(
    rt: Runtime, background: list[BackgroundTask]
) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await open_database(rt)
        tasks = [asyncio.create_task(task(rt)) for task in background]
        log.info("skolebro ready (%s)", rt.settings.env)
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if rt.pool is not None:
                await close_pool(rt.pool)
                rt.pool = None
            log.info("skolebro stopped")

    return lifespan
