"""The rules of missing-pupil cases (product.md: the morning routine, steps 3–4).

A pupil marked absent at roll call with nothing accounting for the time gets
a *pending* case. At the seek time of the pupil's level the case is *sought*:
an urgent push to every guardian with access. Unanswered for
``escalate_after_minutes`` it is *escalated*: a second urgent push to the
guardians and an alert to the school leaders. A guardian's or staff answer,
a present/late mark or an absence report *resolves* it. Each transition is
one conditional UPDATE in the same transaction as its pushes, so it happens
once however many schedulers race, and is recorded with who and when.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import asyncpg

from backend.access.policy import PupilAccess, pupil_access
from backend.lib.cursors import decode_instant_cursor, encode_cursor
from backend.missing import contacts
from backend.missing import queries as q
from backend.problems.codes import Code
from backend.problems.errors import Conflict, Forbidden, Invalid, NotFound
from backend.schools.localtime import local_now
from notifications.kinds import Kind
from notifications.outbox import Notice, notify, notify_many
from schemas.missing import (
    CaseEvent,
    CaseFilter,
    CaseStatus,
    MissingCase,
    MissingCasePage,
    Outcome,
    Resolution,
    ResolveCase,
)
from schemas.reach import Contact

log = logging.getLogger("skolebro.missing")

GUARDIAN_OUTCOMES = frozenset({Outcome.sick_at_home, Outcome.on_the_way, Outcome.found_other})
STAFF_OUTCOMES = frozenset({Outcome.arrived, Outcome.other})
CASE_STAFF = frozenset({"contact_teacher", "class_team", "school_leader"})
ALERTED = frozenset({"sought", "escalated"})


def _collapse(case_id: uuid.UUID) -> str:
    # Every push about one case replaces the previous one on the phone.
    return f"case-{case_id}"


def _minus(people: Iterable[uuid.UUID], *excluded: uuid.UUID | None) -> list[uuid.UUID]:
    skip = {e for e in excluded if e is not None}
    return [p for p in dict.fromkeys(people) if p not in skip]


async def _tell_resolved(
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
    team = _minus(r["team"], actor)
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
                collapse_key=_collapse(case_id),
            )
        )
        others = _minus(others, *team)
    else:
        others = team + others
    sent += len(
        await notify(
            conn,
            recipients=_minus(others, actor),
            kind=Kind.missing_pupil_resolved,
            data=data,
            params={"pupil": r["pupil_name"]},
            now=now,
            collapse_key=_collapse(case_id),
        )
    )
    return sent


# --- transitions driven by roll call, reports and the sweep ---------------------------


async def _tell_closed(
    conn: asyncpg.Connection,
    case: asyncpg.Record,
    outcome: str,
    actor: uuid.UUID | None,
    now: datetime,
    *,
    late_report: bool = False,
) -> int:
    """``_tell_resolved`` for a case row a closing statement returned (id, pupil, class,
    school, day, was)."""
    return await _tell_resolved(
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


async def after_roll_call(
    conn: asyncpg.Connection,
    *,
    school_id: uuid.UUID,
    class_id: uuid.UUID,
    day: date,
    today: date,
    roll_time: time,
    arrived: Sequence[uuid.UUID],
    newly_absent: Sequence[uuid.UUID],
    actor: uuid.UUID,
    now: datetime,
) -> None:
    """Close the cases of pupils who turned up; open cases for the newly absent.

    Runs inside the roll call's transaction, which holds the pupils' locks.
    Cases open only for today: a correction of an earlier day's register
    does not send anyone looking for a child.
    """
    if arrived:
        for c in await conn.fetch(q.CLOSE_ARRIVED, list(arrived), day, actor, now):
            log.info("missing case %s closed: pupil %s marked present by %s", c["id"], c["pupil_id"], actor)
            await _tell_closed(conn, c, "arrived", actor, now)
    if newly_absent and day == today:
        opened = await conn.fetch(
            q.OPEN_CASES, school_id, class_id, day, roll_time, sorted(newly_absent), actor, now
        )
        for c in opened:
            log.info("missing case %s opened for pupil %s by %s", c["id"], c["pupil_id"], actor)
        if opened:
            # Grades 1–7 are sought at once during the first lesson.
            await seek_due(conn, now, [c["id"] for c in opened])


async def seek_due(
    conn: asyncpg.Connection, now: datetime, case_ids: list[uuid.UUID] | None = None
) -> dict[str, int]:
    """Seek every pending case whose time has come (or close it if now accounted for).

    All alerts of one sweep go in with one ``notify_many`` (a morning with a
    thousand absent pupils is two statements, not two thousand).
    """
    sought = closed = 0
    notices: list[Notice] = []
    for row in await conn.fetch(q.SEEK_DUE, now, case_ids):
        if row["change"] == "closed":
            closed += 1
            log.info("missing case %s closed before seeking: now accounted for", row["id"])
            continue
        sought += 1
        notices.append(
            Notice(
                recipients=row["guardians"],
                kind=Kind.missing_pupil,
                data={"case_id": row["id"], "pupil_id": row["pupil_id"], "class_id": row["class_id"]},
                params={"pupil": row["pupil_name"]},
                urgent=True,
                collapse_key=_collapse(row["id"]),
            )
        )
        log.warning(
            "missing case %s: pupil %s sought, %d guardian(s) alerted",
            row["id"],
            row["pupil_id"],
            len(row["guardians"]),
        )
    pushed = len(await notify_many(conn, notices, now=now)) if notices else 0
    return {"sought": sought, "closed_before_seeking": closed, "notifications": pushed}


async def escalate_due(conn: asyncpg.Connection, now: datetime) -> dict[str, int]:
    """Escalate sought cases nobody answered within the school's limit.

    Guardians get the second urgent push per case; each school's leaders get
    one ``missing_pupil_summary`` for the whole sweep (280 escalations at once
    are one alert with the count, not 280 pushes to every leader).
    """
    escalated = pushed = 0
    schools: dict[uuid.UUID, tuple[list[uuid.UUID], list[uuid.UUID], int]] = {}
    for row in await conn.fetch(q.ESCALATE_DUE, now):
        escalated += 1
        data = {"case_id": row["id"], "pupil_id": row["pupil_id"], "class_id": row["class_id"]}
        pushed += len(
            await notify(
                conn,
                recipients=row["guardians"],
                kind=Kind.missing_pupil_escalation,
                data={**data, "audience": "guardian"},
                params={"pupil": row["pupil_name"]},
                urgent=True,
                now=now,
                collapse_key=_collapse(row["id"]),
            )
        )
        leaders, guardians, count = schools.get(row["school_id"], ([], [], 0))
        schools[row["school_id"]] = (
            leaders + list(row["leaders"]),
            guardians + list(row["guardians"]),
            count + 1,
        )
        log.warning("missing case %s escalated: no answer about pupil %s", row["id"], row["pupil_id"])
    for school_id, (leaders, guardians, count) in schools.items():
        # A leader who is also a guardian of one of the pupils already has that case's alert.
        recipients = _minus(leaders, *guardians) if count == 1 else list(dict.fromkeys(leaders))
        pushed += len(
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
    return {"escalated": escalated, "notifications": pushed}


async def report_filed(
    conn: asyncpg.Connection,
    access: PupilAccess,
    *,
    first_day: date,
    last_day: date,
    from_time: time | None,
    to_time: time | None,
    submitter: uuid.UUID,
    now: datetime,
) -> None:
    """A new absence report answers the open cases it accounts for.

    Called by the absence service inside the report's transaction (which holds
    the pupil's lock). A pending case closes silently; a sought or escalated
    one is called off and the class team told at once (``late_absence_report``).
    """
    closed = await conn.fetch(
        q.CLOSE_ACCOUNTED,
        access.pupil_id,
        first_day,
        last_day,
        from_time,
        to_time,
        submitter,
        now,
        "reported",
    )
    for c in closed:
        alerted = c["was"] in ALERTED
        log.info(
            "missing case %s resolved by an absence report%s",
            c["id"],
            " (search called off)" if alerted else " before seeking",
        )
        if alerted:
            await _tell_closed(conn, c, "reported", submitter, now, late_report=True)


async def leave_approved(
    conn: asyncpg.Connection,
    *,
    pupil_id: uuid.UUID,
    first_day: date,
    last_day: date,
    actor: uuid.UUID,
    now: datetime,
) -> None:
    """Approved leave accounts for the days it covers: close their open cases.

    For the leave service to call inside the decision's transaction. Cases not
    yet sought close silently (the sweep would also close them at seek time);
    a sought case is closed and whoever was alerted told.
    """
    closed = await conn.fetch(
        q.CLOSE_ACCOUNTED, pupil_id, first_day, last_day, None, None, actor, now, "leave"
    )
    for c in closed:
        log.info("missing case %s resolved by approved leave", c["id"])
        await _tell_closed(conn, c, "leave", actor, now)


# --- reading and answering cases -----------------------------------------------------


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


async def _visible(
    conn: asyncpg.Connection, viewer: uuid.UUID, case_id: uuid.UUID, now: datetime
) -> asyncpg.Record:
    row = await conn.fetchrow(q.VISIBLE_CASES, viewer, now, None, None, None, None, 1, case_id)
    if row is None:
        raise NotFound()
    return row


async def get_case(
    conn: asyncpg.Connection, viewer: uuid.UUID, case_id: uuid.UUID, now: datetime
) -> MissingCase:
    row = await _visible(conn, viewer, case_id, now)
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


def _answering_role(access: PupilAccess, row: asyncpg.Record) -> str:
    """'guardian' or 'staff' for who answers; refuse everyone else."""
    access.require_write()
    if row["staff"] and access.relation in CASE_STAFF:
        return "staff"
    if access.relation == "guardian":
        # Only a guardian who may report the child's absence answers for the
        # family; a read-only guardian (or one reading an adult's data by
        # consent) sees the case but cannot close it.
        if not access.can_report_absence:
            raise Forbidden(Code.MISSING_READ_ONLY)
        return "guardian"
    if row["staff"]:
        return "staff"
    raise NotFound()


@dataclass(frozen=True, slots=True)
class Resolved:
    case: MissingCase
    files_sick_report: bool  # "sick at home" on the case's own day


async def resolve(
    conn: asyncpg.Connection,
    viewer: uuid.UUID,
    case_id: uuid.UUID,
    data: ResolveCase,
    now: datetime,
) -> Resolved:
    """A guardian or the class team/leaders answer a case. Runs in the caller's transaction.

    "Sick at home" today also files a sick report for the day: backend/flows/case_answer.py does,
    when ``files_sick_report`` says so.
    """
    row = await _visible(conn, viewer, case_id, now)
    access = await pupil_access(conn, viewer, row["pupil_id"], now)
    role = _answering_role(access, row)
    allowed = GUARDIAN_OUTCOMES if role == "guardian" else STAFF_OUTCOMES
    if data.outcome not in allowed:
        raise Invalid(Code.MISSING_OUTCOME_NOT_ALLOWED)
    status = await conn.fetchval(q.LOCK_CASE, case_id, str(row["pupil_id"]))
    if status == "resolved":
        raise Conflict(Code.MISSING_ALREADY_RESOLVED)
    await conn.execute(q.RESOLVE, case_id, now, viewer, data.outcome.value, data.note)
    if role == "guardian":
        # An answer from a guardian is the surest sign a person knows.
        await contacts.guardian_answered(conn, case_id, now)
    log.info("missing case %s resolved by %s %s: %s", case_id, role, viewer, data.outcome.value)
    await _tell_resolved(
        conn,
        case_id=case_id,
        pupil_id=row["pupil_id"],
        class_id=row["class_id"],
        school_id=row["school_id"],
        day=row["day"],
        was=status,
        outcome=data.outcome.value,
        actor=viewer,
        now=now,
    )
    case = await get_case(conn, viewer, case_id, now)
    return Resolved(case, data.outcome is Outcome.sick_at_home and row["day"] == access.local_today)


__all__ = [
    "after_roll_call",
    "escalate_due",
    "get_case",
    "leave_approved",
    "list_cases",
    "report_filed",
    "resolve",
    "seek_due",
]
