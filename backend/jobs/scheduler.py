"""The scheduler: APScheduler 3.x ticking every minute in every replica.

It keeps no job store and decides nothing itself: each tick runs every job
at the process clock's now, and the jobs ask the database what is due and claim
it. A first tick at start-up catches up on anything missed while down.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import asyncpg
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from backend.db.pool import PoolTimeouts, close_pool, create_pool
from backend.db.settings import DatabaseSettings
from backend.jobs.registry import job_names, run_all
from backend.roster.jobs import RosterSync

log = logging.getLogger("skolebro.scheduler")

JOB_COMMAND_TIMEOUT = 600.0
# Connections of the scheduler's own pool in each API process (infra/k8s sizes the database by it).
JOBS_POOL_SIZE = 4


@dataclass(frozen=True, slots=True)
class SchedulerContext:
    """What the scheduler needs of the process (given by backend/app/background.py)."""

    # The request pool: the jobs' own pool is opened beside it, or it is used when
    # there is no DSN to open one with.
    pool: asyncpg.Pool
    dsn: str | None
    database: DatabaseSettings
    now: Callable[[], datetime]
    roster: RosterSync | None = None


async def tick(context: SchedulerContext, pool: asyncpg.Pool | None = None) -> None:
    await run_all(pool or context.pool, context.now(), context.roster)


async def open_jobs_pool(context: SchedulerContext) -> asyncpg.Pool:
    """A pool of the scheduler's own, without the request pool's few-second statement
    timeout: a job's set-based statement over a whole municipality may run longer than
    any request should, and a job killed by a request timeout would skip its pushes."""
    if context.dsn is None:
        return context.pool
    return await create_pool(
        context.dsn,
        min_size=1,
        max_size=JOBS_POOL_SIZE,
        # Still bounded, so a hung database cannot hold a tick for ever.
        timeouts=PoolTimeouts(connect=context.database.connect_timeout_seconds, command=JOB_COMMAND_TIMEOUT),
        statement_cache_size=context.database.statement_cache_size,
    )


async def run_scheduler(context: SchedulerContext) -> None:
    """Background task: tick every minute until cancelled."""
    pool = await open_jobs_pool(context)
    try:
        await _tick_every_minute(context, pool)
    finally:
        if pool is not context.pool:
            await close_pool(pool)


async def _tick_every_minute(context: SchedulerContext, pool: asyncpg.Pool) -> None:
    scheduler = AsyncIOScheduler(timezone="UTC")
    # One tick at a time per replica; a tick that overran is skipped, not queued.
    scheduler.add_job(
        tick,
        CronTrigger(second=0, timezone="UTC"),
        args=[context, pool],
        id="tick",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=30,
    )
    scheduler.start()
    log.info("scheduler started: %s every minute", ", ".join(job_names()))
    try:
        await tick(context, pool)
        await asyncio.Event().wait()
    finally:
        scheduler.shutdown(wait=False)
        log.info("scheduler stopped")
