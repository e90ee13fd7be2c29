"""School owner statistics (api.md: School owner statistics)."""

from __future__ import annotations

import uuid

import msgspec


class District(msgspec.Struct):
    district_id: uuid.UUID
    name: str


class StatisticsRow(msgspec.Struct):
    """One school, grade and month. Fewer than 5 pupils: every count null, ``suppressed`` true."""

    school_id: uuid.UUID
    school_name: str
    grade: int
    month: str
    pupils: int | None
    days_reported: int | None
    days_unexplained: int | None
    hours_reported: float | None
    hours_unexplained: float | None
    follow_ups_opened: int | None
    follow_ups_closed: int | None
    suppressed: bool


class AbsenceStatistics(msgspec.Struct):
    items: list[StatisticsRow]
