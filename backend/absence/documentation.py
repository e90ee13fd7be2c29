"""Documented absence in upper secondary, as staff record it (README: Absence in
upper secondary).

The contact teacher or a leader records what documentation they were shown: its
kind and the days (or the time on one day) it covers — never the document, a
diagnosis or free text. Documentation by health personnel counts toward the limit
as health absence; the exempt kinds (forskrift til opplæringslova; Udir's circular
on the limit, 3.3) do not count. Every record, removal and read is audit-logged.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from backend.absence import documentation_queries as q
from backend.access.policy import (
    PupilAccess,
    require_documentation_reader,
    require_documentation_recorder,
)
from backend.audit_log.staff_reads import record_staff_read
from backend.db.transactions import atomic
from backend.problems.codes import Code
from backend.problems.errors import Conflict, Forbidden, Invalid, NotFound
from backend.schools.localtime import parse_hhmm
from schemas.absence_warnings import (
    AbsenceDocumentation,
    AbsenceDocumentationCreate,
    AbsenceDocumentationList,
    DocumentationKind,
)

UPPER_SECONDARY = range(11, 14)
MAX_SPAN_DAYS = 366
MAX_DAYS_AHEAD = 60
# Udir: absence for religious holidays of faiths other than the Church of Norway is
# exempt for up to two days a school year.
RELIGIOUS_HOLIDAY_DAYS = 2


def _doc(row: Any) -> AbsenceDocumentation:
    kind = DocumentationKind(row["kind"])
    return AbsenceDocumentation(
        id=row["id"],
        pupil_id=row["pupil_id"],
        kind=kind,
        exempt=kind.exempt,
        first_day=row["first_day"],
        last_day=row["last_day"],
        from_time=row["from_time"],
        to_time=row["to_time"],
        recorded_by=row["recorded_by"],
        recorded_at=row["recorded_at"],
    )


def _check_shape(data: AbsenceDocumentationCreate, access: PupilAccess) -> None:
    last_day = data.last_day or data.first_day
    if last_day < data.first_day:
        raise Invalid(Code.ABSENCE_LAST_BEFORE_FIRST, field="last_day")
    has_from, has_to = data.from_time is not None, data.to_time is not None
    if has_from != has_to:
        raise Invalid(Code.ABSENCE_TIMES_TOGETHER, field="to_time" if has_from else "from_time")
    if data.from_time is not None and data.to_time is not None:
        if last_day != data.first_day:
            raise Invalid(Code.ABSENCE_TIMES_SINGLE_DAY, field="last_day")
        if parse_hhmm(data.from_time) >= parse_hhmm(data.to_time):
            raise Invalid(Code.ABSENCE_TIMES_ORDER, field="to_time")
    too_long = (last_day - data.first_day).days >= MAX_SPAN_DAYS
    if too_long or data.first_day > access.local_today + timedelta(days=MAX_DAYS_AHEAD):
        raise Invalid(
            Code.ABSENCE_DOCUMENTATION_SPAN_TOO_LONG,
            field="last_day" if too_long else "first_day",
            days=MAX_SPAN_DAYS,
            ahead=MAX_DAYS_AHEAD,
        )


async def list_documentation(
    conn: asyncpg.Connection, access: PupilAccess, viewer: uuid.UUID, now: datetime
) -> AbsenceDocumentationList:
    require_documentation_reader(access)
    await record_staff_read(conn, access, viewer, "absence_documentation.read", now)
    rows = await conn.fetch(q.LIST, access.pupil_id, access.records_school_id)
    return AbsenceDocumentationList(items=[_doc(r) for r in rows])


async def record_documentation(
    conn: asyncpg.Connection,
    access: PupilAccess,
    viewer: uuid.UUID,
    data: AbsenceDocumentationCreate,
    now: datetime,
) -> AbsenceDocumentation:
    """Record documented absence (the contact teacher or a leader, grades 11–13)."""
    require_documentation_recorder(access)
    _check_shape(data, access)
    if access.grade not in UPPER_SECONDARY:
        raise Conflict(Code.ABSENCE_DOCUMENTATION_NOT_UPPER_SECONDARY)
    last_day = data.last_day or data.first_day
    async with atomic(conn):
        if data.kind is DocumentationKind.religious_holiday:
            used = await conn.fetchval(q.RELIGIOUS_DAYS, access.pupil_id, access.school_id, data.first_day)
            if used + (last_day - data.first_day).days + 1 > RELIGIOUS_HOLIDAY_DAYS:
                raise Invalid(
                    Code.ABSENCE_DOCUMENTATION_RELIGIOUS_DAYS, field="last_day", days=RELIGIOUS_HOLIDAY_DAYS
                )
        row = await conn.fetchrow(
            q.INSERT,
            uuid.uuid4(),
            access.school_id,
            access.pupil_id,
            data.kind.value,
            data.first_day,
            last_day,
            data.from_time,
            data.to_time,
            viewer,
            now,
        )
        await conn.execute(
            q.AUDIT, access.school_id, viewer, access.pupil_id, "absence_documentation.recorded", now
        )
    return _doc(row)


async def remove_documentation(
    conn: asyncpg.Connection,
    access: PupilAccess,
    viewer: uuid.UUID,
    documentation_id: uuid.UUID,
    now: datetime,
) -> None:
    require_documentation_recorder(access)
    async with atomic(conn):
        if await conn.fetchval(q.DELETE, documentation_id, access.pupil_id, access.school_id) is None:
            raise NotFound()
        await conn.execute(
            q.AUDIT, access.school_id, viewer, access.pupil_id, "absence_documentation.removed", now
        )


def may_record(access: PupilAccess) -> bool:
    """Whether the viewer may record documentation (for the page's form)."""
    try:
        require_documentation_recorder(access)
    except (Forbidden, NotFound):
        return False
    return access.grade in UPPER_SECONDARY
