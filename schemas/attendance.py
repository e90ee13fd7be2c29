"""The morning board and roll call (api.md: Morning check and roll call)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

import msgspec

from schemas.absence import AbsenceReason


class BoardStatus(StrEnum):
    reported = "reported"
    leave = "leave"
    present = "present"
    late = "late"
    absent = "absent"
    unregistered = "unregistered"


class MarkStatus(StrEnum):
    present = "present"
    absent = "absent"
    late = "late"


class Mark(msgspec.Struct, forbid_unknown_fields=True):
    pupil_id: uuid.UUID
    status: MarkStatus


class RollCall(msgspec.Struct, forbid_unknown_fields=True):
    marks: Annotated[list[Mark], msgspec.Meta(max_length=500)]


class BoardPupil(msgspec.Struct, omit_defaults=True):
    pupil_id: uuid.UUID
    name: str
    status: BoardStatus
    reason: AbsenceReason | None = None
    report_id: uuid.UUID | None = None
    missing_case_id: uuid.UUID | None = None


class Board(msgspec.Struct):
    class_id: uuid.UUID
    date: date
    check_completed_at: datetime | None
    pupils: list[BoardPupil]
