"""A guardian or the class team/leaders answering a missing-pupil case (resolving it)."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from backend.access.policy import PupilAccess, pupil_access
from backend.missing import contacts
from backend.missing import queries as q
from backend.missing.notices import tell_resolved
from backend.missing.reads import get_case, visible_case
from backend.problems.codes import Code
from backend.problems.errors import Conflict, Forbidden, Invalid, NotFound
from schemas.missing import MissingCase, Outcome, ResolveCase

log = logging.getLogger("skolebro.missing")

GUARDIAN_OUTCOMES = frozenset({Outcome.sick_at_home, Outcome.on_the_way, Outcome.found_other})
STAFF_OUTCOMES = frozenset({Outcome.arrived, Outcome.other})
CASE_STAFF = frozenset({"contact_teacher", "class_team", "school_leader"})


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
    row = await visible_case(conn, viewer, case_id, now)
    access = await pupil_access(conn, viewer, row["pupil_id"], now)
    role = _answering_role(access, row)
    allowed = GUARDIAN_OUTCOMES if role == "guardian" else STAFF_OUTCOMES
    if data.outcome not in allowed:
        raise Invalid(Code.MISSING_OUTCOME_NOT_ALLOWED, field="outcome")
    status = await conn.fetchval(q.LOCK_CASE, case_id, str(row["pupil_id"]))
    if status == "resolved":
        raise Conflict(Code.MISSING_ALREADY_RESOLVED)
    await conn.execute(q.RESOLVE, case_id, now, viewer, data.outcome.value, data.note)
    if role == "guardian":
        # An answer from a guardian is the surest sign a person knows.
        await contacts.guardian_answered(conn, case_id, now)
    log.info("missing case %s resolved by %s %s: %s", case_id, role, viewer, data.outcome.value)
    await tell_resolved(
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
