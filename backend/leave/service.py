"""The rules of leave requests (product.md: Leave; api.md: Leave).

Guardians with full access (and pupils of 18 or more) apply through the web
portal only; the contact teacher decides requests of up to the school's
limit of school days, a school leader any. Approved leave is what the
attendance board shows as ``leave`` and what keeps a missing-pupil case
from opening, so status, first_day and last_day are the facts that matter.
"""

from __future__ import annotations

import logging
import uuid
from datetime import date, datetime, timedelta

import asyncpg

from backend.access.policy import PupilAccess, may_decide_leave, pupil_access, staff_relation
from backend.db.transactions import atomic
from backend.leave import queries as q
from backend.lib.cursors import decode_instant_cursor, encode_cursor
from backend.problems.codes import Code
from backend.problems.errors import Conflict, Forbidden, Invalid, NotFound
from backend.schools.calendar import SchoolCalendar
from backend.schools.localtime import local_now
from notifications.kinds import Kind
from notifications.outbox import notify
from schemas.leave import (
    LeaveDecisionCreate,
    LeaveListFilter,
    LeaveRequest,
    LeaveRequestCreate,
    LeaveRequestPage,
    LeaveStatus,
)

log = logging.getLogger("skolebro.leave")

# Leave is planned ahead, but not a school year and more ahead.
MAX_DAYS_AHEAD = 365
MAX_SPAN_DAYS = 92
# Staff who decide; a class-team member sees requests but does not decide.
DECIDERS = frozenset({"contact_teacher", "school_leader"})


def require_web_client(client: str) -> None:
    """Leave is applied for in the web portal only (product.md), never in the app."""
    if client != "web":
        raise Forbidden(Code.LEAVE_WEB_ONLY)


def _require_applicant(access: PupilAccess) -> None:
    # can_report_absence is exactly "guardian with full access of a minor, or
    # the pupil themself from 18" — the same people who may apply for leave.
    if access.can_report_absence:
        return
    if access.relation == "guardian":
        raise Forbidden(Code.LEAVE_READ_ONLY)
    raise Forbidden(Code.LEAVE_NOT_APPLICANT)


def _check_span(data: LeaveRequestCreate, today: date) -> None:
    if not data.reason.strip():
        raise Invalid(Code.LEAVE_REASON_BLANK, field="reason")
    if data.last_day < data.first_day:
        raise Invalid(Code.LEAVE_LAST_BEFORE_FIRST, field="last_day")
    if data.first_day < today:
        raise Invalid(Code.LEAVE_PAST_DAY, field="first_day")
    if data.first_day > today + timedelta(days=MAX_DAYS_AHEAD):
        raise Invalid(Code.LEAVE_TOO_FAR_AHEAD, field="first_day", days=MAX_DAYS_AHEAD)
    if (data.last_day - data.first_day).days + 1 > MAX_SPAN_DAYS:
        raise Invalid(Code.LEAVE_SPAN_TOO_LONG, field="last_day", days=MAX_SPAN_DAYS)


async def create_request(
    conn: asyncpg.Connection,
    client: str,
    requester: uuid.UUID,
    pupil_id: uuid.UUID,
    data: LeaveRequestCreate,
    now: datetime,
) -> LeaveRequest:
    """File a request and push the class team. Runs inside the caller's transaction."""
    async with atomic(conn):
        require_web_client(client)
        access = await pupil_access(conn, requester, pupil_id, now)
        _require_applicant(access)
        _check_span(data, access.local_today)
        ctx = await conn.fetchrow(
            q.CREATE_CONTEXT,
            str(pupil_id),
            access.school_id,
            access.class_id,
            data.first_day,
            data.last_day,
            now,
        )
        calendar = SchoolCalendar(frozenset(ctx["closed"]), ctx["starts_on"], ctx["ends_on"])
        school_days = len(calendar.school_days(data.first_day, data.last_day))
        if school_days == 0:
            raise Invalid(Code.LEAVE_NO_SCHOOL_DAY, field="first_day")
        request_id = uuid.uuid4()
        inserted = await conn.fetchval(
            q.INSERT_REQUEST,
            request_id,
            access.school_id,
            pupil_id,
            requester,
            data.first_day,
            data.last_day,
            data.reason,
            school_days,
            now,
        )
        if inserted is None:
            raise Conflict(Code.LEAVE_OVERLAP)
        team = list(ctx["team"])
        if school_days > access.leave_teacher_max_days:
            # Beyond the contact teacher's limit only a leader decides: tell them too.
            team += ctx["leaders"]
        team = [p for p in dict.fromkeys(team) if p != requester]
        await notify(
            conn,
            recipients=team,
            kind=Kind.leave_request,
            data={"pupil_id": str(pupil_id), "request_id": str(request_id), "class_id": str(access.class_id)},
            params={"pupil": access.pupil_name, "class_name": access.class_name},
            now=now,
        )
        log.info(
            "leave request %s for pupil %s %s..%s (%d school days) by %s; staff of %s told (%d)",
            request_id,
            pupil_id,
            data.first_day,
            data.last_day,
            school_days,
            requester,
            access.class_name,
            len(team),
        )
        return await _one(conn, requester, request_id, now)


def _may_decide(row: asyncpg.Record) -> bool:
    if row["status"] != "pending" or row["is_guardian"] or row["is_self"]:
        return False
    relation = staff_relation(row["staff_roles"])
    return may_decide_leave(relation, row["school_days"], row["leave_teacher_max_days"])


def _to_request(row: asyncpg.Record) -> LeaveRequest:
    tz = row["timezone"]
    return LeaveRequest(
        id=row["id"],
        pupil_id=row["pupil_id"],
        pupil_name=row["pupil_name"],
        class_id=row["class_id"],
        class_name=row["class_name"],
        first_day=row["first_day"],
        last_day=row["last_day"],
        reason=row["reason"],
        school_days=row["school_days"],
        status=LeaveStatus(row["status"]),
        requested_by=row["requested_by"],
        requested_by_name=row["requested_by_name"],
        created_at=local_now(row["created_at"], tz),
        decided_by=row["decided_by"],
        decided_by_name=row["decided_by_name"],
        decided_at=local_now(row["decided_at"], tz) if row["decided_at"] else None,
        comment=row["decision_comment"],
        can_decide=_may_decide(row),
    )


async def _one(
    conn: asyncpg.Connection, viewer: uuid.UUID, request_id: uuid.UUID, now: datetime
) -> LeaveRequest:
    row = await conn.fetchrow(q.ONE_REQUEST, viewer, now, request_id)
    return _to_request(row)


async def list_requests(
    conn: asyncpg.Connection,
    viewer: uuid.UUID,
    status: LeaveListFilter | None,
    cursor: str | None,
    limit: int,
    now: datetime,
    pupil_id: uuid.UUID | None = None,
) -> LeaveRequestPage:
    """The requests the viewer may see (``pupil_id``: only that pupil's, for the pupil page)."""
    after_at, after_id = decode_instant_cursor(cursor)
    rows = await conn.fetch(
        q.LIST_REQUESTS,
        viewer,
        now,
        status.value if status else None,
        after_at,
        after_id,
        limit + 1,
        pupil_id,
    )
    page = rows[:limit]
    # Staff reading a pupil's leave is a read of their absence: audit it.
    staff_reads = {
        (r["school_id"], r["pupil_id"])
        for r in page
        if r["staff_roles"] and not r["is_guardian"] and not r["is_self"]
    }
    if staff_reads:
        schools, pupils = zip(*staff_reads, strict=True)
        await conn.execute(q.AUDIT_READS, viewer, now, list(schools), list(pupils))
    next_cursor = (
        encode_cursor(rows[limit - 1]["created_at"].isoformat(), rows[limit - 1]["id"])
        if len(rows) > limit
        else None
    )
    return LeaveRequestPage(items=[_to_request(r) for r in page], next_cursor=next_cursor)


async def decide(
    conn: asyncpg.Connection,
    viewer: uuid.UUID,
    request_id: uuid.UUID,
    data: LeaveDecisionCreate,
    now: datetime,
) -> LeaveRequest:
    """Approve or reject; pushes ``leave_decision``. Runs inside the caller's transaction.

    Approved leave also closes the missing-pupil cases of those days: backend/flows/leave_decision.py.
    """
    row = await conn.fetchrow(q.LOCK_REQUEST, request_id)
    if row is None:
        raise NotFound()
    access = await pupil_access(conn, viewer, row["pupil_id"], now)
    if access.school_id != row["school_id"]:
        # A request from the pupil's earlier school is not this school's to see.
        raise NotFound()
    # A guardian (even one who also works at the school) does not decide their own
    # child's leave; a class-team member sees the request but does not decide.
    if access.relation not in DECIDERS:
        if access.relation in ("guardian", "self", "class_team"):
            raise Forbidden(Code.LEAVE_NOT_DECIDER)
        raise NotFound()  # a subject teacher never sees leave requests
    if row["status"] != "pending":
        raise Conflict(Code.LEAVE_ALREADY_DECIDED)
    if not may_decide_leave(access.relation, row["school_days"], access.leave_teacher_max_days):
        raise Forbidden(Code.LEAVE_NEEDS_LEADER, days=row["school_days"], limit=access.leave_teacher_max_days)
    status = LeaveStatus.approved if data.approved else LeaveStatus.rejected
    await conn.execute(q.DECIDE, request_id, status.value, viewer, now, data.comment)
    guardians = await conn.fetch(q.GUARDIANS_WITH_ACCESS, row["pupil_id"], now)
    recipients = [g["guardian_id"] for g in guardians]
    if access.adulthood.reports_own_absence:
        recipients.append(row["pupil_id"])
    await notify(
        conn,
        recipients=[r for r in recipients if r != viewer],
        kind=Kind.leave_decision,
        data={"pupil_id": str(row["pupil_id"]), "request_id": str(request_id)},
        params={"pupil": access.pupil_name},
        now=now,
    )
    log.info(
        "leave request %s %s by %s (%s); %d told",
        request_id,
        status.value,
        viewer,
        access.relation,
        len(recipients),
    )
    return await _one(conn, viewer, request_id, now)


async def teacher_max_days(conn: asyncpg.Connection, pupil_ids: list[uuid.UUID]) -> int | None:
    """The contact teacher's day limit at these pupils' school: a hint for the form."""
    if not pupil_ids:
        return None
    days: int | None = await conn.fetchval(q.TEACHER_DAYS, pupil_ids)
    return days
