"""The missing-pupil sweep (the routine job, and roll call for grades 1–7):
pending cases whose seek time has come are *sought*, sought cases nobody
answered in time are *escalated*.

Each transition is one conditional UPDATE in the same transaction as its
pushes, so it happens once however many schedulers race.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

import asyncpg

from backend.missing import queries as q
from backend.missing.notices import seek_notice, tell_guardians_escalated, tell_leaders_escalated
from notifications.outbox import Notice, notify_many

log = logging.getLogger("skolebro.missing")


async def seek_due(
    conn: asyncpg.Connection, now: datetime, case_ids: list[uuid.UUID] | None = None
) -> dict[str, int]:
    """Seek every pending case whose time has come (or close it if now accounted for).

    All alerts of one sweep go in with one ``notify_many`` (a morning with a
    thousand absent pupils is two statements, not two thousand).
    """
    sought = closed = 0
    notices: list[Notice] = []
    for row in await conn.fetch(q.SEEK_DUE, now, case_ids):
        if row["change"] == "closed":
            closed += 1
            log.info("missing case %s closed before seeking: now accounted for", row["id"])
            continue
        sought += 1
        notices.append(seek_notice(row))
        log.warning(
            "missing case %s: pupil %s sought, %d guardian(s) alerted",
            row["id"],
            row["pupil_id"],
            len(row["guardians"]),
        )
    pushed = len(await notify_many(conn, notices, now=now)) if notices else 0
    return {"sought": sought, "closed_before_seeking": closed, "notifications": pushed}


async def escalate_due(conn: asyncpg.Connection, now: datetime) -> dict[str, int]:
    """Escalate sought cases nobody answered within the school's limit.

    Guardians get the second urgent push per case; each school's leaders get
    one ``missing_pupil_summary`` for the whole sweep (280 escalations at once
    are one alert with the count, not 280 pushes to every leader).
    """
    escalated = pushed = 0
    schools: dict[uuid.UUID, tuple[list[uuid.UUID], list[uuid.UUID], int]] = {}
    for row in await conn.fetch(q.ESCALATE_DUE, now):
        escalated += 1
        pushed += await tell_guardians_escalated(conn, row, now)
        leaders, guardians, count = schools.get(row["school_id"], ([], [], 0))
        schools[row["school_id"]] = (
            leaders + list(row["leaders"]),
            guardians + list(row["guardians"]),
            count + 1,
        )
        log.warning("missing case %s escalated: no answer about pupil %s", row["id"], row["pupil_id"])
    for school_id, (leaders, guardians, count) in schools.items():
        pushed += await tell_leaders_escalated(conn, school_id, leaders, guardians, count, now)
    return {"escalated": escalated, "notifications": pushed}
