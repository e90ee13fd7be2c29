"""Naming a school year in a query: ``?school_year=2026-2027``."""

from __future__ import annotations

from backend.errors import Invalid
from backend.texts import register_problems

register_problems(
    {
        "school_year.invalid": {
            "nb": ("Ugyldig skoleår", "Skoleåret skrives som to år etter hverandre, f.eks. 2026-2027."),
            "nn": ("Ugyldig skuleår", "Skuleåret blir skrive som to år etter kvarandre, t.d. 2026-2027."),
            "en": ("Invalid school year", "Write the school year as two consecutive years, e.g. 2026-2027."),
        },
    }
)


def first_year_of(school_year: str | None) -> int | None:
    """The calendar year a school year starts in; None for "the current one"."""
    if school_year is None:
        return None
    first, _, second = school_year.partition("-")
    if not (first.isdigit() and second.isdigit()) or int(second) != int(first) + 1:
        raise Invalid("school_year.invalid")
    return int(first)
