"""Dev/test only: move the clock, run a job now."""

from __future__ import annotations

import logging
from datetime import datetime

import asyncpg
from litestar import Controller, post

from backend.access.guards import staff_only
from backend.edge.bodies import SMALL_BODY_LIMIT
from backend.edge.openapi import problems
from backend.lib.clock import EARLIEST, LATEST, Clock, plausible_instant
from backend.problems.codes import Code
from backend.problems.errors import Invalid, NotFound
from backend.roster.jobs import RosterSync
from schemas.dev import ClockSet, ClockState, JobRun

log = logging.getLogger("skolebro.dev")


class DevController(Controller):
    path = "/dev"
    tags = ["dev"]

    @post(
        "/clock",
        status_code=200,
        summary="Dev/test only: move the service clock",
        responses=problems(401, 403, 422),
        request_max_body_size=SMALL_BODY_LIMIT,
        # A clock moved to year 1 broke every later request until a restart: only
        # staff may move it, and only to instants every rule can compute with.
        guards=[staff_only],
    )
    async def set_clock(self, clock: Clock, data: ClockSet) -> ClockState:
        if data.now.tzinfo is None:
            raise Invalid(Code.REQUEST_INVALID, field="now")
        if not plausible_instant(data.now):
            raise Invalid(
                Code.DEV_CLOCK_RANGE, field="now", earliest=EARLIEST.isoformat(), latest=LATEST.isoformat()
            )
        clock.set(data.now)
        log.warning("service clock moved to %s", data.now.isoformat())
        return ClockState(now=clock.now())

    @post(
        "/jobs/{job:str}/run",
        status_code=200,
        summary="Dev/test only: run a scheduled job now, at the service clock",
        responses=problems(401, 404),
    )
    async def run_job(
        self, pool: asyncpg.Pool | None, now: datetime, roster_sync: RosterSync, job: str
    ) -> JobRun:
        from backend.jobs.registry import run_job

        ran_at = now
        if pool is None:
            raise RuntimeError("the database pool is not open")
        try:
            effects = await run_job(pool, job, ran_at, roster_sync)
        except KeyError as exc:
            raise NotFound(Code.JOBS_UNKNOWN) from exc
        log.warning("job %s run by hand at %s: %s", job, ran_at.isoformat(), effects)
        return JobRun(job=job, ran_at=ran_at, effects=effects)
