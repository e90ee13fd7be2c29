"""The scheduler: APScheduler 3.x ticking every minute in every replica.

It keeps no job store and decides nothing itself: each tick runs every job
at ``rt.clock.now()``, and the jobs ask the database what is due and claim
it. A first tick at start-up catches up on anything missed while down.
"""

from __future__ import annotations

import asyncio
import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from backend.jobs.registry import job_names, run_all
from backend.runtime import Runtime

log = logging.getLogger("skolebro.scheduler")


async def tick(rt: Runtime) -> None:
    await run_all(rt.require_pool(), rt.clock.now(), rt.settings)


async def run_scheduler(rt: Runtime) -> None:
    """Background task: tick every minute until cancelled."""
    scheduler = AsyncIOScheduler(timezone="UTC")
    # One tick at a time per replica; a tick that overran is skipped, not queued.
    scheduler.add_job(
        tick,
        CronTrigger(second=0, timezone="UTC"),
        args=[rt],
        id="tick",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=30,
    )
    scheduler.start()
    log.info("scheduler started: %s every minute", ", ".join(job_names()))
    try:
        await tick(rt)
        await asyncio.Event().wait()
    finally:
        scheduler.shutdown(wait=False)
        log.info("scheduler stopped")
