"""Leave requests (api.md: Leave (web portal only))."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

import msgspec

from schemas.pages import Page

Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=1000, description="why; 1–1000 characters")]
Comment = Annotated[str, msgspec.Meta(max_length=1000, description="at most 1000 characters")]


class LeaveStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"


class LeaveListFilter(StrEnum):
    """``?status=``: ``decided`` is approved or rejected."""

    pending = "pending"
    decided = "decided"


class LeaveRequestCreate(msgspec.Struct, forbid_unknown_fields=True):
    first_day: date
    last_day: date
    reason: Reason


class LeaveDecisionCreate(msgspec.Struct, forbid_unknown_fields=True):
    approved: bool
    comment: Comment | None = None


class LeaveRequest(msgspec.Struct):
    id: uuid.UUID
    pupil_id: uuid.UUID
    pupil_name: str
    class_id: uuid.UUID | None
    class_name: str | None
    first_day: date
    last_day: date
    reason: str
    school_days: int
    status: LeaveStatus
    requested_by: uuid.UUID
    requested_by_name: str
    created_at: datetime
    decided_by: uuid.UUID | None
    decided_by_name: str | None
    decided_at: datetime | None
    comment: str | None
    # Whether the caller may decide it now (contact teacher within the limit, or a leader).
    can_decide: bool


class LeaveRequestPage(Page[LeaveRequest]):
    items: list[LeaveRequest]
