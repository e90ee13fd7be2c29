"""Who is told what about a missing-pupil case: the pushes' kinds, payloads,
parameters of their texts and recipients (the texts are in notifications/push_texts.py).

Every push about one case carries the same collapse key, so a later one
replaces the earlier one on the phone.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import date, datetime

import asyncpg

from backend.missing import queries as q
from notifications.kinds import Kind
from notifications.outbox import Notice, notify

log = logging.getLogger("skolebro.missing")

# The states in which people outside the class team have been alarmed.
ALERTED = frozenset({"sought", "escalated"})


def collapse_key(case_id: object) -> str:
    # Every push about one case replaces the previous one on the phone.
    return f"case-{case_id}"


def without(people: Iterable[uuid.UUID], *excluded: uuid.UUID | None) -> list[uuid.UUID]:
    """``people`` once each, in order, less the excluded."""
    skip = {e for e in excluded if e is not None}
    return [p for p in dict.fromkeys(people) if p not in skip]


def seek_notice(row: asyncpg.Record) -> Notice:
    """The first urgent push to a sought pupil's guardians."""
    return Notice(
        recipients=row["guardians"],
        kind=Kind.missing_pupil,
        data={"case_id": row["id"], "pupil_id": row["pupil_id"], "class_id": row["class_id"]},
        params={"pupil": row["pupil_name"]},
        urgent=True,
        collapse_key=collapse_key(row["id"]),
    )


async def tell_guardians_escalated(conn: asyncpg.Connection, row: asyncpg.Record, now: datetime) -> int:
    """The second urgent push to the guardians of an escalated case; returns how many went out."""
    data = {"case_id": row["id"], "pupil_id": row["pupil_id"], "class_id": row["class_id"]}
    return len(
        await notify(
            conn,
            recipients=row["guardians"],
            kind=Kind.missing_pupil_escalation,
            data={**data, "audience": "guardian"},
            params={"pupil": row["pupil_name"]},
            urgent=True,
            now=now,
            collapse_key=collapse_key(row["id"]),
        )
    )


async def tell_leaders_escalated(
    conn: asyncpg.Connection,
    school_id: uuid.UUID,
    leaders: list[uuid.UUID],
    guardians: list[uuid.UUID],
    count: int,
    now: datetime,
) -> int:
    """One ``missing_pupil_summary`` to a school's leaders for all its cases escalated in a sweep."""
    # A leader who is also a guardian of one of the pupils already has that case's alert.
    recipients = without(leaders, *guardians) if count == 1 else list(dict.fromkeys(leaders))
    pushed = len(
        await notify(
            conn,
            recipients=recipients,
            kind=Kind.missing_pupil_summary,
            data={"school_id": school_id, "count": count, "status": "escalated"},
            params={"count": count},
            urgent=True,
            now=now,
            collapse_key=f"summary-{school_id}",
        )
    )
    log.warning(
        "%d missing case(s) escalated at school %s; %d leader(s) alerted",
        count,
        school_id,
        len(recipients),
    )
    return pushed


async def tell_resolved(
    conn: asyncpg.Connection,
    *,
    case_id: uuid.UUID,
    pupil_id: uuid.UUID,
    class_id: uuid.UUID,
    school_id: uuid.UUID,
    day: date,
    was: str,
    outcome: str,
    actor: uuid.UUID | None,
    now: datetime,
    late_report: bool = False,
) -> int:
    """Tell whoever knew about the case that it is closed.

    The class team always; guardians once they were alerted; leaders once
    they were alerted by the escalation. A late report tells the class team
    with its own kind (``late_absence_report``). A case closed before it was
    sought closes silently: nobody outside the school was alarmed.
    """
    if was not in ALERTED:
        return 0
    r = await conn.fetchrow(q.RECIPIENTS, pupil_id, class_id, now)
    data = {"case_id": case_id, "pupil_id": pupil_id, "class_id": class_id, "outcome": outcome}
    sent = 0
    team = without(r["team"], actor)
    others: list[uuid.UUID] = list(r["guardians"])
    if was == "escalated":
        others += r["leaders"]
    if late_report:
        sent += len(
            await notify(
                conn,
                recipients=team,
                kind=Kind.late_absence_report,
                data=data,
                params={"pupil": r["pupil_name"], "class_name": r["class_name"]},
                now=now,
                collapse_key=collapse_key(case_id),
            )
        )
        others = without(others, *team)
    else:
        others = team + others
    sent += len(
        await notify(
            conn,
            recipients=without(others, actor),
            kind=Kind.missing_pupil_resolved,
            data=data,
            params={"pupil": r["pupil_name"]},
            now=now,
            collapse_key=collapse_key(case_id),
        )
    )
    return sent


async def tell_closed(
    conn: asyncpg.Connection,
    case: asyncpg.Record,
    outcome: str,
    actor: uuid.UUID | None,
    now: datetime,
    *,
    late_report: bool = False,
) -> int:
    """``tell_resolved`` for a case row a closing statement returned (id, pupil, class,
    school, day, was)."""
    return await tell_resolved(
        conn,
        case_id=case["id"],
        pupil_id=case["pupil_id"],
        class_id=case["class_id"],
        school_id=case["school_id"],
        day=case["day"],
        was=case["was"],
        outcome=outcome,
        actor=actor,
        now=now,
        late_report=late_report,
    )
