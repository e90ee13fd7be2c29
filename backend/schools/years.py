"""Naming a school year in a query: ``?school_year=2026-2027``."""

from __future__ import annotations

from backend.problems.codes import Code
from backend.problems.errors import Invalid
from schemas.common import FIRST_SCHOOL_YEARS


def first_year_of(school_year: str | None) -> int | None:
    """The calendar year a school year starts in; None for "the current one"."""
    if school_year is None:
        return None
    first, _, second = school_year.partition("-")
    if (
        not (first.isdigit() and second.isdigit() and len(first) == 4)
        or int(second) != int(first) + 1
        or int(first) not in FIRST_SCHOOL_YEARS
    ):
        raise Invalid(Code.SCHOOL_YEAR_INVALID, field="school_year")
    return int(first)
