"""The morning overview: every class a staff member answers for, today, at a glance.

Per class: whether the class team's check is done (by whom, when), how many are
reported, on leave, present, unaccounted (marked absent or not yet registered), and
the open missing-pupil cases, escalated ones first. Classes with an escalated case
come first, then those with a case being sought, then those whose check is not done,
then the rest. Who sees which classes is backend/access/class_scope.py; a whole
school of 40 classes is two statements (morning_queries.py).

Naming a sought pupil tells staff about that pupil's absence: those reads are
audited like the case list's, one row a viewer, pupil and quarter of an hour (the
page reads itself again on every change while open; morning_queries.AUDIT_READS).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time

import asyncpg

from backend.access.class_scope import ClassScope, answered_classes
from backend.attendance import morning_queries as q
from backend.problems.errors import NotFound
from backend.schools.calendar import SchoolCalendar
from backend.schools.localtime import local_now

# Triggers (migration 0051) notify it with the school's id when anything the overview shows changes.
MORNING_CHANNEL = "skolebro_morning"


@dataclass(frozen=True, slots=True)
class OpenCase:
    case_id: uuid.UUID
    pupil_id: uuid.UUID
    pupil_name: str
    status: str  # pending, sought, escalated; resolved too on the class board
    since: datetime  # local: escalated, sought or opened
    reached: bool


@dataclass(slots=True)
class ClassMorning:
    class_id: uuid.UUID
    name: str
    grade: int
    school_id: uuid.UUID
    pupils: int
    present: int
    reported: int
    leave: int
    absent: int
    unregistered: int
    check_completed_at: datetime | None  # local
    check_completed_by: str | None
    overdue: bool  # not checked and the school's reminder time has passed
    cases: list[OpenCase] = field(default_factory=list)

    @property
    def unaccounted(self) -> int:
        return self.absent + self.unregistered

    @property
    def checked(self) -> bool:
        return self.check_completed_at is not None

    @property
    def escalated(self) -> int:
        return sum(1 for c in self.cases if c.status == "escalated")

    @property
    def open_cases(self) -> int:
        return len(self.cases) - self.escalated

    @property
    def rank(self) -> int:
        """Escalations first, then a pupil being sought, then a check not done."""
        if self.escalated:
            return 0
        if self.cases:
            return 1
        return 2 if not self.checked else 3


@dataclass(slots=True)
class SchoolMorning:
    school_id: uuid.UUID
    name: str
    day: date
    is_school_day: bool
    check_deadline: time
    past_deadline: bool
    classes: list[ClassMorning] = field(default_factory=list)

    @property
    def not_checked(self) -> list[ClassMorning]:
        return [c for c in self.classes if not c.checked]

    @property
    def overdue(self) -> list[ClassMorning]:
        return [c for c in self.classes if c.overdue]

    @property
    def cases(self) -> list[OpenCase]:
        found = [case for c in self.classes for case in c.cases]
        return sorted(found, key=lambda c: (c.status != "escalated", c.since))

    @property
    def escalated(self) -> int:
        return sum(c.escalated for c in self.classes)

    @property
    def open_cases(self) -> int:
        return sum(c.open_cases for c in self.classes)


@dataclass(frozen=True, slots=True)
class MorningOverview:
    schools: list[SchoolMorning]
    leads: bool  # a leader of at least one of the schools
    at: time  # when it was read, in the (first) school's local time

    @property
    def school_ids(self) -> list[uuid.UUID]:
        return [s.school_id for s in self.schools]


async def _audit(
    conn: asyncpg.Connection, viewer: uuid.UUID, now: datetime, rows: list[asyncpg.Record], action: str
) -> None:
    if rows:
        schools = [r["school_id"] for r in rows]
        await conn.execute(q.AUDIT_READS, viewer, now, schools, [r["pupil_id"] for r in rows], action)


def _case(row: asyncpg.Record, tz: str) -> OpenCase:
    return OpenCase(
        case_id=row["id"],
        pupil_id=row["pupil_id"],
        pupil_name=row["pupil_name"],
        status=row["status"],
        since=_since(row, tz),
        reached=row["reached_at"] is not None,
    )


def _since(row: asyncpg.Record, tz: str) -> datetime:
    at: datetime = row["escalated_at"] or row["sought_at"] or row["opened_at"]
    return local_now(at, tz)


async def overview(conn: asyncpg.Connection, viewer: uuid.UUID, now: datetime) -> MorningOverview:
    """Today's overview of the viewer's classes; NotFound if they answer for none."""
    scope: ClassScope = await answered_classes(conn, viewer, now)
    class_ids = list(scope.classes)
    rows = await conn.fetch(q.CLASSES, class_ids, now)
    case_rows = await conn.fetch(q.OPEN_CASES, class_ids, now)

    schools: dict[uuid.UUID, SchoolMorning] = {}
    classes: dict[uuid.UUID, ClassMorning] = {}
    timezones: dict[uuid.UUID, str] = {}
    for r in rows:
        tz = r["timezone"]
        timezones[r["school_id"]] = tz
        school = schools.get(r["school_id"])
        if school is None:
            calendar = SchoolCalendar(
                frozenset([r["day"]] if r["closed"] else []), r["starts_on"], r["ends_on"]
            )
            school = schools[r["school_id"]] = SchoolMorning(
                school_id=r["school_id"],
                name=r["school_name"],
                day=r["day"],
                is_school_day=calendar.is_school_day(r["day"]),
                check_deadline=r["check_reminder_at"],
                past_deadline=r["local_time"] >= r["check_reminder_at"],
            )
        completed = r["completed_at"]
        cls = ClassMorning(
            class_id=r["class_id"],
            name=r["name"],
            grade=r["grade"],
            school_id=r["school_id"],
            pupils=r["pupils"],
            present=r["present"],
            reported=r["reported"],
            leave=r["on_leave"],
            absent=r["absent"],
            unregistered=r["unregistered"],
            check_completed_at=local_now(completed, tz) if completed else None,
            check_completed_by=r["completed_by_name"],
            overdue=completed is None and school.is_school_day and school.past_deadline,
        )
        classes[cls.class_id] = cls
        school.classes.append(cls)
    for c in case_rows:
        classes[c["class_id"]].cases.append(_case(c, timezones[c["school_id"]]))
    await _audit(conn, viewer, now, case_rows, "morning.overview")
    ordered = sorted(schools.values(), key=lambda s: (-s.escalated, s.name))
    for school in ordered:
        school.classes.sort(key=lambda c: (c.rank, c.grade, c.name))
    tz = timezones[ordered[0].school_id] if ordered else "Europe/Oslo"
    return MorningOverview(schools=ordered, leads=scope.leader_of_any, at=local_now(now, tz).time())


async def class_day_cases(
    conn: asyncpg.Connection, viewer: uuid.UUID, class_id: uuid.UUID, day: date, now: datetime
) -> list[OpenCase]:
    """The missing-pupil cases of a class the viewer answers for on ``day``, resolved ones
    last (``status`` "resolved"); NotFound for a class that is not theirs. Audited."""
    scope = await answered_classes(conn, viewer, now)
    if class_id not in scope.classes:
        raise NotFound()
    rows = await conn.fetch(q.CLASS_DAY_CASES, class_id, day)
    await _audit(conn, viewer, now, rows, "attendance.cases")
    return [_case(r, r["timezone"]) for r in rows]


async def watched_schools(conn: asyncpg.Connection, viewer: uuid.UUID, now: datetime) -> frozenset[uuid.UUID]:
    """The schools whose changes the viewer's overview follows; NotFound if none."""
    scope = await answered_classes(conn, viewer, now)
    return scope.schools
