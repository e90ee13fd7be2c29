"""Upper-secondary written absence warnings and documented absence
(api.md: Upper-secondary absence warnings; README: Absence in upper secondary)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import msgspec

from schemas.common import TimeOfDay


class WarningStatus(StrEnum):
    draft = "draft"
    sent = "sent"


class WarningRecipient(msgspec.Struct):
    """Who a sent warning went to, as they were when it was sent."""

    person_id: uuid.UUID
    name: str
    role: str  # pupil | guardian


class AbsenceWarning(msgspec.Struct):
    """A subject's written warning: drafted at the warning level, then sent.

    `percent`: the subject's counted percent when drafted (a draft follows it until
    sent). `sent_by` is null for a draft, and for a warning the school sends
    automatically."""

    id: uuid.UUID
    subject: str
    group_id: uuid.UUID | None
    percent: float
    status: WarningStatus
    created_at: datetime
    sent_at: datetime | None
    sent_by: uuid.UUID | None
    recipients: list[WarningRecipient]


class AbsenceWarningList(msgspec.Struct):
    items: list[AbsenceWarning]


class DocumentationKind(StrEnum):
    """What staff saw documented. `health_personnel` counts toward the limit (as
    self-reported health absence does); every other kind is exempt from it
    (forskrift til opplæringslova; Udir's circular on the limit, 3.3)."""

    health_personnel = "health_personnel"
    driving_test_b = "driving_test_b"  # theory and practical class B test
    union_representative = "union_representative"  # tillitsvalgt
    political_work = "political_work"
    relief_work = "relief_work"  # hjelpearbeid
    statutory_appearance = "statutory_appearance"  # lovpålagt oppmøte
    representation = "representation"  # national or international events
    religious_holiday = "religious_holiday"  # up to 2 days a school year

    @property
    def exempt(self) -> bool:
        return self is not DocumentationKind.health_personnel


class AbsenceDocumentationCreate(msgspec.Struct, forbid_unknown_fields=True):
    """Whole days (`first_day` to `last_day`), or `from_time`–`to_time` on one day."""

    kind: DocumentationKind
    first_day: date
    last_day: date | None = None
    from_time: TimeOfDay | None = None
    to_time: TimeOfDay | None = None


class AbsenceDocumentation(msgspec.Struct):
    id: uuid.UUID
    pupil_id: uuid.UUID
    kind: DocumentationKind
    exempt: bool
    first_day: date
    last_day: date
    from_time: str | None
    to_time: str | None
    recorded_by: uuid.UUID | None
    recorded_at: datetime


class AbsenceDocumentationList(msgspec.Struct):
    items: list[AbsenceDocumentation]
