"""Scheduled work that belongs to other domains, plugged into the scheduler."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from backend.absence.summary_jobs import push_absence_warnings
from backend.assessments.jobs import publish_due_assessments
from backend.jobs.registry import register


async def publish_assessments(pool: asyncpg.Pool, now: datetime) -> dict[str, Any]:
    async with pool.acquire() as conn:
        return await publish_due_assessments(conn, now)


async def absence_warnings(pool: asyncpg.Pool, now: datetime) -> dict[str, Any]:
    # Cheap when nothing is new: the claim query only returns subjects past the
    # warning level that have not been warned this school year.
    async with pool.acquire() as conn:
        return await push_absence_warnings(conn, now)


register("publish-assessments", publish_assessments)
register("absence-warnings", absence_warnings)
