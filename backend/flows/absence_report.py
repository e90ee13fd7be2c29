"""An absence report for today also answers the pupil's open missing-pupil cases."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg

from backend.absence import service as absence
from backend.access.policy import PupilAccess
from backend.missing import hooks as missing
from backend.schools.calendar import SchoolCalendar
from backend.schools.localtime import parse_hhmm
from schemas.absence import AbsenceReport, AbsenceReportCreate


async def file_absence_report(
    conn: asyncpg.Connection,
    access: PupilAccess,
    submitter: uuid.UUID,
    data: AbsenceReportCreate,
    now: datetime,
    calendar: SchoolCalendar,
) -> AbsenceReport:
    """File a report; one for today also answers the pupil's open cases (api.md: a late
    report resolves it). In a transaction when ``absence.may_answer_a_case``."""
    report = await absence.create_report(conn, access, submitter, data, now, calendar)
    if absence.may_answer_a_case(access, data):
        await missing.report_filed(
            conn,
            access,
            first_day=report.first_day,
            last_day=report.last_day,
            from_time=parse_hhmm(report.from_time) if report.from_time else None,
            to_time=parse_hhmm(report.to_time) if report.to_time else None,
            submitter=submitter,
            now=now,
        )
    return report
