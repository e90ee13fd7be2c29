"""The one function every domain calls to notify people.

``notify`` runs inside the caller's transaction: the inbox item and one
delivery per registered device are committed together with the event that
caused them, so an acknowledged event never loses its notification. The
dispatcher sends the deliveries afterwards; a ``pg_notify`` in the same
transaction wakes it the moment the transaction commits (and not at all if
it rolls back).

Each recipient's push preferences are applied here: a kind they switched
off gets no deliveries (the inbox item is still there), and a push that
would land in their quiet hours is held until the quiet hours end. Urgent
kinds ignore both.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
import msgspec

from notifications.kinds import Kind
from notifications.preferences import Preferences, is_urgent
from notifications.push_texts import render

log = logging.getLogger("skolebro.notifications")

# The channel the dispatcher LISTENs on.
PUSH_CHANNEL = "skolebro_push"

# The push payload and the inbox row are readable on a locked phone: they
# carry ids, never the free text of a note or a message (api.md).
FORBIDDEN_DATA_KEYS = frozenset({"note", "body"})

# Inserts one inbox row per (notice, recipient), in the recipient's language,
# and one pending delivery per device where the push is wanted, due when the
# recipient's quiet hours and office hours allow. The pg_notify fires on
# commit, and only when something was queued.
_INSERT = (
    """
WITH recipients AS (
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[],
                         $7::boolean[], $8::text[], $9::timestamptz[], $10::boolean[])
        AS r(person_id, notification_id, kind, data, title, body, urgent, collapse_key, due_at,
             push)
), inbox AS (
    INSERT INTO notifications (id, person_id, kind, title, body, data, urgent, created_at)
    SELECT r.notification_id, r.person_id, r.kind, r.title, r.body, r.data::jsonb, r.urgent, $11
    FROM recipients r
    -- Someone the roster removed is told nothing more (their row stays for the record).
    WHERE NOT EXISTS (SELECT 1 FROM people p WHERE p.id = r.person_id AND p.deactivated_at IS NOT NULL)
    RETURNING id, person_id
), queued AS (
    INSERT INTO deliveries (notification_id, device_id, token, urgent, collapse_key, due_at,
                            created_at)
    SELECT i.id, d.id, d.token, r.urgent, r.collapse_key, r.due_at, $11
    FROM inbox i JOIN recipients r ON r.notification_id = i.id
    JOIN devices d ON d.person_id = i.person_id
    WHERE r.push
    RETURNING 1
)
SELECT pg_notify('"""
    + PUSH_CHANNEL
    + """', '') FROM queued HAVING count(*) > 0
"""
)

_RECIPIENTS = """
SELECT p.id, p.locale, np.push_messages, np.push_grades, np.push_absence, np.push_reminders,
       np.quiet_start, np.quiet_end
FROM people p LEFT JOIN notification_preferences np ON np.person_id = p.id
WHERE p.id = any($1::uuid[])
"""


@dataclass(frozen=True, slots=True)
class Notice:
    """One notification to some people: what ``notify_many`` takes a list of.

    ``data`` carries the ids the app needs (``pupil_id``, ``case_id``, ...);
    ``params`` fill the text templates. ``push_after`` holds pushes back per
    recipient (staff office hours); the inbox item is there at once either
    way. ``collapse_key`` lets a newer push about the same thing (one
    missing-pupil case) replace an older one still waiting on the phone.
    """

    recipients: Sequence[uuid.UUID]
    kind: Kind
    data: Mapping[str, Any]
    params: Mapping[str, Any] | None = None
    urgent: bool = False
    collapse_key: str | None = None
    push_after: Mapping[uuid.UUID, datetime] | None = None


async def notify(
    conn: asyncpg.Connection,
    *,
    recipients: Sequence[uuid.UUID],
    kind: Kind,
    data: Mapping[str, Any],
    params: Mapping[str, Any] | None = None,
    urgent: bool = False,
    now: datetime,
    collapse_key: str | None = None,
    push_after: Mapping[uuid.UUID, datetime] | None = None,
) -> list[uuid.UUID]:
    """Store a notification of ``kind`` for each recipient and queue its pushes.

    Returns the inbox ids, one per distinct recipient (see ``Notice``).
    """
    return await notify_many(
        conn, [Notice(recipients, kind, data, params, urgent, collapse_key, push_after)], now=now
    )


async def notify_many(
    conn: asyncpg.Connection, notices: Sequence[Notice], *, now: datetime
) -> list[uuid.UUID]:
    """``notify`` for many notices in two round trips (jobs enqueue thousands a tick).

    Runs inside the caller's transaction; returns the inbox ids written.
    """
    for n in notices:
        leaked = FORBIDDEN_DATA_KEYS & set(n.data)
        if leaked:
            raise ValueError(f"notification data may not carry {sorted(leaked)}: ids only")
    people = list({p for n in notices for p in n.recipients})
    if not people:
        return []
    rows = {r["id"]: r for r in await conn.fetch(_RECIPIENTS, people)}
    prefs = {pid: Preferences.from_row(row) for pid, row in rows.items()}
    cols: tuple[list[Any], ...] = ([], [], [], [], [], [], [], [], [], [])
    held = silenced = 0
    for n in notices:
        urgent = is_urgent(n.kind, n.urgent)
        data = msgspec.json.encode(msgspec.to_builtins(dict(n.data))).decode()
        for person in dict.fromkeys(n.recipients):
            row = rows.get(person)
            title, body = render(n.kind, row["locale"] if row else "nb", n.params or {})
            wanted = max(now, (n.push_after or {}).get(person, now))
            when = prefs.get(person, Preferences()).push_time(n.kind, urgent, wanted)
            if when is None:
                silenced += 1
            elif when > wanted:
                held += 1
            values = (
                person,
                uuid.uuid4(),
                n.kind,
                data,
                title,
                body,
                urgent,
                n.collapse_key,
                when or wanted,
                when is not None,
            )
            for col, value in zip(cols, values, strict=True):
                col.append(value)
    await conn.execute(_INSERT, *cols, now)
    kinds = sorted({n.kind for n in notices})
    log.info(
        "notification %s to %d people%s%s",
        ", ".join(kinds),
        len(cols[0]),
        f", {silenced} without push by preference" if silenced else "",
        f", {held} held for quiet hours" if held else "",
    )
    return list(cols[1])
