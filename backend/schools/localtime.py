"""School-local wall-clock time."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo


def at_local(day: date, moment: time, timezone: str) -> datetime:
    """The instant when the school's clocks show ``moment`` on ``day``.

    In a DST gap the wall time does not exist; zoneinfo moves it forward,
    which is what a school on the spring-forward night would expect.
    """
    return datetime.combine(day, moment, ZoneInfo(timezone))


def local_now(instant: datetime, timezone: str) -> datetime:
    return instant.astimezone(ZoneInfo(timezone))


def parse_hhmm(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def format_hhmm(moment: time | None) -> str | None:
    return None if moment is None else moment.strftime("%H:%M")
