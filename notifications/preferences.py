"""Push preferences: which kinds a person wants pushed, and quiet hours.

The inbox always gets every notification; preferences only decide whether
and when it is *pushed*. Urgent kinds (a missing pupil and its escalation)
ignore both, because a guardian must hear about them at once.

Quiet hours are wall-clock times in Norway (Europe/Oslo) and may wrap
midnight (22:00–07:00). A non-urgent push that falls inside them waits
until they end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from notifications.kinds import Category, Kind

__all__ = ["Category", "Preferences", "QuietHours", "is_urgent"]

QUIET_HOURS_ZONE = ZoneInfo("Europe/Oslo")


def is_urgent(kind: str, urgent: bool = False) -> bool:
    return urgent or Kind(kind).urgent


@dataclass(frozen=True, slots=True)
class QuietHours:
    start: time
    end: time

    def contains(self, instant: datetime) -> bool:
        local = instant.astimezone(QUIET_HOURS_ZONE).time()
        if self.start < self.end:
            return self.start <= local < self.end
        # Wraps midnight: 22:00–07:00 is quiet from 22:00 and until 07:00.
        return local >= self.start or local < self.end

    def end_after(self, instant: datetime) -> datetime:
        """The first moment at or after ``instant`` when the quiet hours are over."""
        if not self.contains(instant):
            return instant
        local_day = instant.astimezone(QUIET_HOURS_ZONE).date()
        for offset in range(2):
            candidate = _at(local_day + timedelta(days=offset), self.end)
            if candidate > instant:
                return candidate
        return instant  # unreachable: quiet hours always end within a day


def _at(day: date, moment: time) -> datetime:
    # zoneinfo moves a wall time in the spring-forward gap to after the gap,
    # which is when a phone in Norway would show that time anyway.
    local = datetime.combine(day, moment, QUIET_HOURS_ZONE)
    return local.astimezone(ZoneInfo("UTC")).astimezone(QUIET_HOURS_ZONE)


@dataclass(frozen=True, slots=True)
class Preferences:
    messages: bool = True
    grades: bool = True
    absence: bool = True
    reminders: bool = True
    quiet_hours: QuietHours | None = None

    @classmethod
    def from_row(cls, row: Any) -> Preferences:
        """From a row with the notification_preferences columns (NULLs = defaults)."""
        start, end = row.get("quiet_start"), row.get("quiet_end")
        return cls(
            messages=row.get("push_messages") is not False,
            grades=row.get("push_grades") is not False,
            absence=row.get("push_absence") is not False,
            reminders=row.get("push_reminders") is not False,
            quiet_hours=QuietHours(start, end) if start is not None and end is not None else None,
        )

    def wants(self, category: Category) -> bool:
        return bool(getattr(self, category.value))

    def push_time(self, kind: str, urgent: bool, due: datetime) -> datetime | None:
        """When to push a notification of ``kind`` that could go at ``due``; None = never."""
        if is_urgent(kind, urgent):
            return due
        category = Kind(kind).category
        if category is not None and not self.wants(category):
            return None
        if self.quiet_hours is not None:
            return self.quiet_hours.end_after(due)
        return due
