"""The absence summary of a pupil for a school year (api.md: absence-summary)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import msgspec


class DayTotals(msgspec.Struct):
    """Whole school days absent. `reported` = covered by an absence report or
    approved leave; `unexplained` = marked absent at roll call without either."""

    total: int
    reported: int
    unexplained: int


class HourTotals(msgspec.Struct):
    """Single hours absent on days the pupil was otherwise at school."""

    total: float
    reported: float
    unexplained: float


class TermSummary(msgspec.Struct):
    term: str  # autumn | spring
    first_day: date
    last_day: date
    days: DayTotals
    hours: HourTotals


class SubjectAbsence(msgspec.Struct):
    """Upper secondary: absence in one subject against the school's limit, counted
    as from autumn 2025 (README: Absence in upper secondary).

    `annual_hours`: the subject's annual hours (the roster's plan, else the school's
    setting; null: unknown, no percent). `undocumented_hours` and `health_hours`
    (self-reported or documented by health personnel) are `counted_hours` together;
    documented absence of an exempt kind is in neither. `percent` = counted /
    annual x 100; `warning` from the warning level on, `over_limit` from the limit
    on. `warning_sent_at`: when the subject's written warning was sent (null: not
    sent); `grade_protected`: the limit is reached and no warning was sent before
    it was, so the grade must be given. `planned_hours` is `annual_hours` under
    its first name; `reported_hours`/`unexplained_hours` say whether a report,
    leave or documentation explains the hours (not what counts toward the limit).
    """

    subject: str
    group_id: uuid.UUID
    planned_hours: int | None
    absent_hours: float
    reported_hours: float
    unexplained_hours: float
    undocumented_hours: float
    percent: float | None
    warning: bool
    over_limit: bool
    annual_hours: int | None = None
    health_hours: float = 0.0
    counted_hours: float = 0.0
    warning_sent_at: datetime | None = None
    grade_protected: bool = False


class AbsenceSummary(msgspec.Struct):
    pupil_id: uuid.UUID
    school_year: str
    first_day: date
    last_day: date  # the summary counts up to today, or the end of a past year
    days: DayTotals
    hours: HourTotals
    terms: list[TermSummary]
    limit_percent: float
    warning_percent: float
    subjects: list[SubjectAbsence] | None  # only for grades 11–13
