"""The audit log of staff reads (product.md: Who may see what)."""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec

from schemas.pages import Page


class AuditEntry(msgspec.Struct):
    id: str
    at: datetime
    actor_id: uuid.UUID
    actor_name: str
    pupil_id: uuid.UUID
    pupil_name: str
    action: str


class AuditLogPage(Page[AuditEntry]):
    items: list[AuditEntry]
