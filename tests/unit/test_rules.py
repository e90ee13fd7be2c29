"""The pure rules, with no database: school days, deadlines, span checks, quiet hours.

These run in milliseconds; the database-backed tests check the same rules end to end.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from backend.absence.service import _check_shape
from backend.access.policy import decide, may_decide_leave, staff_relation
from backend.problems.errors import Invalid
from backend.schools.calendar import SchoolCalendar
from backend.schools.localtime import at_local
from notifications.preferences import QuietHours
from schemas.absence import AbsenceReason, AbsenceReportCreate

MONDAY = date(2026, 11, 23)


def test_weekends_public_holidays_and_closed_days_are_not_school_days():
    calendar = SchoolCalendar(frozenset({date(2026, 11, 25)}), date(2026, 8, 15), date(2027, 6, 20))
    week = calendar.school_days(MONDAY, date(2026, 11, 29))
    assert week == [date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 26), date(2026, 11, 27)]
    assert not calendar.is_school_day(date(2026, 12, 25))  # Christmas Day
    assert not calendar.is_school_day(date(2027, 5, 17))  # Constitution Day
    assert not calendar.is_school_day(date(2027, 6, 21))  # after the year ends
    assert calendar.previous_school_day(date(2026, 11, 26)) == date(2026, 11, 24)


def test_the_deadline_is_the_schools_wall_clock_also_across_dst():
    winter = at_local(MONDAY, time(8, 30), "Europe/Oslo")
    summer = at_local(date(2027, 3, 29), time(8, 30), "Europe/Oslo")
    assert winter.astimezone(UTC).time() == time(7, 30)
    assert summer.astimezone(UTC).time() == time(6, 30)
    report_at = datetime(2026, 11, 23, 7, 31, tzinfo=UTC)  # 08:31 in Oslo
    assert report_at > winter  # late


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"first_day": MONDAY, "last_day": date(2026, 11, 20)}, "absence.last_before_first"),
        ({"first_day": MONDAY, "from_time": "09:00"}, "absence.times_together"),
        (
            {"first_day": MONDAY, "last_day": date(2026, 11, 24), "from_time": "09:00", "to_time": "10:00"},
            "absence.times_single_day",
        ),
        ({"first_day": MONDAY, "from_time": "10:00", "to_time": "09:00"}, "absence.times_order"),
        ({"first_day": date(2026, 11, 20)}, "absence.past_day"),
        ({"first_day": date(2027, 2, 1)}, "absence.too_far_ahead"),
        ({"first_day": MONDAY, "last_day": date(2027, 3, 1)}, "absence.span_too_long"),
    ],
)
def test_report_spans_refused_before_anything_is_read(body, code):
    with pytest.raises(Invalid) as refused:
        _check_shape(AbsenceReportCreate(reason=AbsenceReason.sick, **body), MONDAY)
    assert refused.value.code == code


def test_a_report_for_today_until_next_week_is_a_sound_span():
    assert _check_shape(AbsenceReportCreate(MONDAY, AbsenceReason.sick, date(2026, 11, 27)), MONDAY) == date(
        2026, 11, 27
    )


def test_quiet_hours_wrap_midnight_and_end_at_their_end():
    quiet = QuietHours(time(22, 0), time(7, 0))
    late = datetime(2026, 11, 23, 22, 30, tzinfo=UTC)  # 23:30 in Oslo
    assert quiet.contains(late)
    assert quiet.end_after(late) == datetime(2026, 11, 24, 6, 0, tzinfo=UTC)  # 07:00 in Oslo
    noon = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)
    assert not quiet.contains(noon) and quiet.end_after(noon) == noon


def _facts(**overrides):
    row = {
        "pupil_id": "p", "pupil_name": "Ola", "class_id": "c", "class_name": "3A", "grade": 12,
        "school_year_id": "y", "school_id": "s", "school_name": "Skule", "timezone": "Europe/Oslo",
        "report_deadline": time(8, 30), "leave_teacher_max_days": 2, "local_today": MONDAY,
        "adulthood": "child", "is_self": False, "is_guardian": False, "guardian_may_act": False,
        "staff_roles": [], "subjects": [],
    }  # fmt: skip
    return {**row, **overrides}


def test_the_policy_turns_roster_facts_into_rights():
    assert decide(_facts()) is None  # no relation: the pupil does not exist for them
    guardian = decide(_facts(is_guardian=True, guardian_may_act=True))
    assert guardian is not None and guardian.can_report_absence and guardian.relation == "guardian"
    reader = decide(_facts(is_guardian=True, adulthood="possibly_adult"))
    assert reader is not None and not reader.can_report_absence
    pupil = decide(_facts(is_self=True, adulthood="possibly_adult"))
    assert pupil is not None and pupil.can_report_absence
    child = decide(_facts(is_self=True))
    assert child is not None and not child.can_report_absence
    teacher = decide(_facts(staff_roles=["subject_teacher"], subjects=["Norsk"]))
    assert teacher is not None and teacher.is_staff and not teacher.all_subjects
    assert not teacher.sees_class_matters and teacher.subjects == ("Norsk",)
    leader = decide(_facts(staff_roles=["subject_teacher", "school_leader"]))
    assert leader is not None and leader.relation == "school_leader" and leader.all_subjects


def test_who_decides_leave():
    # The one rule behind both a request's can_decide and the decision itself.
    assert staff_relation({"class_team", "contact_teacher", "school_leader"}) == "school_leader"
    assert staff_relation(set()) is None
    assert may_decide_leave("school_leader", 40, 2)
    assert may_decide_leave("contact_teacher", 2, 2)
    assert not may_decide_leave("contact_teacher", 3, 2)
    for someone_else in ("class_team", "subject_teacher", "guardian", "self", None):
        assert not may_decide_leave(someone_else, 1, 2)
