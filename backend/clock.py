"""The service clock. Every rule that depends on the time reads it.

In dev and test the clock can be moved (``SKOLEBRO_NOW``, ``POST
/api/v1/dev/clock``); it keeps running from the instant it was set to.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime


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
