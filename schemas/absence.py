"""Absence reports (api.md: Absence reports)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

import msgspec

from schemas.common import TimeOfDay
from schemas.pages import Page


class AbsenceReason(StrEnum):
    sick = "sick"
    doctor = "doctor"
    dentist = "dentist"
    funeral = "funeral"
    hospital = "hospital"
    other = "other"


# PostgreSQL text cannot hold NUL, so refuse it here rather than fail at the INSERT.
Note = Annotated[
    str,
    msgspec.Meta(max_length=500, pattern=r"^[^\x00]*$", description="at most 500 characters"),
]


class AbsenceReportCreate(msgspec.Struct, forbid_unknown_fields=True):
    first_day: date
    reason: AbsenceReason
    last_day: date | None = None
    from_time: TimeOfDay | None = None
    to_time: TimeOfDay | None = None
    note: Note | None = None


class AbsenceReport(msgspec.Struct):
    id: uuid.UUID
    pupil_id: uuid.UUID
    first_day: date
    last_day: date
    from_time: str | None
    to_time: str | None
    reason: AbsenceReason
    note: str | None
    submitted_at: datetime
    submitted_by: uuid.UUID
    deadline: datetime
    late: bool


class AbsenceReportPage(Page[AbsenceReport]):
    items: list[AbsenceReport]
