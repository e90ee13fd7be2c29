"""Guardians of a pupil as the school administers them (api.md: Guardians of a pupil)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

import msgspec


class GuardianAccess(StrEnum):
    full = "full"
    read_only = "read_only"
    none = "none"


class AccessSource(StrEnum):
    roster = "roster"
    school = "school"


Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=500, description="why, for the record")]


class GuardianRow(msgspec.Struct, omit_defaults=True):
    guardian_id: uuid.UUID
    name: str
    access: GuardianAccess
    source: AccessSource
    roster_access: GuardianAccess
    adult_consent: bool
    changed_at: datetime | None = None
    changed_by: uuid.UUID | None = None
    reason: str | None = None


class GuardianList(msgspec.Struct):
    items: list[GuardianRow]
    # The school system sent no birth date: at upper secondary the pupil may be an adult.
    birth_date_missing: bool = False


class GuardianAccessUpdate(msgspec.Struct, forbid_unknown_fields=True):
    access: GuardianAccess
    reason: Reason
