"""The roster's state for a school's leaders: the last import or sync with its
warnings, and who at the school cannot sign in."""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg

from backend.access.policy import school_leader_access
from backend.roster import state_queries as q
from backend.schools.localtime import local_now

log = logging.getLogger("skolebro.roster")

MAX_LISTED = 200


@dataclass(frozen=True, slots=True)
class LastRun:
    source: str  # import | sync
    finished_at: datetime  # school-local
    summary: dict[str, Any]


@dataclass(frozen=True, slots=True)
class CannotSignIn:
    person_id: uuid.UUID
    name: str
    username: str | None
    role: str  # pupil | guardian | teacher | leader
    turned_off: bool  # enabledUser=false in the school system
    no_identity: bool


@dataclass(frozen=True, slots=True)
class RosterState:
    last_run: LastRun | None
    cannot_sign_in: list[CannotSignIn] = field(default_factory=list)
    cannot_sign_in_total: int = 0


async def roster_state(
    conn: asyncpg.Connection, viewer: uuid.UUID, school_id: uuid.UUID, now: datetime
) -> RosterState:
    school = await school_leader_access(conn, viewer, school_id, now)
    run = await conn.fetchrow(q.LAST_RUN)
    last = None
    if run is not None:
        summary = run["summary"]
        last = LastRun(
            source=run["source"],
            finished_at=local_now(run["finished_at"], school.timezone),
            summary=json.loads(summary) if isinstance(summary, str) else dict(summary),
        )
    rows = await conn.fetch(q.CANNOT_SIGN_IN, school_id, now, MAX_LISTED)
    people = [
        CannotSignIn(
            person_id=r["id"],
            name=r["name"],
            username=r["username"],
            role=r["role"],
            turned_off=r["turned_off"],
            no_identity=r["no_identity"],
        )
        for r in rows
    ]
    log.info("roster state of school %s read by %s", school_id, viewer)
    return RosterState(
        last_run=last, cannot_sign_in=people, cannot_sign_in_total=rows[0]["total"] if rows else 0
    )
