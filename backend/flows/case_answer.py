"""A missing-pupil case answered "sick at home" today files a sick report for the day."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

import asyncpg

from backend.absence import service as absence
from backend.db.transactions import atomic
from backend.flows.absence_report import file_absence_report
from backend.missing import answering as missing
from backend.problems.errors import Conflict, Invalid
from schemas.absence import AbsenceReason, AbsenceReportCreate
from schemas.missing import MissingCase, ResolveCase

log = logging.getLogger("skolebro.flows")


async def resolve_case(
    conn: asyncpg.Connection, viewer: uuid.UUID, case_id: uuid.UUID, data: ResolveCase, now: datetime
) -> MissingCase:
    """Answer a case; "sick at home" today files a sick report for the day, in one transaction
    (the caller's when it has one: the API's idempotent POST)."""
    async with atomic(conn):
        return await _resolve(conn, viewer, case_id, data, now)


async def _resolve(
    conn: asyncpg.Connection, viewer: uuid.UUID, case_id: uuid.UUID, data: ResolveCase, now: datetime
) -> MissingCase:
    resolved = await missing.resolve(conn, viewer, case_id, data, now)
    if resolved.files_sick_report:
        case = resolved.case
        report = AbsenceReportCreate(first_day=case.date, reason=AbsenceReason.sick, note=data.note)
        try:
            access, calendar = await absence.report_access(conn, viewer, case.pupil_id, report, now)
            # A savepoint: a report refused for overlap must not abort the answer's transaction.
            async with conn.transaction():
                await file_absence_report(conn, access, viewer, report, now, calendar)
        except Conflict:
            # A report for part of the day exists already; the answer still stands.
            log.info("missing case %s: a report already covers the day", case_id)
        except Invalid as exc:
            # Not a day a report can be filed for (e.g. closed since); keep the answer.
            log.info("missing case %s: no sick report filed (%s)", case_id, exc.code)
    return resolved.case
