"""The rules for worrying absence, evaluated over one pupil's days of absence.

Pure functions, no database: the nightly job (``jobs.py``) reads the days and
the school calendar and asks here which rules a pupil meets. Defaults and the
sources they come from: README, "Following up absence".
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from backend.schools.calendar import SchoolCalendar
from schemas.follow_ups import FollowUpRules, Rule, RuleMet


@dataclass(frozen=True, slots=True)
class AbsenceDay:
    day: date
    unexplained: bool  # marked absent at roll call, with no report (leave days never get here)


def term_start(today: date, year_start: date) -> date:
    """The first day of the term ``today`` is in: autumn from the year's start, spring from 1 January."""
    if today.month >= 8:
        return year_start
    return max(year_start, date(today.year, 1, 1))


def lookback_start(today: date, rules: FollowUpRules, year_start: date) -> date:
    """The earliest day any rule looks at (the job reads absence from there)."""
    longest = max(rules.window_days, rules.same_weekday_window_days)
    return max(year_start, min(term_start(today, year_start), today - timedelta(days=longest - 1)))


def _spells(days: list[date], calendar: SchoolCalendar) -> list[list[date]]:
    """Separate absences: runs of absent school days with no school day between them."""
    runs: list[list[date]] = []
    for day in sorted(days):
        if runs and calendar.previous_school_day(day) == runs[-1][-1]:
            runs[-1].append(day)
        else:
            runs.append([day])
    return runs


def evaluate(
    absences: list[AbsenceDay], today: date, rules: FollowUpRules, calendar: SchoolCalendar
) -> list[RuleMet]:
    """The rules the pupil meets on the evening of ``today``, each with the days behind it."""
    days = sorted({a.day for a in absences if a.day <= today and calendar.is_school_day(a.day)})
    if not days:
        return []
    met: list[RuleMet] = []
    year_start = calendar.year_start or days[0]

    window_first = today - timedelta(days=rules.window_days - 1)
    in_window = [d for d in days if d >= window_first]
    school_days = calendar.school_days(max(window_first, year_start), today)
    # A share needs a whole window of school to be a share: in the first weeks of the
    # year one sick day would be 20 % of five.
    if in_window and window_first >= year_start and school_days:
        if len(in_window) * 100 >= rules.days_share_percent * len(school_days):
            met.append(RuleMet(rule=Rule.days_share, days=in_window))

    spells = [run for run in _spells(days, calendar) if run[-1] >= window_first]
    if len(spells) >= rules.spells:
        met.append(RuleMet(rule=Rule.spells, days=[d for run in spells for d in run if d >= window_first]))

    weekday_first = today - timedelta(days=rules.same_weekday_window_days - 1)
    by_weekday: dict[int, list[date]] = defaultdict(list)
    for d in days:
        if d >= weekday_first:
            by_weekday[d.weekday()].append(d)
    same = sorted(d for group in by_weekday.values() if len(group) >= rules.same_weekday for d in group)
    if same:
        met.append(RuleMet(rule=Rule.same_weekday, days=same))

    first_of_term = term_start(today, year_start)
    unexplained = sorted(
        {a.day for a in absences if a.unexplained and first_of_term <= a.day <= today} & set(days)
    )
    if len(unexplained) >= rules.unexplained_per_term:
        met.append(RuleMet(rule=Rule.unexplained, days=unexplained))
    return met
