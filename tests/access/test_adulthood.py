"""The one definition of "adult on a date" (SQL ``pupil_adulthood``, backend/db/definitions/access.sql):
the 18th birthday counted as PostgreSQL adds years (born 29 February: adult on
28 February), and a pupil without a birth date in upper secondary possibly adult."""

from datetime import date

import pytest

from backend.access.policy import Adulthood

CASES = [
    (date(2008, 2, 29), 10, date(2026, 2, 27), Adulthood.child),
    (date(2008, 2, 29), 10, date(2026, 2, 28), Adulthood.adult),
    (date(2008, 5, 2), 13, date(2026, 5, 1), Adulthood.child),
    (date(2008, 5, 2), 13, date(2026, 5, 2), Adulthood.adult),
    # No birth date: a child below upper secondary, possibly an adult in VG1-VG3.
    (None, 10, date(2026, 5, 2), Adulthood.child),
    (None, 11, date(2026, 5, 2), Adulthood.possibly_adult),
    (None, 13, date(2026, 5, 2), Adulthood.possibly_adult),
    (None, None, date(2026, 5, 2), Adulthood.child),
]


@pytest.mark.parametrize(("birth", "grade", "day", "expected"), CASES)
async def test_adulthood_on_a_date(db, birth, grade, day, expected):
    got = await db.fetchval("SELECT pupil_adulthood($1, $2, $3)", birth, grade, day)
    assert Adulthood(got) is expected


def test_only_a_known_child_leaves_reporting_to_the_guardians():
    assert not Adulthood.child.reports_own_absence
    assert Adulthood.adult.reports_own_absence
    assert Adulthood.possibly_adult.reports_own_absence
