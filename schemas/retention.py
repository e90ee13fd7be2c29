"""Data lifecycle (api.md: Data lifecycle): legal holds."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec

Reason = Annotated[
    str, msgspec.Meta(min_length=1, max_length=500, description="why the pupil's data must be kept")
]


class LegalHoldPlace(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason


class LegalHold(msgspec.Struct):
    pupil_id: uuid.UUID
    reason: str
    placed_by: uuid.UUID
    placed_at: datetime
