"""School settings and closed days (api.md: School settings and calendar)."""

from __future__ import annotations

import datetime as dt
from datetime import date
from typing import Annotated

import msgspec

from schemas.common import TimeOfDay
from schemas.follow_ups import FollowUpRules, SharePercent, Times, UnexplainedTimes, WindowDays
from schemas.pages import Page

# A seek policy value: a named moment of the school day or a fixed "HH:MM".
SeekMoment = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^(first_lesson|first_recess|([01][0-9]|2[0-3]):[0-5][0-9])$",
        description="first_lesson, first_recess or a fixed school-local time HH:MM",
    ),
]
Timezone = Annotated[
    str, msgspec.Meta(min_length=1, max_length=64, description="IANA time zone, e.g. Europe/Oslo")
]
EscalateMinutes = Annotated[int, msgspec.Meta(ge=30, le=45, description="30 to 45 minutes")]
TeacherMaxDays = Annotated[int, msgspec.Meta(ge=0, le=60)]
RetentionDays = Annotated[int, msgspec.Meta(ge=1, le=3650)]
LadderMinutes = Annotated[int, msgspec.Meta(ge=1, le=60, description="1 to 60 minutes after seeking")]
OfficePhone = Annotated[
    str, msgspec.Meta(pattern=r"^\+?[0-9 ]{3,20}$", description="the number SMS texts name, e.g. +4757000000")
]
Label = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
AbsencePercent = Annotated[
    float, msgspec.Meta(gt=0, le=50, description="a percent of the annual hours, above 0 and at most 50")
]
AnnualHours = Annotated[int, msgspec.Meta(ge=1, le=1000)]
SubjectName = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"^[^\x00]*$")]
FeideRealm = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^$|^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$",
        max_length=253,
        description="the school's Feide realm, e.g. vassenden.no",
    ),
]


class FollowUpRulesUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """The follow-up rules a PUT names; each within its range (schemas/follow_ups.py)."""

    days_share_percent: SharePercent | None = None
    window_days: WindowDays | None = None
    spells: Times | None = None
    same_weekday: Times | None = None
    same_weekday_window_days: WindowDays | None = None
    unexplained_per_term: UnexplainedTimes | None = None


class SeekPolicy(msgspec.Struct, forbid_unknown_fields=True):
    """When a missing pupil is sought, per level (grades 1–7, 8–10, 11–13)."""

    grades_1_7: SeekMoment = msgspec.field(name="1-7")
    grades_8_10: SeekMoment = msgspec.field(name="8-10")
    grades_11_13: SeekMoment = msgspec.field(name="11-13")


class SchoolSettings(msgspec.Struct):
    timezone: str
    report_deadline: str
    check_reminder_at: str
    first_lesson_start: str
    first_lesson_end: str
    first_recess_start: str
    seek_policy: SeekPolicy
    escalate_after_minutes: int
    leave_teacher_max_days: int
    still_sick_at: str
    note_retention_days: int
    roster_sync_at: str = "05:00"
    feide_realm: str | None = None
    # Reaching guardians: the number SMS texts name, and the ladder's steps.
    office_phone: str | None = None
    sms_after_minutes: int = 5
    call_after_minutes: int = 10
    # Upper secondary (grades 11–13): the absence limit and the written warning's level,
    # in percent of a subject's annual hours; whether a drafted warning is sent at once;
    # annual hours per subject name where the roster gives a group none.
    absence_limit_percent: float = 10.0
    absence_warning_percent: float = 8.0
    absence_warnings_automatic: bool = False
    absence_annual_hours: dict[str, int] = msgspec.field(default_factory=dict)
    # The rules for worrying absence (api.md: Absence follow-up).
    follow_up: FollowUpRules = msgspec.field(default_factory=FollowUpRules)


class SchoolSettingsUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """PUT replaces the fields it names; the others keep their values."""

    timezone: Timezone | None = None
    report_deadline: TimeOfDay | None = None
    check_reminder_at: TimeOfDay | None = None
    first_lesson_start: TimeOfDay | None = None
    first_lesson_end: TimeOfDay | None = None
    first_recess_start: TimeOfDay | None = None
    seek_policy: SeekPolicy | None = None
    escalate_after_minutes: EscalateMinutes | None = None
    leave_teacher_max_days: TeacherMaxDays | None = None
    still_sick_at: TimeOfDay | None = None
    note_retention_days: RetentionDays | None = None
    roster_sync_at: TimeOfDay | None = None
    # "" clears it; a bare OneRoster username ola then has no Feide identity.
    feide_realm: FeideRealm | None = None
    office_phone: OfficePhone | None = None
    sms_after_minutes: LadderMinutes | None = None
    call_after_minutes: LadderMinutes | None = None
    absence_limit_percent: AbsencePercent | None = None
    absence_warning_percent: AbsencePercent | None = None
    absence_warnings_automatic: bool | None = None
    # Replaces the whole map ({} clears it).
    absence_annual_hours: dict[SubjectName, AnnualHours] | None = None
    # Replaces the rules it names; the others keep their values.
    follow_up: FollowUpRulesUpdate | None = None


class ClosedDayCreate(msgspec.Struct, forbid_unknown_fields=True):
    """One day (``date``), or every weekday from ``first_day`` to ``last_day``."""

    label: Label
    date: dt.date | None = None
    first_day: dt.date | None = None
    last_day: dt.date | None = None


class ClosedDay(msgspec.Struct):
    date: date
    label: str


class ClosedDayPage(Page[ClosedDay]):
    items: list[ClosedDay]


class CalendarPreviewDay(msgspec.Struct):
    date: date
    label: str
    already_closed: bool
    public_holiday: bool  # closed anyway; listed so the school sees its calendar whole


class CalendarPreview(msgspec.Struct):
    """What an iCalendar import would add (the portal shows it before confirming)."""

    days: list[CalendarPreviewDay]
    new: int
    events: int
    skipped_timed: int
    skipped_repeating: int
