"""The scheduler: APScheduler 3.x ticking every minute in every replica.

It keeps no job store and decides nothing itself: each tick runs every job
at ``rt.clock.now()``, and the jobs ask the database what is due and claim
it. A first tick at start-up catches up on anything missed while down.
"""

from __future__ import annotations

import asyncio
import logging

import asyncpg
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from backend.app.runtime import Runtime
from backend.db.pool import PoolTimeouts, close_pool, create_pool
from backend.jobs.registry import job_names, run_all

log = logging.getLogger("skolebro.scheduler")

JOB_COMMAND_TIMEOUT = 600.0
# Connections of the scheduler's own pool in each API process (infra/k8s sizes the database by it).
JOBS_POOL_SIZE = 4


async def tick(rt: Runtime, pool: asyncpg.Pool | None = None) -> None:
    await run_all(pool or rt.require_pool(), rt.clock.now(), rt.settings)


async def open_jobs_pool(rt: Runtime) -> asyncpg.Pool:
    """A pool of the scheduler's own, without the request pool's few-second statement
    timeout: a job's set-based statement over a whole municipality may run longer than
    any request should, and a job killed by a request timeout would skip its pushes."""
    if rt.dsn is None:
        return rt.require_pool()
    return await create_pool(
        rt.dsn,
        min_size=1,
        max_size=JOBS_POOL_SIZE,
        # Still bounded, so a hung database cannot hold a tick for ever.
        timeouts=PoolTimeouts(connect=rt.settings.db_connect_timeout_seconds, command=JOB_COMMAND_TIMEOUT),
        statement_cache_size=rt.settings.db_statement_cache_size,
    )


async def run_scheduler(rt: Runtime) -> None:
    """Background task: tick every minute until cancelled."""
    pool = await open_jobs_pool(rt)
    try:
        await _tick_every_minute(rt, pool)
    finally:
        if pool is not rt.pool:
            await close_pool(pool)


async def _tick_every_minute(rt: Runtime, pool: asyncpg.Pool) -> None:
    scheduler = AsyncIOScheduler(timezone="UTC")
    # One tick at a time per replica; a tick that overran is skipped, not queued.
    scheduler.add_job(
        tick,
        CronTrigger(second=0, timezone="UTC"),
        args=[rt, pool],
        id="tick",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=30,
    )
    scheduler.start()
    log.info("scheduler started: %s every minute", ", ".join(job_names()))
    try:
        await tick(rt, pool)
        await asyncio.Event().wait()
    finally:
        scheduler.shutdown(wait=False)
        log.info("scheduler stopped")
