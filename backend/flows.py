"""The flows that span domains, owned in one place.

A domain's service knows its own rules and nothing of the others'; what one
event means for another domain is decided here, in the caller's transaction:

- an absence report for today answers (closes) the pupil's open missing-pupil cases;
- a case answered "sick at home" files a sick report for the day;
- approved leave closes the open cases of its days.

Routes (API and web) call these instead of the services for these use cases, so
``absence``, ``missing`` and ``leave`` never import one another.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

import asyncpg

from backend.absence import service as absence
from backend.access.policy import PupilAccess
from backend.leave import service as leave
from backend.missing import answering as missing_answers
from backend.missing import hooks as missing_hooks
from backend.problems.errors import Conflict, Invalid
from backend.schools.calendar import SchoolCalendar
from backend.schools.localtime import parse_hhmm
from schemas.absence import AbsenceReason, AbsenceReport, AbsenceReportCreate
from schemas.leave import LeaveDecisionCreate, LeaveRequest, LeaveStatus
from schemas.missing import MissingCase, ResolveCase

log = logging.getLogger("skolebro.flows")


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
        await missing_hooks.report_filed(
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


async def resolve_case(
    conn: asyncpg.Connection, viewer: uuid.UUID, case_id: uuid.UUID, data: ResolveCase, now: datetime
) -> MissingCase:
    """Answer a case; "sick at home" today files a sick report for the day. In a transaction."""
    resolved = await missing_answers.resolve(conn, viewer, case_id, data, now)
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


async def decide_leave(
    conn: asyncpg.Connection,
    viewer: uuid.UUID,
    request_id: uuid.UUID,
    data: LeaveDecisionCreate,
    now: datetime,
) -> LeaveRequest:
    """Approve or reject a request; approved leave accounts for its days, so the open
    cases of those days close. In a transaction."""
    decided = await leave.decide(conn, viewer, request_id, data, now)
    if decided.status is LeaveStatus.approved:
        await missing_hooks.leave_approved(
            conn,
            pupil_id=decided.pupil_id,
            first_day=decided.first_day,
            last_day=decided.last_day,
            actor=viewer,
            now=now,
        )
    return decided
