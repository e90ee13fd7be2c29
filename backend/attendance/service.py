"""The morning board, roll call and the class team's check (api.md: Morning check).

Who: the class team (contact teacher, class-team members) and the school's
leaders, while the class's school year runs. Everyone else — subject
teachers, guardians, pupils, other schools — gets 404: the board lists a
whole class's absence, which only those responsible for the class see.
There is no read-only view of a board, so there is no 403 here.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time

import asyncpg

from backend.attendance import queries as q
from backend.db.transactions import atomic
from backend.problems.codes import Code
from backend.problems.errors import Invalid, NotFound
from backend.schools.calendar import SchoolCalendar
from backend.schools.localtime import local_now
from schemas.absence import AbsenceReason
from schemas.attendance import Board, BoardPupil, BoardStatus, MarkStatus, RollCall
from schemas.problem import FieldError

log = logging.getLogger("skolebro.attendance")


@dataclass(frozen=True, slots=True)
class ClassContext:
    """A class as its class team sees it, on the day asked for."""

    class_id: uuid.UUID
    name: str
    school_id: uuid.UUID
    timezone: str
    first_lesson_start: time
    local_today: date
    local_time: time
    day: date
    is_school_day: bool
    roles: frozenset[str]


async def class_context(
    conn: asyncpg.Connection,
    viewer: uuid.UUID,
    class_id: uuid.UUID,
    day: date | None,
    now: datetime,
) -> ClassContext:
    row = await conn.fetchrow(q.CLASS_ACCESS, viewer, class_id, now, day)
    if row is None or not row["roles"]:
        raise NotFound()
    calendar = SchoolCalendar(
        frozenset([row["day"]] if row["closed"] else []), row["starts_on"], row["ends_on"]
    )
    return ClassContext(
        class_id=row["id"],
        name=row["name"],
        school_id=row["school_id"],
        timezone=row["timezone"],
        first_lesson_start=row["first_lesson_start"],
        local_today=row["local_today"],
        local_time=row["local_time"],
        day=row["day"],
        is_school_day=calendar.is_school_day(row["day"]),
        roles=frozenset(row["roles"]),
    )


def _require_register_day(ctx: ClassContext) -> None:
    if ctx.day > ctx.local_today:
        raise Invalid(Code.ATTENDANCE_FUTURE_DAY, field="date")
    if not ctx.is_school_day:
        raise Invalid(Code.ATTENDANCE_NOT_SCHOOL_DAY, field="date")


def _status(row: asyncpg.Record) -> BoardStatus:
    if row["mark"] in ("present", "late"):
        return BoardStatus(row["mark"])
    if row["report_id"] is not None:
        return BoardStatus.reported
    if row["leave_id"] is not None:
        return BoardStatus.leave
    if row["mark"] == "absent":
        return BoardStatus.absent
    return BoardStatus.unregistered


async def board(conn: asyncpg.Connection, ctx: ClassContext, viewer: uuid.UUID, now: datetime) -> Board:
    rows = await conn.fetch(q.BOARD, ctx.class_id, ctx.day)
    pupils: list[BoardPupil] = []
    absence_shown: list[uuid.UUID] = []
    for r in rows:
        if r["pupil_id"] is None:
            continue
        status = _status(r)
        reported = status is BoardStatus.reported
        pupils.append(
            BoardPupil(
                pupil_id=r["pupil_id"],
                name=r["name"],
                status=status,
                reason=AbsenceReason(r["reason"]) if reported else None,
                report_id=r["report_id"] if reported else None,
                missing_case_id=r["case_id"],
            )
        )
        if status in (BoardStatus.reported, BoardStatus.leave, BoardStatus.absent):
            absence_shown.append(r["pupil_id"])
    if absence_shown:
        # Staff reading pupils' absence is audited (product.md: who may see what).
        await conn.execute(q.AUDIT_BOARD, ctx.school_id, viewer, now, absence_shown)
    completed = rows[0]["completed_at"] if rows else None
    return Board(
        class_id=ctx.class_id,
        date=ctx.day,
        check_completed_at=local_now(completed, ctx.timezone) if completed else None,
        pupils=pupils,
    )


async def get_board(
    conn: asyncpg.Connection,
    viewer: uuid.UUID,
    class_id: uuid.UUID,
    day: date | None,
    now: datetime,
) -> Board:
    ctx = await class_context(conn, viewer, class_id, day, now)
    return await board(conn, ctx, viewer, now)


@dataclass(frozen=True, slots=True)
class MarksRecorded:
    """What a roll call changed, for the missing-pupil cases (backend/flows/roll_call.py)."""

    ctx: ClassContext
    roll_time: time
    arrived: list[uuid.UUID]
    newly_absent: list[uuid.UUID]


async def record_marks(
    conn: asyncpg.Connection,
    viewer: uuid.UUID,
    class_id: uuid.UUID,
    day: date,
    data: RollCall,
    now: datetime,
) -> MarksRecorded:
    """Record (or correct) the roll call, in the caller's transaction."""
    ctx = await class_context(conn, viewer, class_id, day, now)
    _require_register_day(ctx)
    pupils = [m.pupil_id for m in data.marks]
    if len(set(pupils)) != len(pupils):
        raise Invalid(Code.ATTENDANCE_DUPLICATE_PUPIL, field="marks")
    absent = sorted({m.pupil_id for m in data.marks if m.status is MarkStatus.absent})
    # The moment the marks speak for: now, but never before the first lesson;
    # a correction of an earlier day speaks for that day's first lesson.
    roll_time = (
        max(ctx.local_time.replace(microsecond=0), ctx.first_lesson_start)
        if day == ctx.local_today
        else ctx.first_lesson_start
    )
    check = await conn.fetchrow(q.LOCK_AND_CHECK, class_id, day, pupils, absent)
    if check["strangers"]:
        raise Invalid(
            Code.ATTENDANCE_NOT_IN_CLASS,
            errors=[
                FieldError(field="marks", message=f"pupil {p} is not in this class")
                for p in check["strangers"]
            ],
        )
    changed = await conn.fetch(
        q.UPSERT_MARKS,
        ctx.school_id,
        class_id,
        day,
        pupils,
        [m.status.value for m in data.marks],
        roll_time,
        viewer,
        now,
    )
    log.info(
        "roll call %s %s by %s: %d mark(s), %d changed", ctx.name, day, viewer, len(pupils), len(changed)
    )
    return MarksRecorded(
        ctx=ctx,
        roll_time=roll_time,
        arrived=[c["pupil_id"] for c in changed if c["status"] in ("present", "late")],
        newly_absent=[c["pupil_id"] for c in changed if c["status"] == "absent"],
    )


async def complete_check(
    conn: asyncpg.Connection,
    viewer: uuid.UUID,
    class_id: uuid.UUID,
    day: date,
    now: datetime,
) -> Board:
    """The class team has checked the day's absence: no 09:00 reminder for it.

    Runs inside the caller's transaction (it holds the idempotency key).
    Completing again keeps the first completion time.
    """
    async with atomic(conn):
        ctx = await class_context(conn, viewer, class_id, day, now)
        _require_register_day(ctx)
        await conn.execute(q.COMPLETE, class_id, day, ctx.school_id, viewer, now)
        log.info("absence check of %s %s completed by %s", ctx.name, day, viewer)
        return await board(conn, ctx, viewer, now)
