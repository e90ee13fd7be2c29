"""Absence statistics for the school owner: numbers per school, grade and month, no person.

product.md: "The school owner sees numbers, not children." A cell with fewer than
``MIN_CELL`` pupils is suppressed (every count null), so no count can point at a
child; the rows carry no id or name of a person, and the school owner reaches
nothing else (backend/access/follow_up_staff.py).
"""

from __future__ import annotations

import csv
import io
import logging
import uuid
from datetime import date, datetime

import asyncpg

from backend.access.follow_up_staff import district_owner_access
from backend.owners import queries as q
from backend.problems.codes import Code
from backend.problems.errors import Invalid
from backend.schools.calendar import norwegian_holidays
from backend.schools.years import first_year_of
from schemas.owners import AbsenceStatistics, StatisticsRow
from schemas.problem import FieldError

log = logging.getLogger("skolebro.owners")

# The smallest group whose counts are shown (the usual threshold of official statistics).
MIN_CELL = 5
CSV_COLUMNS = (
    "school_id",
    "school_name",
    "grade",
    "month",
    "pupils",
    "days_reported",
    "days_unexplained",
    "hours_reported",
    "hours_unexplained",
    "follow_ups_opened",
    "follow_ups_closed",
    "suppressed",
)


def _year_and_month(school_year: str | None, month: str | None) -> tuple[int | None, date | None]:
    """The school year's first calendar year and the month's first day; a month alone names its year."""
    first_year = first_year_of(school_year)
    if month is None:
        return first_year, None
    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError as exc:
        raise Invalid(Code.REQUEST_INVALID, errors=[FieldError(field="month", message="YYYY-MM")]) from exc
    year_of_month = first.year if first.month >= 8 else first.year - 1
    if first_year is not None and year_of_month != first_year:
        raise Invalid(
            Code.STATISTICS_MONTH_OUTSIDE_YEAR,
            errors=[FieldError(field="month", message=f"between {first_year}-08 and {first_year + 1}-07")],
        )
    return year_of_month, first


def _row(r: asyncpg.Record) -> StatisticsRow:
    suppressed = r["pupils"] < MIN_CELL
    return StatisticsRow(
        school_id=r["school_id"],
        school_name=r["school_name"],
        grade=r["grade"],
        month=r["month"].strftime("%Y-%m"),
        pupils=None if suppressed else r["pupils"],
        days_reported=None if suppressed else r["days_reported"],
        days_unexplained=None if suppressed else r["days_unexplained"],
        hours_reported=None if suppressed else round(r["hours_reported"], 2),
        hours_unexplained=None if suppressed else round(r["hours_unexplained"], 2),
        follow_ups_opened=None if suppressed else r["follow_ups_opened"],
        follow_ups_closed=None if suppressed else r["follow_ups_closed"],
        suppressed=suppressed,
    )


async def absence_statistics(
    conn: asyncpg.Connection,
    viewer: uuid.UUID,
    district_id: uuid.UUID,
    school_year: str | None,
    month: str | None,
    now: datetime,
) -> AbsenceStatistics:
    """The district's statistics for its school owner; 404 for anyone else."""
    await district_owner_access(conn, viewer, district_id)
    first_year, first_day = _year_and_month(school_year, month)
    holidays = sorted(
        day
        for y in range((first_year or now.year - 1), (first_year or now.year) + 2)
        for day in norwegian_holidays(y)
    )
    rows = await conn.fetch(q.STATISTICS, district_id, first_year, now, first_day, holidays)
    log.info("absence statistics of district %s read by %s (%d rows)", district_id, viewer, len(rows))
    return AbsenceStatistics(items=[_row(r) for r in rows])


def as_csv(statistics: AbsenceStatistics) -> str:
    """The same rows as CSV (a header, then one line per school, grade and month; empty = suppressed)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for item in statistics.items:
        values = [getattr(item, c) for c in CSV_COLUMNS]
        writer.writerow(["" if v is None else str(v).lower() if isinstance(v, bool) else v for v in values])
    return out.getvalue()
