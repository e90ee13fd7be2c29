"""Reading missing-pupil cases: the list a viewer may see and one case with
its events and attempts to reach the family. Staff reads are audited."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import asyncpg

from backend.lib.cursors import decode_instant_cursor, encode_cursor
from backend.missing import contacts
from backend.missing import queries as q
from backend.problems.errors import NotFound
from backend.schools.localtime import local_now
from schemas.missing import (
    CaseEvent,
    CaseFilter,
    CaseStatus,
    MissingCase,
    MissingCasePage,
    Outcome,
    Resolution,
)
from schemas.reach import Contact


def _to_case(
    row: asyncpg.Record,
    viewer: uuid.UUID,
    events: list[CaseEvent] | None = None,
    contacts: list[Contact] | None = None,
) -> MissingCase:
    tz = row["timezone"]

    def local(v: datetime | None) -> datetime | None:
        return local_now(v, tz) if v is not None else None

    resolution = None
    if row["outcome"] is not None:
        # A note may be about health: the class team and leaders read it, and the
        # person who wrote it, never another guardian (product.md).
        show_note = row["staff"] or row["resolved_by"] == viewer
        resolution = Resolution(
            outcome=Outcome(row["outcome"]),
            note=row["resolution_note"] if show_note else None,
            resolved_by=row["resolved_by"],
            resolved_by_name=row["resolved_by_name"],
        )
    return MissingCase(
        id=row["id"],
        pupil_id=row["pupil_id"],
        pupil_name=row["pupil_name"],
        class_id=row["class_id"],
        class_name=row["class_name"],
        date=row["day"],
        status=CaseStatus(row["status"]),
        opened_at=local_now(row["opened_at"], tz),
        sought_at=local(row["sought_at"]),
        escalated_at=local(row["escalated_at"]),
        resolved_at=local(row["resolved_at"]),
        reached_at=local(row["reached_at"]),
        resolution=resolution,
        events=events,
        contacts=contacts,
        call_requested_at=local(row["call_requested_at"]),
    )


async def _audit(conn: asyncpg.Connection, viewer: uuid.UUID, rows: Sequence[Any], now: datetime) -> None:
    # A case tells staff about a pupil's absence: staff reads go to the audit log.
    staff_rows = [r for r in rows if r["staff"]]
    if staff_rows:
        await conn.execute(
            q.AUDIT_READS,
            viewer,
            now,
            [r["school_id"] for r in staff_rows],
            [r["pupil_id"] for r in staff_rows],
        )


async def list_cases(
    conn: asyncpg.Connection,
    viewer: uuid.UUID,
    status: CaseFilter | None,
    day: date | None,
    cursor: str | None,
    limit: int,
    now: datetime,
) -> MissingCasePage:
    after_at, after_id = decode_instant_cursor(cursor)
    rows = await conn.fetch(
        q.VISIBLE_CASES,
        viewer,
        now,
        status.value if status else None,
        day,
        after_at,
        after_id,
        limit + 1,
        None,
    )
    await _audit(conn, viewer, rows[:limit], now)
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor(last["opened_at"].isoformat(), last["id"])
    return MissingCasePage(items=[_to_case(r, viewer) for r in rows[:limit]], next_cursor=next_cursor)


async def visible_case(
    conn: asyncpg.Connection, viewer: uuid.UUID, case_id: uuid.UUID, now: datetime
) -> asyncpg.Record:
    row = await conn.fetchrow(q.VISIBLE_CASES, viewer, now, None, None, None, None, 1, case_id)
    if row is None:
        raise NotFound()
    return row


async def get_case(
    conn: asyncpg.Connection, viewer: uuid.UUID, case_id: uuid.UUID, now: datetime
) -> MissingCase:
    row = await visible_case(conn, viewer, case_id, now)
    await _audit(conn, viewer, [row], now)
    events = [
        CaseEvent(
            event=e["event"],
            at=local_now(e["at"], row["timezone"]),
            actor_id=e["actor_id"],
            actor_name=e["actor_name"],
            outcome=e["outcome"],
        )
        for e in await conn.fetch(q.CASE_EVENTS, case_id)
    ]
    # Staff see every attempt to reach the family; a guardian sees their own.
    seen = await contacts.contacts(conn, case_id, row["timezone"], None if row["staff"] else viewer)
    return _to_case(row, viewer, events, seen)
