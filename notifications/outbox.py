"""The one function every domain calls to notify people.

``notify`` runs inside the caller's transaction: the inbox item and one
delivery per registered device are committed together with the event that
caused them, so an acknowledged event never loses its notification. The
dispatcher sends the deliveries afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import asyncpg
import msgspec

from notifications.texts import render

# Inserts one inbox row per recipient, in the recipient's language, and one
# pending delivery per device of theirs. $5 = titles, $6 = bodies (parallel to $1).
_INSERT = """
WITH recipients AS (
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $5::text[], $6::text[], $10::timestamptz[])
        AS r(person_id, notification_id, title, body, due_at)
), inbox AS (
    INSERT INTO notifications (id, person_id, kind, title, body, data, urgent, created_at)
    SELECT r.notification_id, r.person_id, $3, r.title, r.body, $4::jsonb, $7, $8
    FROM recipients r
    RETURNING id, person_id
)
INSERT INTO deliveries (notification_id, device_id, token, urgent, collapse_key, due_at, created_at)
SELECT i.id, d.id, d.token, $7, $9, r.due_at, $8
FROM inbox i JOIN recipients r ON r.notification_id = i.id
JOIN devices d ON d.person_id = i.person_id
"""

_LOCALES = "SELECT id, locale FROM people WHERE id = any($1::uuid[])"


async def notify(
    conn: asyncpg.Connection,
    *,
    recipients: Sequence[uuid.UUID],
    kind: str,
    data: Mapping[str, Any],
    params: Mapping[str, Any] | None = None,
    urgent: bool = False,
    now: datetime,
    collapse_key: str | None = None,
    push_after: Mapping[uuid.UUID, datetime] | None = None,
) -> list[uuid.UUID]:
    """Store a notification of ``kind`` for each recipient and queue its pushes.

    ``data`` carries the ids the app needs (``pupil_id``, ``case_id``, ...);
    ``params`` fill the text templates. Returns the inbox ids, one per
    distinct recipient. ``push_after`` holds pushes back per recipient (staff
    office hours); the inbox item is there at once either way.
    """
    people = list(dict.fromkeys(recipients))
    if not people:
        return []
    locales = {r["id"]: r["locale"] for r in await conn.fetch(_LOCALES, people)}
    ids = [uuid.uuid4() for _ in people]
    titles, bodies = [], []
    for person in people:
        title, body = render(kind, locales.get(person, "nb"), params or {})
        titles.append(title)
        bodies.append(body)
    due = [max(now, (push_after or {}).get(person, now)) for person in people]
    await conn.execute(
        _INSERT, people, ids, kind, msgspec.to_builtins(dict(data)), titles, bodies, urgent, now, collapse_key, due
    )
    return ids
