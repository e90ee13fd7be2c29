"""Opening a missing-pupil alert in the app is what "reached" means (product.md: Reaching
guardians): marking the notification read marks its guardian reached on the case."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg

from backend.db.transactions import atomic
from backend.inbox import service as inbox
from backend.missing import contacts


async def open_notification(
    conn: asyncpg.Connection, person_id: uuid.UUID, notification_id: uuid.UUID, now: datetime
) -> None:
    async with atomic(conn):
        await inbox.mark_read(conn, person_id, notification_id, now)
        await contacts.after_read(conn, person_id, notification_id, now)
