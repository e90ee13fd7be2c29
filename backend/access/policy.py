"""The access policy: which pupils a person may see, and what they may do.

Decided from the roster only — guardian relations and their access level,
the pupil's age, teaching assignments of the running school year and school
leadership — never from what a token claims. The facts are SQL functions
defined once (backend/db/definitions/access.sql); this module is the only
Python that interprets them. Every pupil-scoped use case asks here first; a
pupil the caller may not see is reported as not found.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

import asyncpg

from backend.access.policy_queries import (
    IS_RUNNING_STAFF,
    IS_STAFF,
    PUPIL_RELATION,
    RELATIONS_FOR_PUPILS,
    RELATIONS_FOR_VIEWERS,
    SCHOOL_LEADER,
    SCHOOL_ROLES,
)
from backend.problems.codes import Code
from backend.problems.errors import Forbidden, NotFound


class Adulthood(StrEnum):
    """What the roster says about a pupil's age on a date (SQL: ``pupil_adulthood``).

    ``possibly_adult``: no birth date in upper secondary (product.md: Roster). Until
    it is known, guardians can only read (they keep reading without the consent an
    adult would give, since the pupil may be a minor) and the pupil reports their
    own absence.
    """

    child = "child"
    adult = "adult"
    possibly_adult = "possibly_adult"

    @property
    def reports_own_absence(self) -> bool:
        return self is not Adulthood.child


# Staff relations that make a class's matters (board, cases, leave) theirs:
# everyone but a subject teacher, who sees the pupil only for their subject.
CLASS_ROLES = ("school_leader", "contact_teacher", "class_team")
# A leader of a school the pupil has left (SQL pupil_staff): reads every record
# of the pupil, changes none. Last, so any present role of the viewer wins.
FORMER_LEADER = "former_school_leader"
STAFF_ROLES = (*CLASS_ROLES, "subject_teacher", FORMER_LEADER)


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
    adulthood: Adulthood
    relation: str  # guardian, self, contact_teacher, class_team, subject_teacher, school_leader,
    # former_school_leader
    can_read: bool
    can_report_absence: bool
    is_staff: bool
    all_subjects: bool
    subjects: tuple[str, ...]
    leave_teacher_max_days: int
    # The one school whose records of the pupil the viewer may read; None: all of them.
    # A leader of a school the pupil has left reads that school's records only: the
    # pupil may be at another school we serve, and its records are not theirs.
    records_school_id: uuid.UUID | None = None

    @property
    def reading_school_id(self) -> uuid.UUID:
        """The school the viewer reads the pupil from: whose school year a summary or the
        assessments cover, and whose audit log a staff read goes to."""
        return self.records_school_id or self.school_id

    @property
    def is_adult(self) -> bool:
        return self.adulthood is Adulthood.adult

    @property
    def sees_class_matters(self) -> bool:
        """Whether the board, missing-pupil cases and leave requests of the pupil are
        the viewer's to see: the pupil, a guardian, the class team or a leader."""
        return self.relation in ("self", "guardian", *CLASS_ROLES)

    @property
    def read_only(self) -> bool:
        """A leader of a school the pupil has left: the record is theirs to read only."""
        return self.relation == FORMER_LEADER

    def require_write(self) -> None:
        """Refuse a change (a message, an answer to a case) by a read-only viewer: 403."""
        if self.read_only:
            raise Forbidden(Code.ACCESS_FORMER_PUPIL)

    def require_report_absence(self) -> None:
        if not self.can_report_absence:
            raise Forbidden(Code.ABSENCE_READ_ONLY)


@dataclass(frozen=True, slots=True)
class SchoolAccess:
    """A school leader's hold on their own school."""

    school_id: uuid.UUID
    timezone: str
    leads: bool  # in the running school year; False: only for a year not started yet


async def school_leader_access(
    conn: asyncpg.Connection,
    viewer_id: uuid.UUID,
    school_id: uuid.UUID,
    now: datetime,
    *,
    planning: bool = False,
) -> SchoolAccess:
    """The school, if the viewer leads it this school year; NotFound otherwise.

    ``planning``: a leader of a school year that has not started yet counts too
    (settings and closed days are prepared before the year starts; pupils are not
    theirs to see until it does). A leader of another school, or a former leader,
    gets the same answer as for a school that does not exist (api.md: no 403 that
    leaks existence).
    """
    row = await conn.fetchrow(SCHOOL_LEADER, viewer_id, school_id, now)
    if row is None or not (row["leads"] or (planning and row["will_lead"])):
        raise NotFound()
    return SchoolAccess(school_id=school_id, timezone=row["timezone"], leads=row["leads"])


@dataclass(frozen=True, slots=True)
class SchoolStaffAccess:
    """Staff's hold on their school: its closed days are theirs to see, a leader's to change."""

    school_id: uuid.UUID
    roles: frozenset[str]

    @property
    def is_leader(self) -> bool:
        return "school_leader" in self.roles

    def require_leader(self) -> None:
        """Staff who do not lead the school see it but may not change it (403)."""
        if not self.is_leader:
            raise Forbidden()


async def school_staff_access(
    conn: asyncpg.Connection, viewer_id: uuid.UUID, school_id: uuid.UUID, now: datetime
) -> SchoolStaffAccess:
    """The viewer's roles at the school: staff of its running school year, or a leader of
    a year not started yet (planning). NotFound for anyone else, as for no school."""
    roles = await conn.fetchval(SCHOOL_ROLES, viewer_id, school_id, now)
    if not roles:
        raise NotFound()
    return SchoolStaffAccess(school_id=school_id, roles=frozenset(roles))


def staff_relation(roles: Collection[str]) -> str | None:
    """The staff relation of a viewer with these roles for a pupil: the strongest one."""
    return next((role for role in STAFF_ROLES if role in roles), None)


def may_decide_leave(relation: str | None, school_days: int, teacher_max_days: int) -> bool:
    """A leader decides any leave request, the contact teacher one of up to the school's
    limit of school days; nobody else (a guardian, the pupil, the rest of the staff)."""
    if relation == "school_leader":
        return True
    return relation == "contact_teacher" and school_days <= teacher_max_days


def decide(row: Mapping[str, Any]) -> PupilAccess | None:
    """Turn the roster facts about (viewer, pupil) — a row of SQL ``pupil_relation`` —
    into rights, or None if the pupil is not the viewer's to see."""
    adulthood = Adulthood(row["adulthood"])
    roles = set(row["staff_roles"])

    relation = ""
    can_read = can_report = all_subjects = False
    if row["is_self"]:
        relation, can_read, all_subjects = "self", True, True
        # From 18 (or, without a birth date, possibly) the pupil reports their own absence.
        can_report = adulthood.reports_own_absence
    elif row["is_guardian"]:
        relation, can_read, all_subjects = "guardian", True, True
        can_report = row["guardian_may_act"]
    is_staff = bool(roles)
    if is_staff:
        can_read = True
        if not relation:
            relation = staff_relation(roles) or ""
        all_subjects = all_subjects or bool(roles & {"school_leader", "contact_teacher", FORMER_LEADER})
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
        local_today=row["local_today"],
        adulthood=adulthood,
        relation=relation,
        can_read=can_read,
        can_report_absence=can_report,
        is_staff=is_staff,
        all_subjects=all_subjects,
        subjects=tuple(row["subjects"] or ()),
        leave_teacher_max_days=row["leave_teacher_max_days"],
        records_school_id=row["former_school_id"] if relation == FORMER_LEADER else None,
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
    decided = decide(row) if row is not None else None
    if decided is None:
        raise NotFound()
    return decided, row


async def pupil_access(
    conn: asyncpg.Connection, viewer_id: uuid.UUID, pupil_id: uuid.UUID, now: datetime
) -> PupilAccess:
    """The viewer's rights on the pupil; NotFound when the pupil is not theirs to see."""
    row = await conn.fetchrow(PUPIL_RELATION, viewer_id, pupil_id, now)
    decided = decide(row) if row is not None else None
    if decided is None:
        raise NotFound()
    return decided


async def readable_pupils(
    conn: asyncpg.Connection, viewer_id: uuid.UUID, pupils: Sequence[uuid.UUID], now: datetime
) -> dict[uuid.UUID, PupilAccess]:
    """Of ``pupils``, the ones the viewer may see, with their rights: one round trip."""
    if not pupils:
        return {}
    rows = await conn.fetch(RELATIONS_FOR_PUPILS, viewer_id, list(set(pupils)), now)
    decided = (decide(r) for r in rows)
    return {d.pupil_id: d for d in decided if d is not None}


async def viewers_who_read(
    conn: asyncpg.Connection, viewers: Sequence[uuid.UUID], pupil_id: uuid.UUID, now: datetime
) -> set[uuid.UUID]:
    """Of ``viewers``, the ones who may see the pupil now: one round trip."""
    if not viewers:
        return set()
    rows = await conn.fetch(RELATIONS_FOR_VIEWERS, list(set(viewers)), pupil_id, now)
    return {r["viewer_id"] for r in rows if decide(r) is not None}


async def require_staff(conn: asyncpg.Connection, person_id: uuid.UUID) -> None:
    """Staff or system administrators only (the dev clock); others get 403."""
    if not await conn.fetchval(IS_STAFF, person_id):
        raise Forbidden(Code.DEV_STAFF_ONLY)


async def require_running_staff(conn: asyncpg.Connection, person_id: uuid.UUID, now: datetime) -> None:
    """Staff of a running school year only (office hours are staff's); others get 403."""
    if not await conn.fetchval(IS_RUNNING_STAFF, person_id, now):
        raise Forbidden(Code.MESSAGING_STAFF_ONLY)


# Written absence warnings (upper secondary, api.md): the pupil, guardians with access,
# the class team and the school's leaders see them (a leader of a school the pupil left
# reads that school's); the contact teacher or a leader sends them. Documented absence
# is staff's record: the class team and leaders read it, the contact teacher or a leader
# records it. A subject teacher sees neither (404, as for a pupil not theirs).
ABSENCE_WARNING_READERS = ("self", "guardian", *CLASS_ROLES, FORMER_LEADER)
ABSENCE_WARNING_SENDERS = ("contact_teacher", "school_leader")
DOCUMENTATION_READERS = (*CLASS_ROLES, FORMER_LEADER)


def require_absence_warning_reader(access: PupilAccess) -> None:
    if access.relation not in ABSENCE_WARNING_READERS:
        raise NotFound()


def require_absence_warning_sender(access: PupilAccess) -> None:
    """The pupil, a guardian or the rest of the class team: 403; anyone else 404."""
    require_absence_warning_reader(access)
    access.require_write()
    if access.relation not in ABSENCE_WARNING_SENDERS:
        raise Forbidden(Code.ABSENCE_WARNING_NOT_SENDER)


def require_documentation_reader(access: PupilAccess) -> None:
    if access.relation in ("self", "guardian"):
        raise Forbidden(Code.ABSENCE_DOCUMENTATION_STAFF_ONLY)
    if access.relation not in DOCUMENTATION_READERS:
        raise NotFound()


def require_documentation_recorder(access: PupilAccess) -> None:
    require_documentation_reader(access)
    access.require_write()
    if access.relation not in ABSENCE_WARNING_SENDERS:
        raise Forbidden(Code.ABSENCE_DOCUMENTATION_NOT_RECORDER)
