"""Scheduled work of the absence summary: subject absence warnings (grades 11–13)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import asyncpg

from backend.absence import summary_queries as q
from backend.access.audience import pupil_audiences
from notifications.kinds import Kind
from notifications.outbox import notify

log = logging.getLogger("skolebro.absence")


async def push_absence_warnings(
    conn: asyncpg.Connection, now: datetime, pupils: Sequence[uuid.UUID] | None = None
) -> dict[str, Any]:
    """Push `absence_warning` for each subject that has reached the warning level
    for the first time this school year, to the pupil and guardians with access.

    The warning row and the notification commit together; a subject already
    warned is never claimed again, so re-runs and parallel replicas push once.
    Pass `pupils` to check only those (e.g. right after recording their absence).
    """
    async with conn.transaction():
        rows = await conn.fetch(q.CLAIM_WARNINGS, now, list(pupils) if pupils is not None else None)
        audiences = await pupil_audiences(conn, [r["pupil_id"] for r in rows], now)
        for row in rows:
            audience = audiences.get(row["pupil_id"])
            if audience is None:
                continue
            await notify(
                conn,
                recipients=audience.recipients,
                kind=Kind.absence_warning,
                data={"pupil_id": str(row["pupil_id"]), "subject": row["subject"]},
                params={"pupil": audience.pupil_name, "subject": row["subject"]},
                now=now,
            )
            log.info(
                "absence warning for pupil %s in %s (%.1f %%), %d recipients",
                row["pupil_id"],
                row["subject"],
                row["percent"],
                len(audience.recipients),
            )
    return {"warned": len(rows)}
