"""What other domains' use cases call about missing-pupil cases, inside their
own transaction (which holds the pupil's lock): roll call opens and closes
cases, an absence report or approved leave answers them.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import date, datetime, time

import asyncpg

from backend.access.policy import PupilAccess
from backend.missing import queries as q
from backend.missing.notices import ALERTED, tell_closed
from backend.missing.sweep import seek_due

log = logging.getLogger("skolebro.missing")


async def after_roll_call(
    conn: asyncpg.Connection,
    *,
    school_id: uuid.UUID,
    class_id: uuid.UUID,
    day: date,
    today: date,
    roll_time: time,
    arrived: Sequence[uuid.UUID],
    newly_absent: Sequence[uuid.UUID],
    actor: uuid.UUID,
    now: datetime,
) -> None:
    """Close the cases of pupils who turned up; open cases for the newly absent.

    Runs inside the roll call's transaction, which holds the pupils' locks.
    Cases open only for today: a correction of an earlier day's register
    does not send anyone looking for a child.
    """
    if arrived:
        for c in await conn.fetch(q.CLOSE_ARRIVED, list(arrived), day, actor, now):
            log.info("missing case %s closed: pupil %s marked present by %s", c["id"], c["pupil_id"], actor)
            await tell_closed(conn, c, "arrived", actor, now)
    if newly_absent and day == today:
        opened = await conn.fetch(
            q.OPEN_CASES, school_id, class_id, day, roll_time, sorted(newly_absent), actor, now
        )
        for c in opened:
            log.info("missing case %s opened for pupil %s by %s", c["id"], c["pupil_id"], actor)
        if opened:
            # Grades 1–7 are sought at once during the first lesson.
            await seek_due(conn, now, [c["id"] for c in opened])


async def report_filed(
    conn: asyncpg.Connection,
    access: PupilAccess,
    *,
    first_day: date,
    last_day: date,
    from_time: time | None,
    to_time: time | None,
    submitter: uuid.UUID,
    now: datetime,
) -> None:
    """A new absence report answers the open cases it accounts for.

    Called by the absence service inside the report's transaction (which holds
    the pupil's lock). A pending case closes silently; a sought or escalated
    one is called off and the class team told at once (``late_absence_report``).
    """
    closed = await conn.fetch(
        q.CLOSE_ACCOUNTED,
        access.pupil_id,
        first_day,
        last_day,
        from_time,
        to_time,
        submitter,
        now,
        "reported",
    )
    for c in closed:
        alerted = c["was"] in ALERTED
        log.info(
            "missing case %s resolved by an absence report%s",
            c["id"],
            " (search called off)" if alerted else " before seeking",
        )
        if alerted:
            await tell_closed(conn, c, "reported", submitter, now, late_report=True)


async def leave_approved(
    conn: asyncpg.Connection,
    *,
    pupil_id: uuid.UUID,
    first_day: date,
    last_day: date,
    actor: uuid.UUID,
    now: datetime,
) -> None:
    """Approved leave accounts for the days it covers: close their open cases.

    For the leave service to call inside the decision's transaction. Cases not
    yet sought close silently (the sweep would also close them at seek time);
    a sought case is closed and whoever was alerted told.
    """
    closed = await conn.fetch(
        q.CLOSE_ACCOUNTED, pupil_id, first_day, last_day, None, None, actor, now, "leave"
    )
    for c in closed:
        log.info("missing case %s resolved by approved leave", c["id"])
        await tell_closed(conn, c, "leave", actor, now)
