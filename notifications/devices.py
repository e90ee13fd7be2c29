"""Removing push devices, in one place for everyone who does it.

A device signed out or unregistered by its owner, a token FCM no longer
accepts, or one nobody has refreshed for 270 days is deleted together with
whatever was still queued for it (those pushes must not follow).
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

import asyncpg

log = logging.getLogger("skolebro.notifications")

# FCM itself treats a token unused for 270 days as stale; the app refreshes
# its registration every time it starts, so such a phone is gone.
STALE_AFTER = timedelta(days=270)
# Finished deliveries are kept this long for support questions ("did it go?").
KEEP_DELIVERIES = timedelta(days=30)

_PRUNE_DEVICES = """
WITH gone AS (DELETE FROM devices WHERE last_seen_at < $1 RETURNING token),
dropped AS (
    UPDATE deliveries SET status = 'dropped', last_error = 'device unused for 270 days'
    WHERE token IN (SELECT token FROM gone) AND status IN ('pending', 'sending')
    RETURNING 1
)
SELECT count(*) FROM gone
"""

# $1 device, $2 person, $3 why. Counts the device removed (0 = not the person's).
_REMOVE_DEVICE = """
WITH gone AS (DELETE FROM devices WHERE id = $1 AND person_id = $2 RETURNING token),
dropped AS (
    UPDATE deliveries SET status = 'dropped', last_error = $3
    WHERE token IN (SELECT token FROM gone) AND status IN ('pending', 'sending')
    RETURNING 1
)
SELECT count(*) FROM gone
"""

_PRUNE_DELIVERIES = """
DELETE FROM deliveries
WHERE created_at < $1 AND status IN ('sent', 'failed', 'dropped')
"""

# $1 tokens FCM called unregistered or invalid, $2 the error. The deliveries
# being recorded right now are left to their own outcome (the dispatcher's
# claim guard), the rest still queued for those tokens are dropped.
FORGET_TOKENS = """
WITH gone AS (DELETE FROM devices WHERE token = any($1::text[]) RETURNING id)
UPDATE deliveries SET status = 'dropped', last_error = $2
WHERE token = any($1::text[]) AND status = 'pending'
"""


async def remove_device(
    conn: asyncpg.Connection, device_id: uuid.UUID, person_id: uuid.UUID, why: str
) -> bool:
    """Delete one of the person's devices and drop what was queued for it; False: not theirs."""
    return bool(await conn.fetchval(_REMOVE_DEVICE, device_id, person_id, why))


async def prune_stale_devices(conn: asyncpg.Connection, now: datetime) -> int:
    """Delete devices not seen for 270 days (and finished deliveries past keeping).

    Meant for a daily job; safe to run in every replica and more than once.
    """
    removed = int(await conn.fetchval(_PRUNE_DEVICES, now - STALE_AFTER))
    status = await conn.execute(_PRUNE_DELIVERIES, now - KEEP_DELIVERIES)
    old_deliveries = int(status.split()[-1])
    log.info(
        "pruned %d push devices unused for %d days and %d old deliveries",
        removed,
        STALE_AFTER.days,
        old_deliveries,
    )
    return removed
