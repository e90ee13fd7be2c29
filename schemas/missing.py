"""Missing-pupil cases (api.md: Missing-pupil cases)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

import msgspec

from schemas.pages import Page
from schemas.reach import Contact


class CaseStatus(StrEnum):
    pending = "pending"
    sought = "sought"
    escalated = "escalated"
    resolved = "resolved"


class CaseFilter(StrEnum):
    open = "open"
    resolved = "resolved"


class Outcome(StrEnum):
    """How a case ended. Guardians answer with the first three, staff with
    ``arrived``/``other``; ``reported`` and ``leave`` are set by the service."""

    sick_at_home = "sick_at_home"
    on_the_way = "on_the_way"
    found_other = "found_other"
    arrived = "arrived"
    other = "other"
    reported = "reported"
    leave = "leave"


class ResolveCase(msgspec.Struct, forbid_unknown_fields=True):
    outcome: Outcome
    note: Annotated[str, msgspec.Meta(max_length=500)] | None = None


class Resolution(msgspec.Struct):
    outcome: Outcome
    note: str | None
    resolved_by: uuid.UUID | None
    resolved_by_name: str | None


class CaseEvent(msgspec.Struct):
    event: str
    at: datetime
    actor_id: uuid.UUID | None
    actor_name: str | None
    outcome: str | None = None


class MissingCase(msgspec.Struct, omit_defaults=True):
    id: uuid.UUID
    pupil_id: uuid.UUID
    pupil_name: str
    class_id: uuid.UUID
    class_name: str
    date: date
    status: CaseStatus
    opened_at: datetime
    sought_at: datetime | None
    escalated_at: datetime | None
    resolved_at: datetime | None
    # The first moment a guardian was reached (product.md: Reaching guardians).
    reached_at: datetime | None
    resolution: Resolution | None = None
    events: list[CaseEvent] | None = None
    # One case read: every attempt to reach a guardian (guardians: their own).
    contacts: list[Contact] | None = None
    # When the class team was told to call the guardians (the board highlights the call list).
    call_requested_at: datetime | None = None


class MissingCasePage(Page[MissingCase]):
    items: list[MissingCase]
