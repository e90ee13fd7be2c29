"""The access policy: which pupils a person may see, and what they may do.

Decided from the roster only — guardian relations and their access level,
the pupil's age, teaching assignments of the running school year and school
leadership — never from what a token claims. Every pupil-scoped use case
asks here first; a pupil the caller may not see is reported as not found.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time

import asyncpg

from backend.auth.policy_queries import IS_STAFF, PUPIL_RELATION, SCHOOL_LEADER
from backend.errors import Forbidden, NotFound

ADULT_AGE = 18


def age_on(birth_date: date | None, day: date) -> int:
    """Whole years on ``day``, counted as PostgreSQL adds years to a date, so the
    SQL of jobs and cases (``birth_date + interval '18 years'``) agrees: someone
    born on 29 February has their birthday on 28 February in other years."""
    if birth_date is None:
        return 0
    years = day.year - birth_date.year
    try:
        birthday = birth_date.replace(year=day.year)
    except ValueError:  # 29 February in a year without one
        birthday = date(day.year, 2, 28)
    if day < birthday:
        years -= 1
    return years


@dataclass(frozen=True, slots=True)
class PupilAccess:
    """What one viewer may do with one pupil, plus the facts rules need."""

    pupil_id: uuid.UUID
    pupil_name: str
    school_id: uuid.UUID
    school_name: str
    class_id: uuid.UUID
    class_name: str
    grade: int
    timezone: str
    report_deadline: time
    local_today: date
    is_adult: bool
    relation: str  # guardian, self, contact_teacher, class_team, subject_teacher, school_leader
    can_read: bool
    can_report_absence: bool
    is_staff: bool
    all_subjects: bool
    subjects: tuple[str, ...]
    leave_teacher_max_days: int

    def require_report_absence(self) -> None:
        if not self.can_report_absence:
            raise Forbidden("absence.read_only")


@dataclass(frozen=True, slots=True)
class SchoolAccess:
    """A school leader's hold on their own school."""

    school_id: uuid.UUID
    timezone: str


async def school_leader_access(
    conn: asyncpg.Connection, viewer_id: uuid.UUID, school_id: uuid.UUID, now: datetime
) -> SchoolAccess:
    """The school, if the viewer leads it this school year; NotFound otherwise.

    A leader of another school, or a former leader, gets the same answer as for a
    school that does not exist (api.md: no 403 that leaks existence).
    """
    row = await conn.fetchrow(SCHOOL_LEADER, viewer_id, school_id, now)
    if row is None or not row["leads"]:
        raise NotFound()
    return SchoolAccess(school_id=school_id, timezone=row["timezone"])


def decide(row: asyncpg.Record, viewer_id: uuid.UUID) -> PupilAccess | None:
    """Turn the roster facts about (viewer, pupil) into rights, or None if unseen."""
    today: date = row["local_today"]
    adult = age_on(row["birth_date"], today) >= ADULT_AGE
    roles = set(row["staff_roles"]) if row["year_running"] else set()
    access = row["guardian_access"]

    relation = ""
    can_read = can_report = is_staff = all_subjects = False
    if row["pupil_id"] == viewer_id:
        relation, can_read, can_report = "self", True, adult
        all_subjects = True
    elif access in ("full", "read_only") and (not adult or row["adult_consent"]):
        relation, can_read = "guardian", True
        # From 18 the pupil reports their own absence; consent only lets guardians read.
        can_report = access == "full" and not adult
        all_subjects = True
    if roles:
        is_staff = True
        can_read = True
        if not relation:
            for role in ("school_leader", "contact_teacher", "class_team", "subject_teacher"):
                if role in roles:
                    relation = role
                    break
        all_subjects = all_subjects or bool(roles & {"school_leader", "contact_teacher"})
    if not can_read:
        return None
    return PupilAccess(
        pupil_id=row["pupil_id"],
        pupil_name=row["pupil_name"],
        school_id=row["school_id"],
        school_name=row["school_name"],
        class_id=row["class_id"],
        class_name=row["class_name"],
        grade=row["grade"],
        timezone=row["timezone"],
        report_deadline=row["report_deadline"],
        local_today=today,
        is_adult=adult,
        relation=relation,
        can_read=can_read,
        can_report_absence=can_report,
        is_staff=is_staff,
        all_subjects=all_subjects,
        subjects=tuple(row["subjects"] or ()),
        leave_teacher_max_days=row["leave_teacher_max_days"],
    )


async def pupil_access_with(
    conn: asyncpg.Connection,
    viewer_id: uuid.UUID,
    pupil_id: uuid.UUID,
    now: datetime,
    sql: str,
    *args: object,
) -> tuple[PupilAccess, asyncpg.Record]:
    """Like ``pupil_access``, but ``sql`` (built with ``with_pupil_relation``) also reads
    the use case's own facts in the same round trip; they come back as the row."""
    row = await conn.fetchrow(sql, viewer_id, pupil_id, now, *args)
    decided = decide(row, viewer_id) if row is not None else None
    if decided is None:
        raise NotFound()
    return decided, row


async def pupil_access(
    conn: asyncpg.Connection, viewer_id: uuid.UUID, pupil_id: uuid.UUID, now: datetime
) -> PupilAccess:
    """The viewer's rights on the pupil; NotFound when the pupil is not theirs to see."""
    row = await conn.fetchrow(PUPIL_RELATION, viewer_id, pupil_id, now)
    decided = decide(row, viewer_id) if row is not None else None
    if decided is None:
        raise NotFound()
    return decided


async def require_staff(conn: asyncpg.Connection, person_id: uuid.UUID) -> None:
    """Staff or system administrators only (the dev clock); others get 403."""
    if not await conn.fetchval(IS_STAFF, person_id):
        raise Forbidden("dev.staff_only")
