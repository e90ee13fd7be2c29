"""Arranging absence for follow-up tests: past reports, marks and leave written directly."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Any

import asyncpg

from tests.support.demo import SCHOOL, person
from tests.support.routine import oslo

# Three Mondays in six weeks, the last one the demo's Monday (tests/support/demo.py).
MONDAYS = (date(2026, 10, 26), date(2026, 11, 9), date(2026, 11, 23))
# The evening of the demo's Monday: the nightly job is due.
EVENING = oslo(date(2026, 11, 23), 20, 0)


async def past_report(
    db: asyncpg.Connection, pupil: uuid.UUID, first: date, last: date | None = None, reason: str = "sick"
) -> None:
    await db.execute(
        "INSERT INTO absence_reports (id, school_id, pupil_id, first_day, last_day, reason, submitted_at,"
        " submitted_by, deadline, late) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $7, false)",
        uuid.uuid4(),
        SCHOOL,
        pupil,
        first,
        last or first,
        reason,
        datetime.combine(first, time(7, 0)).astimezone(),
        person("guardian.hansen"),
    )


async def absent_mark(db: asyncpg.Connection, pupil: uuid.UUID, class_id: uuid.UUID, day: date) -> None:
    await db.execute(
        "INSERT INTO attendance_marks (pupil_id, day, school_id, class_id, status, roll_time, marked_by,"
        " marked_at) VALUES ($1, $2, $3, $4, 'absent', '08:30', $5, $6)",
        pupil,
        day,
        SCHOOL,
        class_id,
        person("teacher.3a"),
        oslo(day, 8, 30),
    )


async def approved_leave(db: asyncpg.Connection, pupil: uuid.UUID, first: date, last: date) -> None:
    await db.execute(
        "INSERT INTO leave_requests (id, school_id, pupil_id, requested_by, first_day, last_day, reason,"
        " school_days, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'Familie', 1, 'approved', $7)",
        uuid.uuid4(),
        SCHOOL,
        pupil,
        person("guardian.hansen"),
        first,
        last,
        oslo(first, 7, 0),
    )


async def run_follow_up_job(client: Any, tokens: Any) -> dict[str, Any]:
    r = await client.post("/api/v1/dev/jobs/absence-follow-up/run", headers=await tokens.headers("leader"))
    assert r.status_code == 200, r.text
    return r.json()["effects"]  # type: ignore[no-any-return]
