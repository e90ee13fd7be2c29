"""Reading the audit log (product.md: every staff read is logged; school leaders read it)."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime

import asyncpg

from backend.access.policy import school_leader_access
from backend.audit_log import queries as q
from backend.lib.cursors import cursor_instant, decode_cursor, encode_cursor
from backend.problems.codes import Code
from backend.problems.errors import Invalid
from backend.schools.localtime import local_now
from schemas.audit import AuditEntry, AuditLogPage

log = logging.getLogger("skolebro.audit")


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """The portal's filters over the log (the API filters by pupil only); None: any."""

    actor_id: uuid.UUID | None = None
    action: str | None = None
    first_day: date | None = None  # school-local days, both included
    last_day: date | None = None
    pupil_name: str | None = None  # part of the pupil's name


@dataclass(frozen=True, slots=True)
class AuditChoices:
    actors: list[tuple[uuid.UUID, str]]
    actions: list[str]


async def list_entries(
    conn: asyncpg.Connection,
    viewer: uuid.UUID,
    school_id: uuid.UUID,
    pupil_id: uuid.UUID | None,
    cursor: str | None,
    limit: int,
    now: datetime,
    filters: AuditFilter | None = None,
) -> AuditLogPage:
    school = await school_leader_access(conn, viewer, school_id, now)
    f = filters or AuditFilter()
    after = decode_cursor(cursor, 2)
    try:
        after_at = cursor_instant(after[0]) if after else None
        after_id = int(after[1]) if after else None
    except ValueError as exc:  # a cursor we did not make
        raise Invalid(Code.REQUEST_INVALID, field="cursor") from exc
    rows = await conn.fetch(
        q.LIST_ENTRIES,
        school_id,
        pupil_id,
        after_at,
        after_id,
        limit + 1,
        f.actor_id,
        f.action,
        f.first_day,
        f.last_day,
        school.timezone,
        f.pupil_name,
    )
    items = [
        AuditEntry(
            id=str(r["id"]),
            at=local_now(r["at"], school.timezone),
            actor_id=r["actor_id"],
            actor_name=r["actor_name"],
            pupil_id=r["pupil_id"],
            pupil_name=r["pupil_name"],
            action=r["action"],
        )
        for r in rows[:limit]
    ]
    last = rows[limit - 1] if len(rows) > limit else None
    next_cursor = encode_cursor(last["at"].isoformat(), last["id"]) if last else None
    log.info("audit log of school %s read by %s (%d entries)", school_id, viewer, len(items))
    return AuditLogPage(items=items, next_cursor=next_cursor)


async def choices(
    conn: asyncpg.Connection, viewer: uuid.UUID, school_id: uuid.UUID, now: datetime
) -> AuditChoices:
    """Who and which actions the school's log holds (a leader's filter choices)."""
    await school_leader_access(conn, viewer, school_id, now)
    actors = [(r["actor_id"], r["name"]) for r in await conn.fetch(q.ACTORS, school_id)]
    actions = [r["action"] for r in await conn.fetch(q.ACTIONS, school_id)]
    return AuditChoices(actors=actors, actions=actions)
