"""The nightly ``absence-follow-up`` job: worrying absence opens a follow-up.

Each school day evening (from 17:00 school-local, when the day's roll call is
over) every school's pupils are looked at once: the school's night is claimed in
``job_claims`` in the same transaction as the follow-ups it opens and the
``follow_up_opened`` notices to the contact teachers, so replicas, re-runs and a
catch-up later the same evening open nothing twice. A pupil with an open
follow-up gets no second one (a unique index says so too); after a closing only
absence after the closing day counts.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from datetime import date, datetime, time
from typing import Any

import asyncpg
import msgspec

from backend.follow_up import queries as q
from backend.follow_up.rules import AbsenceDay, evaluate, lookback_start
from backend.schools.calendar import SchoolCalendar, norwegian_holidays
from notifications.kinds import Kind
from notifications.outbox import Notice, notify_many
from schemas.follow_ups import FollowUpRules

log = logging.getLogger("skolebro.follow_up")

JOB = "absence-follow-up"
# From when in the school's evening the day's absence is looked at.
DUE_FROM = time(17, 0)


async def absence_follow_up(pool: asyncpg.Pool, now: datetime) -> dict[str, Any]:
    holidays = sorted(
        norwegian_holidays(now.year - 1) | norwegian_holidays(now.year) | norwegian_holidays(now.year + 1)
    )
    async with pool.acquire() as conn:
        schools = await conn.fetch(q.DUE_SCHOOLS, now, holidays, DUE_FROM)
    effects = {"schools": 0, "pupils_with_absence": 0, "opened": 0, "told": 0}
    for school in schools:
        try:
            async with pool.acquire() as conn:
                done = await _one_school(conn, school, now)
        except Exception:
            # One school's failure (rolled back, unclaimed) must not keep the others'
            # follow-ups from opening; the next tick tries it again.
            log.exception("absence follow-up of school %s failed; tried again next tick", school["school_id"])
            continue
        if done is None:
            continue
        effects["schools"] += 1
        for key, value in done.items():
            effects[key] += value
    return effects


async def _one_school(
    conn: asyncpg.Connection, school: asyncpg.Record, now: datetime
) -> dict[str, int] | None:
    today: date = school["day"]
    # The school's rules as settings stored them (backend/schools), defaults for any missing.
    rules = msgspec.convert(school["follow_up"] or {}, FollowUpRules)
    first = lookback_start(today, rules, school["starts_on"])
    async with conn.transaction():
        if not await conn.fetchval(q.CLAIM, school["school_id"], today, now):
            return None  # another replica or an earlier run has this school's night
        closed = await conn.fetch(q.CLOSED_DAYS, school["school_id"], first, today)
        calendar = SchoolCalendar(frozenset(r["day"] for r in closed), school["starts_on"], school["ends_on"])
        rows = await conn.fetch(q.ABSENCE_DAYS, school["school_id"], today, first, school["school_year_id"])
        by_pupil: dict[uuid.UUID, list[AbsenceDay]] = defaultdict(list)
        class_of: dict[uuid.UUID, uuid.UUID] = {}
        for r in rows:
            by_pupil[r["pupil_id"]].append(AbsenceDay(r["day"], r["unexplained"]))
            class_of[r["pupil_id"]] = r["class_id"]
        ids: list[uuid.UUID] = []
        pupils: list[uuid.UUID] = []
        classes: list[uuid.UUID] = []
        found: list[str] = []
        for pupil, absences in by_pupil.items():
            met = evaluate(absences, today, rules, calendar)
            if met:
                ids.append(uuid.uuid4())
                pupils.append(pupil)
                classes.append(class_of[pupil])
                found.append(msgspec.json.encode(met).decode())
        opened = (
            await conn.fetch(q.OPEN, ids, school["school_id"], pupils, classes, found, now, today)
            if ids
            else []
        )
        notices = [
            Notice(
                recipients=list(o["told"]),
                kind=Kind.follow_up_opened,
                data={
                    "pupil_id": str(o["pupil_id"]),
                    "follow_up_id": str(o["id"]),
                    "class_id": str(o["class_id"]),
                },
                params={"pupil": o["pupil_name"], "class_name": o["class_name"]},
            )
            for o in opened
            if o["told"]
        ]
        if notices:
            await notify_many(conn, notices, now=now)
    if opened:
        log.info("school %s on %s: %d follow-ups opened", school["school_id"], today, len(opened))
    return {
        "pupils_with_absence": len(by_pupil),
        "opened": len(opened),
        "told": sum(len(n.recipients) for n in notices),
    }
