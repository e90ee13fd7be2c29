"""The rules of absence reports (api.md, product.md: the morning routine)."""

from __future__ import annotations

import logging
import uuid
from datetime import date, datetime, timedelta

import asyncpg

from backend.absence import queries as q
from backend.access.policy import PupilAccess, pupil_access_with
from backend.audit_log.staff_reads import record_staff_read
from backend.lib.cursors import decode_cursor, encode_cursor
from backend.problems.codes import Code
from backend.problems.errors import Conflict, Forbidden, Invalid, NotFound
from backend.schools.calendar import SchoolCalendar
from backend.schools.localtime import at_local, format_hhmm, local_now, parse_hhmm
from schemas.absence import AbsenceReason, AbsenceReport, AbsenceReportCreate, AbsenceReportPage

log = logging.getLogger("skolebro.absence")

MAX_DAYS_AHEAD = 60
MAX_SCHOOL_DAYS = 10
# Who may read the free-text note besides the person who wrote it (product.md).
NOTE_READERS = frozenset({"contact_teacher", "class_team", "school_leader"})


def _check_shape(data: AbsenceReportCreate, today: date) -> date:
    last_day = data.last_day or data.first_day
    if last_day < data.first_day:
        raise Invalid(Code.ABSENCE_LAST_BEFORE_FIRST, field="last_day")
    has_from, has_to = data.from_time is not None, data.to_time is not None
    if has_from != has_to:
        raise Invalid(Code.ABSENCE_TIMES_TOGETHER, field="to_time" if has_from else "from_time")
    if has_from:
        assert data.from_time is not None and data.to_time is not None
        if last_day != data.first_day:
            raise Invalid(Code.ABSENCE_TIMES_SINGLE_DAY, field="last_day")
        if parse_hhmm(data.from_time) >= parse_hhmm(data.to_time):
            raise Invalid(Code.ABSENCE_TIMES_ORDER, field="to_time")
    elif data.reason is AbsenceReason.other:
        raise Invalid(Code.ABSENCE_TIMES_REQUIRED, field="from_time")
    if data.first_day < today:
        raise Invalid(Code.ABSENCE_PAST_DAY, field="first_day")
    if data.first_day > today + timedelta(days=MAX_DAYS_AHEAD):
        raise Invalid(Code.ABSENCE_TOO_FAR_AHEAD, field="first_day", days=MAX_DAYS_AHEAD)
    # Ten school days can never stretch over more than this many calendar days unless
    # the school is closed in between, so refuse absurd spans before reading the calendar.
    if last_day > data.first_day + timedelta(days=MAX_DAYS_AHEAD):
        raise Invalid(Code.ABSENCE_SPAN_TOO_LONG, field="last_day", days=MAX_SCHOOL_DAYS)
    return last_day


async def report_access(
    conn: asyncpg.Connection,
    viewer: uuid.UUID,
    pupil_id: uuid.UUID,
    data: AbsenceReportCreate,
    now: datetime,
) -> tuple[PupilAccess, SchoolCalendar]:
    """The viewer's rights on the pupil and the school's calendar for the report's span,
    in one round trip."""
    access, row = await pupil_access_with(
        conn,
        viewer,
        pupil_id,
        now,
        q.ACCESS_AND_CLOSED_DAYS,
        data.first_day,
        data.last_day or data.first_day,
    )
    return access, SchoolCalendar(frozenset(row["closed"]), row["year_start"], row["year_end"])


def may_answer_a_case(access: PupilAccess, data: AbsenceReportCreate) -> bool:
    """Missing-pupil cases exist for today only, and a report cannot start in the past."""
    return data.first_day == access.local_today


async def create_report(
    conn: asyncpg.Connection,
    access: PupilAccess,
    submitter: uuid.UUID,
    data: AbsenceReportCreate,
    now: datetime,
    calendar: SchoolCalendar,
) -> AbsenceReport:
    """File a report, after ``report_access``.

    A report for a later day is one statement and may commit on its own; one for
    today may also close a missing-pupil case (backend/flows/absence_report.py files it and closes
    the case in one transaction: ``may_answer_a_case``).
    """
    access.require_report_absence()
    last_day = _check_shape(data, access.local_today)
    school_days = len(calendar.school_days(data.first_day, last_day))
    if school_days == 0:
        raise Invalid(Code.ABSENCE_NO_SCHOOL_DAY, field="first_day")
    if school_days > MAX_SCHOOL_DAYS:
        raise Invalid(Code.ABSENCE_SPAN_TOO_LONG, field="last_day", days=MAX_SCHOOL_DAYS)

    deadline = at_local(data.first_day, access.report_deadline, access.timezone)
    late = now > deadline
    report_id = uuid.uuid4()
    from_time = parse_hhmm(data.from_time) if data.from_time else None
    to_time = parse_hhmm(data.to_time) if data.to_time else None
    try:
        await conn.execute(
            q.INSERT_REPORT,
            report_id,
            access.school_id,
            access.pupil_id,
            data.first_day,
            last_day,
            from_time,
            to_time,
            data.reason.value,
            data.note,
            now,
            submitter,
            deadline,
            late,
        )
    except asyncpg.exceptions.ExclusionViolationError:
        raise Conflict(Code.ABSENCE_OVERLAP) from None
    log.info(
        "absence report %s for pupil %s %s..%s (%s)%s",
        report_id,
        access.pupil_id,
        data.first_day,
        last_day,
        data.reason.value,
        " late" if late else "",
    )
    return AbsenceReport(
        id=report_id,
        pupil_id=access.pupil_id,
        first_day=data.first_day,
        last_day=last_day,
        from_time=data.from_time,
        to_time=data.to_time,
        reason=data.reason,
        note=data.note,
        submitted_at=local_now(now, access.timezone),
        submitted_by=submitter,
        deadline=local_now(deadline, access.timezone),
        late=late,
    )


def _to_report(row: asyncpg.Record, access: PupilAccess, viewer: uuid.UUID) -> AbsenceReport:
    show_note = row["submitted_by"] == viewer or access.relation in NOTE_READERS
    return AbsenceReport(
        id=row["id"],
        pupil_id=row["pupil_id"],
        first_day=row["first_day"],
        last_day=row["last_day"],
        from_time=format_hhmm(row["from_time"]),
        to_time=format_hhmm(row["to_time"]),
        reason=AbsenceReason(row["reason"]),
        note=row["note"] if show_note else None,
        submitted_at=local_now(row["submitted_at"], access.timezone),
        submitted_by=row["submitted_by"],
        deadline=local_now(row["deadline"], access.timezone),
        late=row["late"],
    )


async def list_reports(
    conn: asyncpg.Connection,
    access: PupilAccess,
    viewer: uuid.UUID,
    first: date | None,
    last: date | None,
    cursor: str | None,
    limit: int,
    now: datetime,
) -> AbsenceReportPage:
    after = decode_cursor(cursor, 2)
    try:
        after_day = date.fromisoformat(after[0]) if after else None
        after_id = uuid.UUID(after[1]) if after else None
    except ValueError as exc:  # a cursor we did not make
        raise Invalid(Code.REQUEST_INVALID, field="cursor") from exc
    rows = await conn.fetch(
        q.LIST_REPORTS, access.pupil_id, first, last, after_day, after_id, limit + 1, access.records_school_id
    )
    await record_staff_read(conn, access, viewer, "absence_reports.read", now)
    items = [_to_report(r, access, viewer) for r in rows[:limit]]
    next_cursor = (
        encode_cursor(rows[limit - 1]["first_day"], rows[limit - 1]["id"]) if len(rows) > limit else None
    )
    return AbsenceReportPage(items=items, next_cursor=next_cursor)


async def withdraw_report(
    conn: asyncpg.Connection,
    access: PupilAccess,
    viewer: uuid.UUID,
    report_id: uuid.UUID,
    now: datetime,
) -> None:
    async with conn.transaction():
        row = await conn.fetchrow(q.REPORT_FOR_WITHDRAW, report_id, access.pupil_id)
        if row is None:
            raise NotFound()
        if row["submitted_by"] != viewer:
            raise Forbidden(Code.ABSENCE_NOT_SUBMITTER)
        if now >= row["deadline"]:
            raise Conflict(Code.ABSENCE_WITHDRAW_TOO_LATE)
        await conn.execute(q.DELETE_REPORT, report_id)
    log.info("absence report %s withdrawn by %s", report_id, viewer)
