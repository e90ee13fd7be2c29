"""The absence summary of a pupil for a school year (api.md: absence-summary)."""

from __future__ import annotations

import uuid
from datetime import date

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
    """Upper secondary: absence in one subject against the school's limit.

    `percent` = undocumented hours / planned hours x 100 (null without a plan);
    `warning` from the warning level on, `over_limit` above the limit.
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
