"""The service clock. Every rule that depends on the time reads it.

In dev and test the clock can be moved (``SKOLEBRO_NOW``, ``POST
/api/v1/dev/clock``); it keeps running from the instant it was set to.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

# The instants a request may name (a cursor, a publication time, the dev clock).
# PostgreSQL and Python hold far more, but an instant of year 1 with a +14:00
# offset lies before year 1 in UTC and overflows on the way to the database.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


class Clock:
    def __init__(self, start: datetime | None = None) -> None:
        self._offset = 0.0
        if start is not None:
            self.set(start)

    def now(self) -> datetime:
        return datetime.fromtimestamp(time.time() + self._offset, UTC)

    def set(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("the clock needs an instant with a UTC offset")
        self._offset = instant.timestamp() - time.time()


def parse_instant(text: str) -> datetime:
    """Parse an RFC 3339 instant; an offset is required."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError(f"{text!r} has no UTC offset")
    return value


def plausible_instant(value: datetime) -> bool:
    """An instant with an offset, between 2000 and 2100."""
    if value.tzinfo is None:
        return False
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        return False
    return EARLIEST <= utc < LATEST
