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
from datetime import datetime
from typing import Any

import asyncpg
import msgspec

from notifications.preferences import Preferences, is_urgent
from notifications.texts import render

log = logging.getLogger("skolebro.notifications")

# The channel the dispatcher LISTENs on.
PUSH_CHANNEL = "skolebro_push"

# The push payload and the inbox row are readable on a locked phone: they
# carry ids, never the free text of a note or a message (api.md).
FORBIDDEN_DATA_KEYS = frozenset({"note", "body"})

# Inserts one inbox row per recipient, in the recipient's language, and one
# pending delivery per device of recipients whose push is wanted ($11),
# due at $10. The pg_notify fires on commit, only when something was queued.
_INSERT = """
WITH recipients AS (
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $5::text[], $6::text[], $10::timestamptz[],
                         $11::boolean[])
        AS r(person_id, notification_id, title, body, due_at, push)
), inbox AS (
    INSERT INTO notifications (id, person_id, kind, title, body, data, urgent, created_at)
    SELECT r.notification_id, r.person_id, $3, r.title, r.body, $4::jsonb, $7, $8
    FROM recipients r
    RETURNING id, person_id
), queued AS (
    INSERT INTO deliveries (notification_id, device_id, token, urgent, collapse_key, due_at,
                            created_at)
    SELECT i.id, d.id, d.token, $7, $9, r.due_at, $8
    FROM inbox i JOIN recipients r ON r.notification_id = i.id
    JOIN devices d ON d.person_id = i.person_id
    WHERE r.push
    RETURNING 1
)
SELECT pg_notify('""" + PUSH_CHANNEL + """', '') FROM queued HAVING count(*) > 0
"""

_RECIPIENTS = """
SELECT p.id, p.locale, np.push_messages, np.push_grades, np.push_absence, np.push_reminders,
       np.quiet_start, np.quiet_end
FROM people p LEFT JOIN notification_preferences np ON np.person_id = p.id
WHERE p.id = any($1::uuid[])
"""


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
    ``collapse_key`` lets a newer push about the same thing (one missing-pupil
    case) replace an older one still waiting on the phone.
    """
    leaked = FORBIDDEN_DATA_KEYS & set(data)
    if leaked:
        raise ValueError(f"notification data may not carry {sorted(leaked)}: ids only")
    people = list(dict.fromkeys(recipients))
    if not people:
        return []
    urgent = is_urgent(kind, urgent)
    rows = {r["id"]: r for r in await conn.fetch(_RECIPIENTS, people)}
    ids = [uuid.uuid4() for _ in people]
    titles, bodies, due, push = [], [], [], []
    held, silenced = 0, 0
    for person in people:
        row = rows.get(person)
        title, body = render(kind, row["locale"] if row else "nb", params or {})
        titles.append(title)
        bodies.append(body)
        wanted = max(now, (push_after or {}).get(person, now))
        prefs = Preferences.from_row(row) if row is not None else Preferences()
        when = prefs.push_time(kind, urgent, wanted)
        push.append(when is not None)
        due.append(when or wanted)
        if when is None:
            silenced += 1
        elif when > wanted:
            held += 1
    await conn.execute(
        _INSERT, people, ids, kind, msgspec.to_builtins(dict(data)), titles, bodies, urgent, now,
        collapse_key, due, push,
    )
    log.info(
        "notification %s to %d people%s%s%s", kind, len(people), " (urgent)" if urgent else "",
        f", {silenced} without push by preference" if silenced else "",
        f", {held} held for quiet hours" if held else "",
    )
    return ids
