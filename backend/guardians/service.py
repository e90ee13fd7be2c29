"""The school's decision about a guardian's access: set, lift, list; every change audited."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

import asyncpg

from backend.access.guardian_admin import guardians_access
from backend.access.policy import PupilAccess
from backend.audit_log.staff_reads import record_staff_read
from backend.guardians import queries as q
from backend.problems.errors import NotFound
from schemas.guardians import AccessSource, GuardianAccess, GuardianAccessUpdate, GuardianList, GuardianRow

log = logging.getLogger("skolebro.guardians")


def _row(r: asyncpg.Record) -> GuardianRow:
    school = r["school_access"] is not None
    return GuardianRow(
        guardian_id=r["guardian_id"],
        name=r["name"],
        access=GuardianAccess(r["access"]),
        source=AccessSource.school if school else AccessSource.roster,
        roster_access=GuardianAccess(r["roster_access"]),
        adult_consent=r["adult_consent"],
        changed_at=r["school_changed_at"],
        changed_by=r["school_changed_by"],
        reason=r["school_reason"],
    )


async def _set_school_access(
    conn: asyncpg.Connection,
    access: PupilAccess,
    guardian_id: uuid.UUID,
    viewer: uuid.UUID,
    now: datetime,
    old: str | None,
    new: str | None,
    reason: str | None,
) -> None:
    """The school's decision (None: lifted, the roster's access applies) and its history row."""
    pupil_id = access.pupil_id
    await conn.execute(q.SET_SCHOOL_ACCESS, pupil_id, guardian_id, new, viewer, now, reason)
    await conn.execute(
        q.RECORD_CHANGE, access.school_id, guardian_id, pupil_id, viewer, now, old, new, reason
    )


async def list_guardians(
    conn: asyncpg.Connection, viewer: uuid.UUID, pupil_id: uuid.UUID, now: datetime
) -> GuardianList:
    access = await guardians_access(conn, viewer, pupil_id, now, change=False)
    await record_staff_read(conn, access, viewer, "guardians.read", now)
    born = await conn.fetchval(q.BIRTH_DATE, pupil_id)
    return GuardianList(
        items=[_row(r) for r in await conn.fetch(q.LIST, pupil_id)], birth_date_missing=born is None
    )


async def set_access(
    conn: asyncpg.Connection,
    viewer: uuid.UUID,
    pupil_id: uuid.UUID,
    guardian_id: uuid.UUID,
    data: GuardianAccessUpdate,
    now: datetime,
) -> GuardianRow:
    async with conn.transaction():
        access = await guardians_access(conn, viewer, pupil_id, now, change=True)
        old = await conn.fetchrow(q.LOCK, pupil_id, guardian_id)
        if old is None:
            raise NotFound()
        await _set_school_access(
            conn, access, guardian_id, viewer, now, old["school_access"], data.access.value, data.reason
        )
        await conn.execute(
            q.AUDIT, access.school_id, viewer, pupil_id, f"guardians.set_{data.access.value}", now
        )
        row = await conn.fetchrow(q.ONE, pupil_id, guardian_id)
        if row["access"] == "none":
            await conn.execute(q.DROP_QUEUED_FOR, guardian_id, str(pupil_id))
    # No reason in the log: it may name a protected address or a court order.
    log.info("guardian %s of pupil %s set to %s by %s", guardian_id, pupil_id, data.access.value, viewer)
    return _row(row)


async def lift_access(
    conn: asyncpg.Connection, viewer: uuid.UUID, pupil_id: uuid.UUID, guardian_id: uuid.UUID, now: datetime
) -> None:
    async with conn.transaction():
        access = await guardians_access(conn, viewer, pupil_id, now, change=True)
        old = await conn.fetchrow(q.LOCK, pupil_id, guardian_id)
        if old is None:
            raise NotFound()
        if old["school_access"] is None:
            return
        await _set_school_access(conn, access, guardian_id, viewer, now, old["school_access"], None, None)
        await conn.execute(q.AUDIT, access.school_id, viewer, pupil_id, "guardians.lift", now)
    log.info("school decision on guardian %s of pupil %s lifted by %s", guardian_id, pupil_id, viewer)
