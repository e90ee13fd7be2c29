"""Naming a school year in a query: ``?school_year=2026-2027``."""

from __future__ import annotations

from backend.problems.codes import Code
from backend.problems.errors import Invalid


def first_year_of(school_year: str | None) -> int | None:
    """The calendar year a school year starts in; None for "the current one"."""
    if school_year is None:
        return None
    first, _, second = school_year.partition("-")
    if not (first.isdigit() and second.isdigit()) or int(second) != int(first) + 1:
        raise Invalid(Code.SCHOOL_YEAR_INVALID)
    return int(first)
