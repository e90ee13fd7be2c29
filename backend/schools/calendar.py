"""Which days are school days.

A school day is a weekday inside the school year that is neither a Norwegian
public holiday nor one of the school's own closed days.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def norwegian_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.Norway(years=year).keys())


def is_public_holiday(day: date) -> bool:
    return day in norwegian_holidays(day.year)


def days_between(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


@dataclass(frozen=True, slots=True)
class SchoolCalendar:
    closed_days: frozenset[date] = field(default_factory=frozenset)
    year_start: date | None = None
    year_end: date | None = None

    def is_school_day(self, day: date) -> bool:
        if day.weekday() >= 5 or is_public_holiday(day) or day in self.closed_days:
            return False
        if self.year_start is not None and day < self.year_start:
            return False
        return not (self.year_end is not None and day > self.year_end)

    def school_days(self, first: date, last: date) -> list[date]:
        return [d for d in days_between(first, last) if self.is_school_day(d)]

    def previous_school_day(self, day: date, limit: int = 30) -> date | None:
        for _ in range(limit):
            day -= timedelta(days=1)
            if self.is_school_day(day):
                return day
        return None
