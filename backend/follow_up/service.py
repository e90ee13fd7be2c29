"""The rules of absence follow-ups (product.md: Following up absence; api.md: Absence follow-up).

Staff-only: the contact teacher of the pupil's class and the school's leaders
(backend/access/follow_up_staff.py); every read is in the audit log. Actions are
coded (no free text, so no health details) and a follow-up closes only with at
least one logged. Opening is the nightly job's (``jobs.py``).
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

import asyncpg
import msgspec

from backend.access.follow_up_staff import follow_up_roles
from backend.access.policy import PupilAccess
from backend.db.transactions import atomic
from backend.follow_up import queries as q
from backend.lib.cursors import decode_instant_cursor, encode_cursor
from backend.problems.codes import Code
from backend.problems.errors import Conflict, Invalid, NotFound
from backend.schools.localtime import local_now
from schemas.follow_ups import (
    ActionKind,
    FollowUp,
    FollowUpAction,
    FollowUpActionCreate,
    FollowUpDetail,
    FollowUpPage,
    FollowUpStatus,
    RuleMet,
)
from schemas.problem import FieldError

log = logging.getLogger("skolebro.follow_up")

READ = "follow_ups.read"


def _fields(row: asyncpg.Record) -> dict[str, object]:
    tz = row["timezone"]
    return {
        "id": row["id"],
        "pupil_id": row["pupil_id"],
        "pupil_name": row["pupil_name"],
        "class_id": row["class_id"],
        "class_name": row["class_name"],
        "school_id": row["school_id"],
        "status": FollowUpStatus(row["status"]),
        "opened_at": local_now(row["opened_at"], tz),
        "closed_at": local_now(row["closed_at"], tz) if row["closed_at"] else None,
        "owner_id": row["owner_id"],
        "rules": msgspec.convert(row["rules"], list[RuleMet]),
    }


async def _audit(
    conn: asyncpg.Connection, viewer: uuid.UUID, rows: list[asyncpg.Record], now: datetime
) -> None:
    if rows:
        await conn.execute(
            q.AUDIT_READS, viewer, now, [r["school_id"] for r in rows], [r["pupil_id"] for r in rows], READ
        )


async def list_follow_ups(
    conn: asyncpg.Connection,
    viewer: uuid.UUID,
    status: FollowUpStatus | None,
    class_id: uuid.UUID | None,
    school_id: uuid.UUID | None,
    cursor: str | None,
    limit: int,
    now: datetime,
    *,
    pupil_id: uuid.UUID | None = None,
) -> FollowUpPage:
    """The follow-ups the viewer answers for: a contact teacher their classes', a leader the
    school's (``pupil_id``: only that pupil's, for the pupil page)."""
    after_at, after_id = decode_instant_cursor(cursor)
    async with atomic(conn):
        rows = await conn.fetch(
            q.LIST,
            viewer,
            now,
            status.value if status else None,
            class_id,
            school_id,
            after_at,
            after_id,
            limit + 1,
            pupil_id,
        )
        page = rows[:limit]
        # Who has a follow-up is itself about a pupil's absence: an audited read.
        await _audit(conn, viewer, page, now)
    next_cursor = (
        encode_cursor(rows[limit - 1]["opened_at"].isoformat(), rows[limit - 1]["id"])
        if len(rows) > limit
        else None
    )
    return FollowUpPage(items=[FollowUp(**_fields(r)) for r in page], next_cursor=next_cursor)  # type: ignore[arg-type]


async def pupil_follow_ups(
    conn: asyncpg.Connection, access: PupilAccess, viewer: uuid.UUID, now: datetime
) -> list[FollowUp] | None:
    """The pupil's follow-ups for the pupil page; None for a viewer who does not answer
    for follow-ups (only the contact teacher and the school's leaders do)."""
    if access.relation not in ("contact_teacher", "school_leader"):
        return None
    listed = await list_follow_ups(conn, viewer, None, None, None, None, 50, now, pupil_id=access.pupil_id)
    return listed.items


async def _detail(conn: asyncpg.Connection, row: asyncpg.Record) -> FollowUpDetail:
    actions = await conn.fetch(q.ACTIONS, row["id"])
    tz = row["timezone"]
    return FollowUpDetail(
        **_fields(row),  # type: ignore[arg-type]
        actions=[
            FollowUpAction(
                id=a["id"],
                kind=ActionKind(a["kind"]),
                on=a["on_day"],
                by_id=a["by_id"],
                by_name=a["by_name"],
                logged_at=local_now(a["logged_at"], tz),
            )
            for a in actions
        ],
    )


async def get_follow_up(
    conn: asyncpg.Connection, viewer: uuid.UUID, follow_up_id: uuid.UUID, now: datetime
) -> FollowUpDetail:
    async with atomic(conn):
        await follow_up_roles(conn, viewer, follow_up_id, now)
        row = await conn.fetchrow(q.ONE, viewer, now, follow_up_id)
        if row is None:
            raise NotFound()
        await _audit(conn, viewer, [row], now)
        return await _detail(conn, row)


async def _locked(
    conn: asyncpg.Connection, viewer: uuid.UUID, follow_up_id: uuid.UUID, now: datetime
) -> asyncpg.Record:
    await follow_up_roles(conn, viewer, follow_up_id, now)
    row = await conn.fetchrow(q.ONE_FOR_UPDATE, viewer, now, follow_up_id)
    if row is None:
        raise NotFound()
    return row


async def log_action(
    conn: asyncpg.Connection,
    viewer: uuid.UUID,
    follow_up_id: uuid.UUID,
    data: FollowUpActionCreate,
    now: datetime,
) -> FollowUpAction:
    """Log a coded action; runs inside the caller's transaction (the idempotency key's)."""
    async with atomic(conn):
        row = await _locked(conn, viewer, follow_up_id, now)
        if row["status"] != "open":
            raise Conflict(Code.FOLLOW_UP_CLOSED)
        today = local_now(now, row["timezone"]).date()
        if data.on > today or data.on < row["opened_on"]:
            raise Invalid(
                Code.FOLLOW_UP_ACTION_DAY,
                errors=[FieldError(field="on", message=f"between {row['opened_on']} and {today}")],
            )
        action_id = uuid.uuid4()
        await conn.execute(q.INSERT_ACTION, action_id, follow_up_id, data.kind.value, data.on, viewer, now)
        name = await conn.fetchval(q.PERSON_NAME, viewer)
    log.info("follow-up %s: action %s on %s by %s", follow_up_id, data.kind.value, data.on, viewer)
    return FollowUpAction(
        id=action_id,
        kind=data.kind,
        on=data.on,
        by_id=viewer,
        by_name=name,
        logged_at=local_now(now, row["timezone"]),
    )


async def close(
    conn: asyncpg.Connection, viewer: uuid.UUID, follow_up_id: uuid.UUID, now: datetime
) -> FollowUpDetail:
    """Close a follow-up that has at least one action (409 ``follow_up.no_action`` otherwise)."""
    async with atomic(conn):
        row = await _locked(conn, viewer, follow_up_id, now)
        if row["status"] != "open":
            raise Conflict(Code.FOLLOW_UP_CLOSED)
        if not await conn.fetchval(q.HAS_ACTION, follow_up_id):
            raise Conflict(Code.FOLLOW_UP_NO_ACTION)
        today = local_now(now, row["timezone"]).date()
        await conn.execute(q.CLOSE, follow_up_id, now, today, viewer)
        log.info("follow-up %s closed by %s", follow_up_id, viewer)
        closed = await conn.fetchrow(q.ONE, viewer, now, follow_up_id)
        return await _detail(conn, closed)
