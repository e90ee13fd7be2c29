"""Reachability of a class's families, and a leader's test alert."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

import asyncpg

from backend.access.case_staff import class_staff_access
from backend.access.policy import school_leader_access
from backend.db.transactions import atomic
from backend.reachability import queries as q
from backend.schools.localtime import local_now
from notifications.kinds import Kind
from notifications.outbox import notify
from schemas.reach import (
    ClassReach,
    PupilReach,
    Reachability,
    SchoolReachability,
    TestAlertSent,
    TestAlertStatus,
)

log = logging.getLogger("skolebro.reach")


async def reachability(
    conn: asyncpg.Connection, viewer: uuid.UUID, class_id: uuid.UUID, now: datetime
) -> Reachability:
    staff = await class_staff_access(conn, viewer, class_id, now)
    pupils = [
        PupilReach(
            pupil_id=r["pupil_id"],
            name=r["name"],
            push=r["push"],
            sms=r["sms"],
            email=r["email"],
            confirmed_at=local_now(r["confirmed_at"], staff.timezone) if r["confirmed_at"] else None,
        )
        for r in await conn.fetch(q.REACHABILITY, class_id, now)
    ]
    return Reachability(
        class_id=class_id,
        pupils=pupils,
        unreachable=sum(1 for p in pupils if not (p.push or p.sms or p.email)),
    )


async def send_test_alert(
    conn: asyncpg.Connection, viewer: uuid.UUID, school_id: uuid.UUID, now: datetime
) -> TestAlertSent:
    """Every guardian with access at the school gets a non-urgent "please tap OK".

    The alert and its inbox items commit together (the API's idempotency key's
    transaction, or the portal's own)."""
    await school_leader_access(conn, viewer, school_id, now)
    async with atomic(conn):
        recipients = [r["guardian_id"] for r in await conn.fetch(q.TEST_ALERT_RECIPIENTS, school_id, now)]
        alert_id = uuid.uuid4()
        school_name = await conn.fetchval(
            q.INSERT_TEST_ALERT, alert_id, school_id, viewer, now, len(recipients)
        )
        await notify(
            conn,
            recipients=recipients,
            kind=Kind.test_alert,
            data={"test_alert_id": alert_id, "school_id": school_id},
            params={"school": school_name},
            now=now,
            collapse_key=f"test-alert-{school_id}",
        )
    log.info("test alert %s sent by %s to %d guardian(s)", alert_id, viewer, len(recipients))
    return TestAlertSent(id=alert_id, recipients=len(recipients))


async def school_reachability(
    conn: asyncpg.Connection, viewer: uuid.UUID, school_id: uuid.UUID, now: datetime
) -> SchoolReachability:
    """Every class of the school (its leaders): who cannot be reached, and the latest
    test alerts with how many guardians confirmed them."""
    school = await school_leader_access(conn, viewer, school_id, now)
    alerts = [
        TestAlertStatus(
            id=r["id"],
            sent_at=local_now(r["sent_at"], school.timezone),
            sent_by_name=r["sent_by_name"],
            recipients=r["recipients"],
            confirmed=r["confirmed"],
        )
        for r in await conn.fetch(q.TEST_ALERTS, school_id)
    ]
    latest = alerts[0].id if alerts else None
    classes = [
        ClassReach(
            class_id=r["class_id"],
            class_name=r["class_name"],
            grade=r["grade"],
            pupils=r["pupils"],
            unreachable=r["unreachable"],
            confirmed=r["confirmed"],
        )
        for r in await conn.fetch(q.SCHOOL_REACHABILITY, school_id, now, latest)
    ]
    return SchoolReachability(
        school_id=school_id,
        classes=classes,
        unreachable=sum(c.unreachable for c in classes),
        test_alerts=alerts,
    )
