"""The audit log of staff reads of pupil data."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg

from backend.access.policy import PupilAccess

_INSERT = """
INSERT INTO audit_log (school_id, actor_id, pupil_id, action, at) VALUES ($1, $2, $3, $4, $5)
"""


async def record_staff_read(
    conn: asyncpg.Connection,
    access: PupilAccess,
    actor_id: uuid.UUID,
    action: str,
    at: datetime,
) -> None:
    """Write who read what; guardians and the pupil reading their own data are not staff reads."""
    if access.is_staff and access.relation not in ("guardian", "self"):
        await conn.execute(_INSERT, access.reading_school_id, actor_id, access.pupil_id, action, at)
