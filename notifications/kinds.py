"""The kinds of notification, each declared once with how it is treated.

A new kind is a member here (with its row in ``_TRAITS``) and its texts
``push.<kind>.title``/``.body`` in the notifications catalogs (i18n/locales/);
tests check every kind has texts in nb, nn and en.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Category(StrEnum):
    """The switches of a person's push preferences."""

    messages = "messages"
    grades = "grades"
    absence = "absence"
    reminders = "reminders"


class Kind(StrEnum):
    missing_pupil = "missing_pupil"
    missing_pupil_escalation = "missing_pupil_escalation"
    missing_pupil_resolved = "missing_pupil_resolved"
    absence_check_reminder = "absence_check_reminder"
    late_absence_report = "late_absence_report"
    still_sick = "still_sick"
    absence_warning = "absence_warning"
    message = "message"
    assessment_published = "assessment_published"
    leave_request = "leave_request"
    leave_decision = "leave_decision"
    call_guardians = "call_guardians"
    missing_pupil_summary = "missing_pupil_summary"
    test_alert = "test_alert"
    follow_up_opened = "follow_up_opened"

    @property
    def urgent(self) -> bool:
        """Urgent kinds ignore preferences and quiet hours: a guardian must hear at once."""
        return _TRAITS[self].urgent

    @property
    def category(self) -> Category | None:
        """The preference switch that controls the kind; None: no switch, always pushed."""
        return _TRAITS[self].category

    @property
    def reminder(self) -> bool:
        """A reminder for today is worthless tomorrow (a shorter time to live)."""
        return _TRAITS[self].category is Category.reminders


@dataclass(frozen=True, slots=True)
class _Traits:
    category: Category | None = None
    urgent: bool = False


_TRAITS: dict[Kind, _Traits] = {
    Kind.missing_pupil: _Traits(urgent=True),
    Kind.missing_pupil_escalation: _Traits(urgent=True),
    Kind.call_guardians: _Traits(urgent=True),
    Kind.missing_pupil_summary: _Traits(urgent=True),
    Kind.test_alert: _Traits(),
    Kind.missing_pupil_resolved: _Traits(Category.absence),
    Kind.late_absence_report: _Traits(Category.absence),
    Kind.absence_warning: _Traits(Category.absence),
    Kind.leave_request: _Traits(Category.absence),
    Kind.leave_decision: _Traits(Category.absence),
    Kind.absence_check_reminder: _Traits(Category.reminders),
    Kind.still_sick: _Traits(Category.reminders),
    Kind.message: _Traits(Category.messages),
    Kind.assessment_published: _Traits(Category.grades),
    # To the contact teacher, the night a follow-up opens: read in the morning.
    Kind.follow_up_opened: _Traits(Category.absence),
}
