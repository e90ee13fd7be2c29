"""Staff office hours: when a message to staff may be pushed.

Office hours are weekdays from ``start`` to ``end`` in the school's local
time; Norwegian public holidays are not working days. A message that
arrives outside them is in the inbox at once and pushed when they next
begin (product.md: Messaging).
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any

from backend.schools.calendar import is_public_holiday
from backend.schools.localtime import at_local, local_now, parse_hhmm

log = logging.getLogger("skolebro.messaging")

# Enough to cross Easter or Christmas; a longer search means bad data.
_MAX_DAYS_AHEAD = 14


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and not is_public_holiday(day)


def next_push_at(now: datetime, hours: Any, timezone: str) -> datetime | None:
    """When a push to someone with these office hours may go; None means now."""
    if not hours:
        return None
    try:
        start, end = parse_hhmm(hours["start"]), parse_hhmm(hours["end"])
    except (KeyError, TypeError, ValueError):
        log.warning("ignoring malformed office hours %r", hours)
        return None
    local = local_now(now, timezone)
    day, clock = local.date(), local.time().replace(tzinfo=None)
    if is_working_day(day):
        if start <= clock < end:
            return None
        if clock < start:
            return at_local(day, start, timezone)
    for _ in range(_MAX_DAYS_AHEAD):
        day += timedelta(days=1)
        if is_working_day(day):
            return at_local(day, start, timezone)
    return None
