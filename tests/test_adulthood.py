"""The 18th birthday is decided the same way in Python (the policy) and in SQL (jobs,
cases, leave), even for a pupil born on 29 February."""

from datetime import date

import pytest

from backend.auth.policy import age_on

CASES = [
    (date(2008, 2, 29), date(2026, 2, 27), False),
    (date(2008, 2, 29), date(2026, 2, 28), True),
    (date(2008, 5, 2), date(2026, 5, 1), False),
    (date(2008, 5, 2), date(2026, 5, 2), True),
]


@pytest.mark.parametrize(("birth", "day", "adult"), CASES)
async def test_python_and_sql_agree_on_adulthood(db, birth, day, adult):
    sql = await db.fetchval("SELECT $2::date + interval '18 years' <= $1::date", day, birth)
    assert sql is adult
    assert (age_on(birth, day) >= 18) is adult
