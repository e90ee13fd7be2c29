"""The one function every domain calls to notify people.

``notify`` runs inside the caller's transaction: the inbox item and one
delivery per registered device are committed together with the event that
caused them, so an acknowledged event never loses its notification. The
dispatcher sends the deliveries afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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


# The same writes as _INSERT for many notifications of different kinds and
# data at once (scheduled jobs enqueue tens of thousands per tick).
_INSERT_MANY = """
WITH recipients AS (
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[],
                         $7::boolean[], $8::text[], $9::timestamptz[])
        AS r(person_id, notification_id, kind, data, title, body, urgent, collapse_key, due_at)
), inbox AS (
    INSERT INTO notifications (id, person_id, kind, title, body, data, urgent, created_at)
    SELECT r.notification_id, r.person_id, r.kind, r.title, r.body, r.data::jsonb, r.urgent, $10
    FROM recipients r
    RETURNING id, person_id
)
INSERT INTO deliveries (notification_id, device_id, token, urgent, collapse_key, due_at, created_at)
SELECT i.id, d.id, d.token, r.urgent, r.collapse_key, r.due_at, $10
FROM inbox i JOIN recipients r ON r.notification_id = i.id
JOIN devices d ON d.person_id = i.person_id
"""


@dataclass(frozen=True, slots=True)
class Notice:
    """One ``notify`` call's worth: what ``notify_many`` takes a list of."""

    recipients: Sequence[uuid.UUID]
    kind: str
    data: Mapping[str, Any]
    params: Mapping[str, Any] | None = None
    urgent: bool = False
    collapse_key: str | None = None


async def notify_many(
    conn: asyncpg.Connection, notices: Sequence[Notice], *, now: datetime
) -> int:
    """``notify`` for many notices in two round trips; returns the inbox rows written.

    Same rules as ``notify`` (one inbox item per distinct recipient of a
    notice, texts in the recipient's language, one delivery per device),
    for jobs that would otherwise make thousands of calls. Runs inside the
    caller's transaction. Keep it in step with ``notify``.
    """
    people = list({p for n in notices for p in n.recipients})
    if not people:
        return 0
    locales = {r["id"]: r["locale"] for r in await conn.fetch(_LOCALES, people)}
    cols: tuple[list[Any], ...] = ([], [], [], [], [], [], [], [], [])
    for n in notices:
        data = msgspec.json.encode(msgspec.to_builtins(dict(n.data))).decode()
        for person in dict.fromkeys(n.recipients):
            title, body = render(n.kind, locales.get(person, "nb"), n.params or {})
            row = (person, uuid.uuid4(), n.kind, data, title, body, n.urgent, n.collapse_key, now)
            for col, value in zip(cols, row, strict=True):
                col.append(value)
    await conn.execute(_INSERT_MANY, *cols, now)
    return len(cols[0])
