"""Scheduled work of the assessments domain: publishing what has come due."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import asyncpg

from backend.assessments import queries as q
from backend.assessments.service import push_published

log = logging.getLogger("skolebro.assessments")

BATCH = 500


async def publish_due_assessments(conn: asyncpg.Connection, now: datetime) -> dict[str, Any]:
    """Push `assessment_published` for every scheduled assessment now due.

    Each batch is claimed and pushed in one transaction: the claim sets
    `published_notified_at`, so a re-run, a crash after commit or a second
    replica never pushes an item twice, and a crash before commit leaves it
    due for the next run.
    """
    published = notified = 0
    while True:
        async with conn.transaction():
            rows = await conn.fetch(q.CLAIM_DUE, now, BATCH)
            if rows:
                notified += await push_published(
                    conn, [(r["id"], r["pupil_id"], r["subject"]) for r in rows], now
                )
        published += len(rows)
        if len(rows) < BATCH:
            break
    if published:
        log.info("published %d scheduled assessments (%d recipients notified)", published, notified)
    return {"published": published, "notified": notified}
