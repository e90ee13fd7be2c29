"""Messaging between home and school (api.md: Messaging).

Subjects and bodies travel as plain JSON strings, exactly as written: no
client may treat them as markup.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

import msgspec

from schemas.common import TimeOfDay
from schemas.pages import Page

# PostgreSQL text cannot hold NUL, so it is refused at the edge (422) rather
# than failing in the database; a body must also hold something besides spaces.
Subject = Annotated[
    str,
    msgspec.Meta(
        max_length=200,
        pattern=r"^[^\x00]*$",
        description="at most 200 characters, stored and returned as written",
    ),
]
Body = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=5000,
        pattern=r"^[^\x00]*[^\x00\s][^\x00]*$",
        description="1–5000 characters, not only whitespace; stored and returned "
        "as written, never rendered as HTML",
    ),
]


class RecipientKind(StrEnum):
    contact_teacher = "contact_teacher"
    administration = "administration"
    staff = "staff"
    guardians = "guardians"


class ParticipantRole(StrEnum):
    guardian = "guardian"
    pupil = "pupil"
    contact_teacher = "contact_teacher"
    teacher = "teacher"
    school_leader = "school_leader"


class RecipientOption(msgspec.Struct, omit_defaults=True):
    """One choice in the recipient picker; ``id`` only for ``staff``."""

    kind: RecipientKind
    name: str
    id: uuid.UUID | None = None


class ContactTeacherRecipient(
    msgspec.Struct, tag_field="kind", tag="contact_teacher", forbid_unknown_fields=True
):
    """The pupil's contact teacher(s)."""


class AdministrationRecipient(
    msgspec.Struct, tag_field="kind", tag="administration", forbid_unknown_fields=True
):
    """The school's leaders at the time of sending."""


class StaffRecipient(msgspec.Struct, tag_field="kind", tag="staff", forbid_unknown_fields=True):
    """One member of staff who teaches the pupil."""

    id: uuid.UUID


class GuardiansRecipient(msgspec.Struct, tag_field="kind", tag="guardians", forbid_unknown_fields=True):
    """Every guardian with access to the pupil (staff only)."""


Recipient = ContactTeacherRecipient | AdministrationRecipient | StaffRecipient | GuardiansRecipient


class ThreadCreate(msgspec.Struct, forbid_unknown_fields=True):
    pupil_id: uuid.UUID
    recipients: Annotated[list[Recipient], msgspec.Meta(min_length=1, max_length=50)]
    subject: Subject
    body: Body


class MessageCreate(msgspec.Struct, forbid_unknown_fields=True):
    body: Body


class Participant(msgspec.Struct):
    user_id: uuid.UUID
    name: str
    role: ParticipantRole
    last_read_at: datetime | None


class Message(msgspec.Struct):
    id: uuid.UUID
    sender_id: uuid.UUID
    sender_name: str
    body: str
    sent_at: datetime


class Thread(msgspec.Struct):
    id: uuid.UUID
    subject: str
    pupil_id: uuid.UUID
    pupil_name: str
    created_at: datetime
    participants: list[Participant]
    messages: list[Message]
    # Health and child-welfare matters go through the municipality's secure
    # channel (product.md); in the caller's language.
    notice: str


class ThreadSummary(msgspec.Struct):
    id: uuid.UUID
    subject: str
    pupil_id: uuid.UUID
    pupil_name: str
    created_at: datetime
    last_message_at: datetime
    last_sender_id: uuid.UUID | None
    last_sender_name: str | None
    unread: int


class ThreadPage(Page[ThreadSummary]):
    items: list[ThreadSummary]


class OfficeHours(msgspec.Struct, forbid_unknown_fields=True):
    """Weekdays from ``start`` to ``end``, in the school's local time."""

    start: TimeOfDay
    end: TimeOfDay


class OfficeHoursSetting(msgspec.Struct, forbid_unknown_fields=True):
    """``null`` means no office hours: messages are pushed at once."""

    office_hours: OfficeHours | None
