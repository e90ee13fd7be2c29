"""The morning routine's jobs: reminders, the missing-pupil sweep, still sick?, retention.

Each job takes ``(pool, now)`` and returns its effects. The work is computed
per school from the database at ``now``; units are claimed in sorted batches,
each batch in its own transaction together with its pushes, so an
interrupted run leaves whole batches either done (claimed) or untouched.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

import asyncpg

from backend.jobs import queries as q
from backend.missing import ladder
from backend.missing import sweep as missing
from backend.schools.calendar import norwegian_holidays
from notifications.kinds import Kind
from notifications.outbox import Notice, notify_many

log = logging.getLogger("skolebro.jobs")

# A replica that was down at the reminder time catches up within this window
# (09:00 → until 12:00); later a reminder is no longer useful.
REMINDER_GRACE = timedelta(hours=3)
BATCH_SIZE = 500
# Claim rows are kept this long, then forgotten by the daily retention job.
KEEP_CLAIMS_DAYS = 60

T = TypeVar("T")


def holidays_around(now: datetime) -> list[Any]:
    """Norwegian public holidays from last year to next (covers every time zone and gap)."""
    days: set[Any] = set()
    for year in (now.year - 1, now.year, now.year + 1):
        days |= norwegian_holidays(year)
    return sorted(days)


def _parallelism(pool: asyncpg.Pool) -> int:
    # Leave connections for the API serving requests from the same pool.
    return max(1, min(4, pool.get_max_size() // 2))


async def _in_batches(
    pool: asyncpg.Pool,
    units: Sequence[T],
    batch_size: int,
    work: Callable[[asyncpg.Connection, Sequence[T]], Awaitable[dict[str, int]]],
) -> dict[str, int]:
    """Run ``work`` on sorted batches, each in its own transaction, a few at a time.

    A failing batch rolls back alone (its claims with it, so a re-run does it);
    the others commit. The first error is raised after all batches finished.
    """
    totals: dict[str, int] = {}
    errors: list[BaseException] = []
    gate = asyncio.Semaphore(_parallelism(pool))

    async def one(batch: Sequence[T]) -> None:
        async with gate, pool.acquire() as conn, conn.transaction():
            for key, value in (await work(conn, batch)).items():
                totals[key] = totals.get(key, 0) + value

    batches = [units[i : i + batch_size] for i in range(0, len(units), batch_size)]
    for outcome in await asyncio.gather(*(one(b) for b in batches), return_exceptions=True):
        if isinstance(outcome, BaseException):
            errors.append(outcome)
    if errors:
        raise errors[0]
    return totals


# --- absence-check-reminders ---------------------------------------------------------


async def absence_check_reminders(
    pool: asyncpg.Pool, now: datetime, *, batch_size: int = BATCH_SIZE
) -> dict[str, Any]:
    """At check_reminder_at on a school day: one reminder per class whose check is not done."""
    async with pool.acquire() as conn:
        due = await conn.fetch(q.REMINDERS_DUE, now, holidays_around(now), REMINDER_GRACE)
    units = [(r["class_id"], r["day"]) for r in due]

    async def remind(conn: asyncpg.Connection, batch: Sequence[tuple[Any, Any]]) -> dict[str, int]:
        won = await conn.fetch(q.REMINDERS_CLAIM, [u[0] for u in batch], [u[1] for u in batch], now)
        # The whole batch's reminders in one statement, in the claims' transaction.
        sent = await notify_many(
            conn,
            [
                Notice(
                    recipients=c["team"],
                    kind=Kind.absence_check_reminder,
                    data={"class_id": c["class_id"], "date": c["day"].isoformat()},
                    params={
                        "class_name": c["name"],
                        "reported": c["reported"],
                        "unaccounted": c["unaccounted"],
                    },
                    collapse_key=f"check-{c['class_id']}-{c['day'].isoformat()}",
                )
                for c in won
            ],
            now=now,
        )
        return {"classes_reminded": len(won), "notifications": len(sent)}

    totals = await _in_batches(pool, units, batch_size, remind)
    return {
        "classes_due": len(units),
        "classes_reminded": totals.get("classes_reminded", 0),
        "notifications": totals.get("notifications", 0),
    }


# --- missing-pupil-sweep -------------------------------------------------------------


async def missing_pupil_sweep(pool: asyncpg.Pool, now: datetime) -> dict[str, Any]:
    """Seek the cases whose seek time has come, escalate unanswered ones, climb the ladder.

    The claim of a transition is the case row itself: a conditional UPDATE
    (``status = 'pending'`` → ``sought``), committed with its pushes. The
    ladder's steps (SMS and e-mail, then "call the guardians") are claimed in
    ``job_claims``, one row per case, stage and step, committed with the texts
    they queue; the texts are then handed to the providers.
    """
    async with pool.acquire() as conn:
        async with conn.transaction():
            sought = await missing.seek_due(conn, now)
        async with conn.transaction():
            escalated = await missing.escalate_due(conn, now)
        async with conn.transaction():
            climbed = await ladder.climb(conn, now)
    handed = await ladder.send_queued(pool, now)
    return {
        "sought": sought["sought"],
        "closed_before_seeking": sought["closed_before_seeking"],
        "escalated": escalated["escalated"],
        "notifications": sought["notifications"] + escalated["notifications"] + climbed["call_notifications"],
        "sms_steps": climbed["sms_steps"],
        "call_steps": climbed["call_steps"],
        "sms_queued": climbed["sms_queued"],
        "emails_queued": climbed["emails_queued"],
        "sms_sent": handed["sms_sent"],
        "emails_sent": handed["emails_sent"],
        "texts_failed": handed["failed"],
        "texts_retried": handed["retried"],
    }


# --- still-sick ----------------------------------------------------------------------


async def still_sick(pool: asyncpg.Pool, now: datetime, *, batch_size: int = BATCH_SIZE) -> dict[str, Any]:
    """At still_sick_at on a school day: ask about pupils whose sick report just ended."""
    async with pool.acquire() as conn:
        due = await conn.fetch(q.STILL_SICK_DUE, now, holidays_around(now))
    units = [(r["pupil_id"], r["day"]) for r in due]

    async def ask(conn: asyncpg.Connection, batch: Sequence[tuple[Any, Any]]) -> dict[str, int]:
        won = await conn.fetch(q.STILL_SICK_CLAIM, [u[0] for u in batch], [u[1] for u in batch], now)
        sent = await notify_many(
            conn,
            [
                Notice(
                    recipients=p["recipients"],
                    kind=Kind.still_sick,
                    data={"pupil_id": p["pupil_id"], "date": p["day"].isoformat()},
                    params={"pupil": p["name"]},
                    collapse_key=f"still-sick-{p['pupil_id']}",
                )
                for p in won
            ],
            now=now,
        )
        return {"pupils": len(won), "notifications": len(sent)}

    totals = await _in_batches(pool, units, batch_size, ask)
    return {"pupils": totals.get("pupils", 0), "notifications": totals.get("notifications", 0)}


# --- note-retention ------------------------------------------------------------------


async def note_retention(pool: asyncpg.Pool, now: datetime) -> dict[str, Any]:
    """Once a day per school: erase report notes past the retention period."""
    async with pool.acquire() as conn:
        row = await conn.fetchrow(q.NOTE_RETENTION, now, KEEP_CLAIMS_DAYS)
    if row["erased"]:
        log.info("erased %d absence-report note(s) past their retention period", row["erased"])
    return {"schools": row["schools"], "notes_erased": row["erased"], "claims_pruned": row["pruned_claims"]}
