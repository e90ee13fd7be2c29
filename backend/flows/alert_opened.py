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


async def open_case_link(
    conn: asyncpg.Connection, person_id: uuid.UUID, case_id: uuid.UUID, now: datetime
) -> None:
    """The case page opened from the link in an SMS or e-mail (or the inbox) after sign-in:
    the same as opening the case's alert in the app, so its guardian is reached.

    Nothing for someone who was not alerted (staff, a guardian told before they had
    access); the page itself asks the case's access first.
    """
    async with atomic(conn):
        for notification_id in await contacts.unread_alerts(conn, person_id, case_id):
            await inbox.mark_read(conn, person_id, notification_id, now)
            await contacts.after_read(conn, person_id, notification_id, now)
