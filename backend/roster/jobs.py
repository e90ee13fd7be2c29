"""The nightly ``roster-sync`` job: once a day, from the earliest ``roster_sync_at``
of the schools (default 05:00, Oslo time), when a OneRoster provider is configured."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import asyncpg

from backend.app.settings import Settings
from backend.jobs.base import Job

log = logging.getLogger("skolebro.roster.sync")

# The claim row keeps it to one replica and one run a day; a failed run is not
# retried every minute against a provider that is down (the log says so, and
# `skolebro roster sync` runs it by hand).
CLAIM = """
WITH due AS (SELECT coalesce(min(roster_sync_at), '05:00') AS at FROM schools)
INSERT INTO job_claims (job, unit_id, local_date, claimed_at)
SELECT 'roster-sync', '00000000-0000-0000-0000-000000000000',
       ($1::timestamptz AT TIME ZONE 'Europe/Oslo')::date, $1
FROM due WHERE ($1::timestamptz AT TIME ZONE 'Europe/Oslo')::time >= due.at
ON CONFLICT DO NOTHING RETURNING true
"""


def roster_sync_job(settings: Settings | None) -> Job:
    """The job for these settings (None: the process environment, read when it runs)."""

    async def run(pool: asyncpg.Pool, now: datetime) -> dict[str, Any]:
        from backend.roster.oneroster.model import RosterError
        from backend.roster.rest import SyncError, sync_roster

        current = settings or Settings.from_env()
        if not current.oneroster_configured:
            return {"synced": 0}
        async with pool.acquire() as conn:
            if not await conn.fetchval(CLAIM, now):
                return {"synced": 0}
            try:
                summary = await sync_roster(conn, current, now=now)
            except (SyncError, RosterError) as exc:
                log.error("nightly roster sync failed, nothing was changed: %s", exc)
                return {"synced": 0, "failed": 1}
        return {
            "synced": 1,
            "created": sum(summary.created.values()),
            "changed": sum(summary.updated.values()),
            "removed": sum(summary.removed.values()),
            "warnings": summary.warning_count,
        }

    return run
