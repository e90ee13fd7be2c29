"""The audit log of staff reads (product.md: Who may see what)."""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec


class AuditEntry(msgspec.Struct):
    id: str
    at: datetime
    actor_id: uuid.UUID
    actor_name: str
    pupil_id: uuid.UUID
    pupil_name: str
    action: str


class AuditLogPage(msgspec.Struct):
    items: list[AuditEntry]
    next_cursor: str | None
