"""Absence follow-up (api.md: Absence follow-up) and its rules as school settings."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

import msgspec

from schemas.pages import Page

# The ranges a school may set (product.md: Following up absence). Wide enough for
# any published municipal routine, narrow enough that a rule can still be met and
# the nightly job's look-back stays within a term.
SharePercent = Annotated[int, msgspec.Meta(ge=1, le=100, description="1 to 100 % of school days")]
WindowDays = Annotated[int, msgspec.Meta(ge=7, le=120, description="7 to 120 calendar days")]
Times = Annotated[int, msgspec.Meta(ge=2, le=20, description="2 to 20 times")]
UnexplainedTimes = Annotated[int, msgspec.Meta(ge=1, le=50, description="1 to 50 days")]


class FollowUpRules(msgspec.Struct, forbid_unknown_fields=True):
    """The school's rules for worrying absence; each met rule opens a follow-up."""

    days_share_percent: SharePercent = 10
    window_days: WindowDays = 28
    spells: Times = 3
    same_weekday: Times = 3
    same_weekday_window_days: WindowDays = 42
    unexplained_per_term: UnexplainedTimes = 3


class FollowUpStatus(StrEnum):
    open = "open"
    closed = "closed"


class Rule(StrEnum):
    days_share = "days_share"
    spells = "spells"
    same_weekday = "same_weekday"
    unexplained = "unexplained"


class ActionKind(StrEnum):
    talk_with_pupil = "talk_with_pupil"
    called_guardians = "called_guardians"
    meeting = "meeting"
    school_health_service = "school_health_service"
    ppt = "ppt"
    other = "other"


class RuleMet(msgspec.Struct):
    rule: Rule
    days: list[date]


class FollowUpAction(msgspec.Struct):
    id: uuid.UUID
    kind: ActionKind
    on: date
    by_id: uuid.UUID
    by_name: str
    logged_at: datetime


class FollowUp(msgspec.Struct):
    id: uuid.UUID
    pupil_id: uuid.UUID
    pupil_name: str
    class_id: uuid.UUID
    class_name: str
    school_id: uuid.UUID
    status: FollowUpStatus
    opened_at: datetime
    closed_at: datetime | None
    owner_id: uuid.UUID | None
    rules: list[RuleMet]


class FollowUpDetail(FollowUp):
    actions: list[FollowUpAction] = []


class FollowUpPage(Page[FollowUp]):
    items: list[FollowUp]


class FollowUpActionCreate(msgspec.Struct, forbid_unknown_fields=True):
    kind: ActionKind
    on: date
