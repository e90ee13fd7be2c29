"""An absence report for today also answers the pupil's open missing-pupil cases."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

import asyncpg

from backend.absence import service as absence
from backend.access.policy import PupilAccess
from backend.db.transactions import atomic
from backend.missing import hooks as missing
from backend.problems.errors import DomainError
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


class ReportRefused(Exception):
    """One child's report of several was refused; none of them was filed."""

    def __init__(self, pupil_id: uuid.UUID, error: DomainError) -> None:
        super().__init__(error.code)
        self.pupil_id = pupil_id
        self.error = error


async def file_absence_reports(
    conn: asyncpg.Connection,
    submitter: uuid.UUID,
    pupil_ids: Sequence[uuid.UUID],
    data: AbsenceReportCreate,
    now: datetime,
) -> list[AbsenceReport]:
    """The same report for several children at once (a family down with the flu), all or
    nothing: each child's access and calendar are checked as for one report, and the
    first refusal undoes the rest (``ReportRefused`` names the child)."""
    filed: list[AbsenceReport] = []
    async with atomic(conn):
        for pupil_id in pupil_ids:
            try:
                access, calendar = await absence.report_access(conn, submitter, pupil_id, data, now)
                filed.append(await file_absence_report(conn, access, submitter, data, now, calendar))
            except DomainError as exc:
                raise ReportRefused(pupil_id, exc) from exc
    return filed
