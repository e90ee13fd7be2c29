"""Reaching guardians (api.md: Missing-pupil cases, Reachability, Me)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

import msgspec


class Channel(StrEnum):
    push = "push"
    sms = "sms"
    email = "email"
    call = "call"


class ContactStatus(StrEnum):
    queued = "queued"
    sent = "sent"
    delivered = "delivered"
    failed = "failed"
    opened = "opened"
    reached = "reached"
    no_answer = "no_answer"


class Contact(msgspec.Struct):
    """One attempt to reach one guardian on a case."""

    guardian_id: uuid.UUID
    name: str
    channel: Channel
    status: ContactStatus
    at: datetime


class CallOutcome(StrEnum):
    reached = "reached"
    no_answer = "no_answer"
    wrong_number = "wrong_number"


class CallLogged(msgspec.Struct, forbid_unknown_fields=True):
    guardian_id: uuid.UUID
    outcome: CallOutcome
    note: Annotated[str, msgspec.Meta(max_length=500)] | None = None


class CallListItem(msgspec.Struct):
    guardian_id: uuid.UUID
    name: str
    mobile: str | None
    reached: bool
    relation: str | None = None


class CallList(msgspec.Struct):
    items: list[CallListItem]


class MyContact(msgspec.Struct):
    mobile: str | None
    email: str | None


class PupilReach(msgspec.Struct):
    pupil_id: uuid.UUID
    name: str
    push: bool
    sms: bool
    email: bool
    confirmed_at: datetime | None


class Reachability(msgspec.Struct):
    class_id: uuid.UUID
    pupils: list[PupilReach]
    unreachable: int


class TestAlertSent(msgspec.Struct):
    id: uuid.UUID
    recipients: int


class ClassReach(msgspec.Struct):
    """One class on the school's reachability page."""

    class_id: uuid.UUID
    class_name: str
    grade: int
    pupils: int
    unreachable: int
    confirmed: int  # pupils a guardian of confirmed the latest test alert for


class TestAlertStatus(msgspec.Struct):
    id: uuid.UUID
    sent_at: datetime
    sent_by_name: str
    recipients: int
    confirmed: int


class SchoolReachability(msgspec.Struct):
    school_id: uuid.UUID
    classes: list[ClassReach]
    unreachable: int
    test_alerts: list[TestAlertStatus]  # newest first
