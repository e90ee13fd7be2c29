"""Scheduled work that belongs to other domains, plugged into the scheduler."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from backend.absence.jobs import absence_warnings as draft_and_send_absence_warnings
from backend.assessments.jobs import publish_due_assessments
from notifications.devices import prune_stale_devices


async def publish_assessments(pool: asyncpg.Pool, now: datetime) -> dict[str, Any]:
    async with pool.acquire() as conn:
        return await publish_due_assessments(conn, now)


async def absence_warnings(pool: asyncpg.Pool, now: datetime) -> dict[str, Any]:
    # Cheap when nothing is new: the claim query only returns subjects past the
    # warning level whose draft is new or changed, and the e-mail outbox is indexed.
    async with pool.acquire() as conn:
        return await draft_and_send_absence_warnings(conn, now)


# Once a UTC day is enough for housekeeping; the claim row keeps it to one replica.
_CLAIM_DAILY = """
INSERT INTO job_claims (job, unit_id, local_date, claimed_at)
VALUES ($1, '00000000-0000-0000-0000-000000000000', ($2::timestamptz AT TIME ZONE 'UTC')::date, $2)
ON CONFLICT DO NOTHING RETURNING true
"""


async def prune_devices(pool: asyncpg.Pool, now: datetime) -> dict[str, Any]:
    async with pool.acquire() as conn, conn.transaction():
        if not await conn.fetchval(_CLAIM_DAILY, "prune-devices", now):
            return {"devices_removed": 0}
        return {"devices_removed": await prune_stale_devices(conn, now)}
