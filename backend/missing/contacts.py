"""Who has been reached on a case: contacts, the call list, logged calls, delivery reports.

A guardian is reached when they open the case's alert in the app, answer
the case, or a staff member logs a call that reached them; the case's
``reached_at`` is the first of these, and the ladder stops there.
Phone numbers leave the database only through the call list (class team
and leaders, open cases, every read audited) and the person's own ``/me``.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

import asyncpg

from backend.access.case_staff import case_staff_access
from backend.db.transactions import atomic
from backend.missing import contact_queries as q
from backend.problems.codes import Code
from backend.problems.errors import Conflict, Invalid, NotFound
from backend.schools.localtime import local_now
from notifications.sms import TWILIO_STATUS
from schemas.reach import (
    CallList,
    CallListItem,
    CallLogged,
    CallOutcome,
    Channel,
    Contact,
    ContactStatus,
    MyContact,
)

log = logging.getLogger("skolebro.missing")

_CALL_STATUS = {
    CallOutcome.reached: "reached",
    CallOutcome.no_answer: "no_answer",
    CallOutcome.wrong_number: "failed",
}


async def after_read(
    conn: asyncpg.Connection, person: uuid.UUID, notification_id: uuid.UUID, now: datetime
) -> None:
    """A guardian opened an inbox item: a case alert reaches, a test alert confirms."""
    row = await conn.fetchrow(q.AFTER_READ, notification_id, person, now)
    for case_id in (row["reached"] or []) if row else []:
        log.info("missing case %s: guardian %s reached (opened the alert)", case_id, person)
    if row and row["confirmed"]:
        log.info("test alert confirmed by guardian %s", person)


async def unread_alerts(conn: asyncpg.Connection, person: uuid.UUID, case_id: uuid.UUID) -> list[uuid.UUID]:
    """The person's alerts about this case not yet opened (none for staff)."""
    return [r["id"] for r in await conn.fetch(q.UNREAD_CASE_ALERTS, case_id, person)]


async def guardian_answered(conn: asyncpg.Connection, case_id: uuid.UUID, now: datetime) -> None:
    await conn.execute(q.MARK_REACHED, case_id, now)


async def contacts(
    conn: asyncpg.Connection, case_id: uuid.UUID, timezone: str, only: uuid.UUID | None = None
) -> list[Contact]:
    return [
        Contact(
            guardian_id=r["guardian_id"],
            name=r["name"],
            channel=Channel(r["channel"]),
            status=ContactStatus(r["status"]),
            at=local_now(r["at"], timezone),
        )
        for r in await conn.fetch(q.CASE_CONTACTS, case_id, only)
    ]


async def call_list(
    conn: asyncpg.Connection, viewer: uuid.UUID, case_id: uuid.UUID, now: datetime
) -> CallList:
    """The numbers to call, for the class team and leaders while the case is open; audited."""
    async with atomic(conn):
        staff = await case_staff_access(conn, viewer, case_id, now)
        if not staff.is_open:
            raise NotFound()
        rows = await conn.fetch(q.CALL_LIST, case_id, now)
        await conn.execute(q.AUDIT_CALL_LIST, staff.school_id, viewer, staff.pupil_id, now)
        log.info("call list of missing case %s read by %s", case_id, viewer)
        return CallList(
            items=[
                CallListItem(
                    guardian_id=r["guardian_id"],
                    name=r["name"],
                    mobile=r["mobile"],
                    reached=r["reached"],
                    relation=None,
                )
                for r in rows
            ]
        )


async def log_call(
    conn: asyncpg.Connection, viewer: uuid.UUID, case_id: uuid.UUID, data: CallLogged, now: datetime
) -> Contact:
    """A staff member's phone call to a guardian; ``reached`` marks the case reached."""
    async with atomic(conn):
        staff = await case_staff_access(conn, viewer, case_id, now)
        if not staff.is_open:
            raise Conflict(Code.MISSING_ALREADY_RESOLVED)
        if not await conn.fetchval(q.CASE_GUARDIAN, case_id, data.guardian_id, now):
            raise Invalid(Code.MISSING_NOT_A_GUARDIAN, field="guardian_id")
        status = _CALL_STATUS[data.outcome]
        await conn.execute(
            q.LOG_CALL, case_id, staff.school_id, data.guardian_id, status, viewer, data.note, now
        )
        if data.outcome is CallOutcome.reached:
            await conn.execute(q.MARK_REACHED, case_id, now)
        log.info("missing case %s: call to guardian %s by %s: %s", case_id, data.guardian_id, viewer, status)
        name = await conn.fetchval("SELECT name FROM people WHERE id = $1", data.guardian_id)
        return Contact(
            guardian_id=data.guardian_id,
            name=name,
            channel=Channel.call,
            status=ContactStatus(status),
            at=local_now(now, staff.timezone),
        )


async def my_contact(conn: asyncpg.Connection, person: uuid.UUID) -> MyContact:
    row = await conn.fetchrow(q.MY_CONTACT, person)
    if row is None:
        raise NotFound()
    return MyContact(mobile=row["mobile"], email=row["email"])


async def delivery_report(
    conn: asyncpg.Connection, sid: str, provider_status: str, error_code: str | None, now: datetime
) -> bool:
    """Apply one Twilio status callback; False when it changed nothing (late or unknown)."""
    async with atomic(conn):
        ours = TWILIO_STATUS.get(provider_status)
        if ours is None:
            log.info("SMS %s: status %r from the provider ignored", sid, provider_status)
            return False
        error = f"provider error {error_code}" if error_code and ours == "failed" else None
        row = await conn.fetchrow(q.APPLY_REPORT, sid, ours, error, now)
        if row is None:
            log.info("SMS %s: report %s changed nothing (late, repeated or unknown)", sid, provider_status)
            return False
        log.log(
            logging.WARNING if ours == "failed" else logging.INFO,
            "SMS %s for missing case %s: %s%s",
            sid,
            row["case_id"],
            ours,
            f" ({error})" if error else "",
        )
        return True


__all__ = [
    "after_read",
    "call_list",
    "contacts",
    "delivery_report",
    "guardian_answered",
    "log_call",
    "my_contact",
    "unread_alerts",
]
