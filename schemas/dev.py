"""Dev/test-only requests (api.md: Operations)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec


class ClockSet(msgspec.Struct, forbid_unknown_fields=True):
    now: datetime


class ClockState(msgspec.Struct):
    now: datetime


class JobRun(msgspec.Struct):
    job: str
    ran_at: datetime
    effects: dict[str, Any]
