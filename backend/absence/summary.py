"""The absence summary of a pupil (product.md: Grades, assessment and absence).

Days and hours, reported or unexplained, for a school year and per term;
in upper secondary (grades 11–13) also per subject against the school's
limit for undocumented absence.

How absence is counted, as on a Norwegian certificate:
- a *day* is a school day the pupil was away all day: a full-day absence
  report or approved leave (reported), or a whole-day absent mark at roll
  call without either (unexplained);
- *hours* are single hours on the other days: missed lessons (reported when
  a report, leave or documentation covers them), else the times of a timed
  report; roll-call hour marks with neither are unexplained;
- a *subject's percent* is its undocumented missed hours against the hours
  planned for it in the year, whole days included.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import asyncpg

from backend.absence import summary_queries as q
from backend.access.policy import PupilAccess
from backend.audit_log.staff_reads import record_staff_read
from backend.schools.calendar import SchoolCalendar, days_between
from backend.schools.years import first_year_of
from schemas.absence_summary import (
    AbsenceSummary,
    DayTotals,
    HourTotals,
    SubjectAbsence,
    TermSummary,
)

UPPER_SECONDARY = range(11, 14)


@dataclass(frozen=True, slots=True)
class RollCallAbsence:
    """An absent mark from roll call: the whole day (hours None) or some hours."""

    day: date
    hours: float | None = None


async def roll_call_absences(
    conn: asyncpg.Connection, pupil_id: uuid.UUID, first: date, last: date, school_id: uuid.UUID | None
) -> list[RollCallAbsence]:
    """The pupil's `absent` marks from roll call between first and last, as whole days.

    Whether a mark is explained is decided by the summary from reports and
    leave, so this query need not know about them.
    """
    rows = await conn.fetch(q.ROLL_CALL_ABSENCES, pupil_id, first, last, school_id)
    return [RollCallAbsence(day=r["day"]) for r in rows]


@dataclass
class _Tally:
    days_reported: int = 0
    days_unexplained: int = 0
    hours_reported: float = 0.0
    hours_unexplained: float = 0.0

    def days(self) -> DayTotals:
        return DayTotals(
            total=self.days_reported + self.days_unexplained,
            reported=self.days_reported,
            unexplained=self.days_unexplained,
        )

    def hours(self) -> HourTotals:
        reported, unexplained = round(self.hours_reported, 2), round(self.hours_unexplained, 2)
        return HourTotals(total=round(reported + unexplained, 2), reported=reported, unexplained=unexplained)


def _hours_between(start: str, end: str) -> float:
    a, b = time.fromisoformat(start), time.fromisoformat(end)
    return ((b.hour * 60 + b.minute) - (a.hour * 60 + a.minute)) / 60


def _tally_days(facts: Any, marks: list[RollCallAbsence]) -> dict[date, tuple[str, float, float]]:
    """Per school day: ('day', kind) for a whole day away, or ('hours', reported, unexplained)."""
    first, last = facts["first_day"], facts["last_day"]
    calendar = SchoolCalendar(frozenset(facts["closed"]), facts["starts_on"], facts["ends_on"])
    school_days = set(calendar.school_days(first, last))

    def covered(a: date, b: date) -> set[date]:
        return {d for d in days_between(max(a, first), min(b, last)) if d in school_days}

    whole_reported: set[date] = set()
    timed: dict[date, float] = defaultdict(float)
    for first_day, last_day, from_time, to_time in facts["reports"]:
        a, b = date.fromisoformat(first_day), date.fromisoformat(last_day)
        if from_time is None:
            whole_reported |= covered(a, b)
        elif a in school_days:
            timed[a] += _hours_between(from_time, to_time)
    for a, b in facts["leave"]:
        whole_reported |= covered(a, b)
    whole_unexplained = {m.day for m in marks if m.hours is None and m.day in school_days} - whole_reported

    lessons: dict[date, list[tuple[float, bool]]] = defaultdict(list)
    for lesson in facts["lessons"]:
        lessons[date.fromisoformat(lesson["day"])].append((float(lesson["hours"]), bool(lesson["explained"])))
    marked_hours: dict[date, float] = defaultdict(float)
    for m in marks:
        if m.hours is not None and m.day in school_days:
            marked_hours[m.day] += m.hours

    result: dict[date, tuple[str, float, float]] = {}
    for day in whole_reported:
        result[day] = ("day_reported", 0.0, 0.0)
    for day in whole_unexplained:
        result[day] = ("day_unexplained", 0.0, 0.0)
    for day in (set(lessons) | set(timed) | set(marked_hours)) & school_days:
        if day in result:
            continue
        if lessons.get(day):
            # The missed lessons are the precise record of the day.
            reported = sum(h for h, explained in lessons[day] if explained)
            unexplained = sum(h for h, explained in lessons[day] if not explained)
        elif day in timed:
            reported, unexplained = timed[day], 0.0
        else:
            reported, unexplained = 0.0, marked_hours[day]
        if reported or unexplained:
            result[day] = ("hours", reported, unexplained)
    return result


def _tally(per_day: dict[date, tuple[str, float, float]], first: date, last: date) -> _Tally:
    tally = _Tally()
    for day, (kind, reported, unexplained) in per_day.items():
        if not first <= day <= last:
            continue
        if kind == "day_reported":
            tally.days_reported += 1
        elif kind == "day_unexplained":
            tally.days_unexplained += 1
        else:
            tally.hours_reported += reported
            tally.hours_unexplained += unexplained
    return tally


def _terms(starts_on: date, ends_on: date) -> list[tuple[str, date, date]]:
    """Autumn runs to New Year, spring from it to the end of the school year."""
    new_year = date(starts_on.year + 1, 1, 1)
    return [("autumn", starts_on, date(starts_on.year, 12, 31)), ("spring", new_year, ends_on)]


def _subjects(facts: Any) -> list[SubjectAbsence]:
    limit = facts["limit_percent"]
    result = []
    for s in facts["subjects"]:
        exact = s["percent"]
        reached_limit = bool(s["reached_limit"])
        sent = s["warning_status"] == "sent"
        sent_percent = s["warning_sent_percent"]
        # A warning sent only when the limit was already reached came too late:
        # the pupil was not warned while there was time to act.
        warned_in_time = sent and sent_percent is not None and float(sent_percent) < limit
        result.append(
            SubjectAbsence(
                subject=s["subject"],
                group_id=uuid.UUID(s["group_id"]),
                planned_hours=s["planned_hours"],
                annual_hours=s["planned_hours"],
                absent_hours=round(float(s["absent_hours"]), 2),
                reported_hours=round(float(s["reported_hours"]), 2),
                unexplained_hours=round(float(s["unexplained_hours"]), 2),
                undocumented_hours=round(float(s["undocumented_hours"]), 2),
                health_hours=round(float(s["health_hours"]), 2),
                counted_hours=round(float(s["counted_hours"]), 2),
                percent=None if exact is None else round(float(exact), 1),
                # The same comparisons as the warning job (summary_queries.CLAIM_WARNINGS).
                warning=bool(s["reached_warning"]),
                over_limit=reached_limit,
                warning_sent_at=datetime.fromisoformat(s["warning_sent_at"]) if sent else None,
                grade_protected=reached_limit and not warned_in_time,
            )
        )
    return result


async def _empty(conn: asyncpg.Connection, access: PupilAccess, school_year: str | None) -> AbsenceSummary:
    """A year the school has no record of: nothing to count, the school's limits."""
    limits = await conn.fetchrow(q.SCHOOL_LIMITS, access.reading_school_id)
    year = first_year_of(school_year)
    day = date(year, 8, 1) if year else access.local_today
    zero = _Tally()
    return AbsenceSummary(
        pupil_id=access.pupil_id,
        school_year=school_year or "",
        first_day=day,
        last_day=day,
        days=zero.days(),
        hours=zero.hours(),
        terms=[],
        limit_percent=limits["limit_percent"],
        warning_percent=limits["warning_percent"],
        subjects=None,
    )


async def absence_summary(
    conn: asyncpg.Connection,
    access: PupilAccess,
    viewer: uuid.UUID,
    school_year: str | None,
    now: datetime,
) -> AbsenceSummary:
    """The pupil's absence in a school year, up to today. Staff reads are audit-logged."""
    # A leader of a school the pupil left sees that school's year and its records only.
    facts = await conn.fetchrow(
        q.SUMMARY_FACTS,
        access.pupil_id,
        access.reading_school_id,
        first_year_of(school_year),
        now,
        access.records_school_id,
    )
    await record_staff_read(conn, access, viewer, "absence_summary.read", now)
    if facts is None:
        return await _empty(conn, access, school_year)
    first, last = facts["first_day"], facts["last_day"]
    # Roll call's marks come with the facts (the same query as roll_call_absences).
    marks = [RollCallAbsence(day=d) for d in facts["absent_days"]] if first <= last else []
    per_day = _tally_days(facts, marks) if first <= last else {}
    terms = [
        TermSummary(term=name, first_day=a, last_day=b, days=t.days(), hours=t.hours())
        for name, a, b in _terms(facts["starts_on"], facts["ends_on"])
        for t in [_tally(per_day, a, b)]
    ]
    total = _tally(per_day, first, last)
    upper = facts["grade"] in UPPER_SECONDARY
    return AbsenceSummary(
        pupil_id=access.pupil_id,
        school_year=f"{facts['starts_on'].year}-{facts['starts_on'].year + 1}",
        first_day=first,
        last_day=last,
        days=total.days(),
        hours=total.hours(),
        terms=terms,
        limit_percent=facts["limit_percent"],
        warning_percent=facts["warning_percent"],
        subjects=_subjects(facts) if upper else None,
    )
