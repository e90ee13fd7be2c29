"""The signed-in person's push devices, push preferences and inbox.

One transaction per use case; a token belongs to one person at a time.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, time
from zoneinfo import ZoneInfo

import asyncpg

from backend.inbox import queries as q
from backend.lib.cursors import decode_instant_cursor, encode_cursor
from backend.problems.codes import Code
from backend.problems.errors import Conflict, Invalid, NotFound
from backend.schools.localtime import format_hhmm, parse_hhmm
from notifications.devices import remove_device
from notifications.webpush import endpoint_allowed, keys_valid, web_push
from schemas.notifications import (
    Device,
    DeviceRegister,
    Notification,
    NotificationPage,
    NotificationPreferences,
    Platform,
    PushSwitches,
    QuietHoursWire,
    WebPushPublicKey,
)

log = logging.getLogger("skolebro.inbox")

# Instants in the inbox are shown in Norwegian time (the people are in Norway;
# a person has no school time zone of their own).
DISPLAY_ZONE = ZoneInfo("Europe/Oslo")


def _device(row: asyncpg.Record) -> Device:
    return Device(
        id=row["id"],
        token=row["token"],
        platform=Platform(row["platform"]),
        locale=row["locale"],
        app_version=row["app_version"],
        created_at=row["created_at"].astimezone(DISPLAY_ZONE),
        last_seen_at=row["last_seen_at"].astimezone(DISPLAY_ZONE),
    )


def _push_address(data: DeviceRegister) -> tuple[str, str | None, str | None]:
    """The device's token (a Web Push endpoint for a browser) and its Web Push keys."""
    if data.platform is not Platform.webpush:
        if data.token is None or data.subscription is not None:
            raise Invalid(Code.DEVICES_TOKEN_REQUIRED, field="token")
        return data.token, None, None
    sub = data.subscription
    if sub is None or data.token is not None:
        raise Invalid(Code.DEVICES_SUBSCRIPTION_REQUIRED, field="subscription")
    config = web_push()
    if config.key is None:
        raise Conflict(Code.WEBPUSH_UNAVAILABLE)
    if not endpoint_allowed(sub.endpoint, allow_loopback_http=config.allow_loopback_http):
        raise Invalid(Code.DEVICES_ENDPOINT_INVALID, field="subscription.endpoint")
    if not keys_valid(sub.keys.p256dh, sub.keys.auth):
        raise Invalid(Code.DEVICES_KEYS_INVALID, field="subscription.keys")
    return sub.endpoint, sub.keys.p256dh.rstrip("="), sub.keys.auth.rstrip("=")


def webpush_public_key() -> WebPushPublicKey:
    """What a browser passes to ``pushManager.subscribe``; 404 when this service has no Web Push."""
    key = web_push().key
    if key is None:
        raise NotFound(Code.WEBPUSH_UNAVAILABLE)
    return WebPushPublicKey(public_key=key.public_key)


async def register_device(
    conn: asyncpg.Connection, person_id: uuid.UUID, data: DeviceRegister, now: datetime
) -> tuple[Device, bool]:
    """Register or refresh a device; True when it is new to this person.

    Runs inside the caller's transaction. A token (or a browser's endpoint)
    registered by someone else moves to this person: the app or browser was
    signed in as another user before, and the previous owner's queued pushes
    are dropped, never delivered here.
    """
    token, p256dh, auth = _push_address(data)
    # Two phones cannot hold one token, but one app may race itself (a retry
    # while the first request is still running): the loser of the insert
    # finds the winner's row on the next round.
    for _ in range(3):
        current = await conn.fetchrow(q.LOCK_TOKEN, token)
        if current is not None and current["person_id"] == person_id:
            row = await conn.fetchrow(
                q.REFRESH_DEVICE,
                current["id"],
                data.platform.value,
                data.locale,
                data.app_version,
                now,
                p256dh,
                auth,
            )
            return _device(row), False
        if current is not None:
            await conn.execute(q.RELEASE_DEVICE, current["id"])
            log.info(
                "push device %s moved from person %s to %s", current["id"], current["person_id"], person_id
            )
        row = await conn.fetchrow(
            q.INSERT_DEVICE,
            uuid.uuid4(),
            person_id,
            token,
            data.platform.value,
            data.locale,
            data.app_version,
            now,
            p256dh,
            auth,
        )
        if row is not None:
            log.info(
                "push device %s registered for person %s (%s)", row["id"], person_id, data.platform.value
            )
            return _device(row), True
    raise Conflict(Code.DEVICES_TOKEN_BUSY)


async def register_browser(
    conn: asyncpg.Connection, person_id: uuid.UUID, data: DeviceRegister, now: datetime
) -> tuple[Device, bool]:
    """``register_device`` in a transaction of its own (the portal's "notify me in this browser")."""
    async with conn.transaction():
        return await register_device(conn, person_id, data, now)


async def list_browsers(conn: asyncpg.Connection, person_id: uuid.UUID) -> list[Device]:
    """The person's own Web Push subscriptions, newest first."""
    return [_device(r) for r in await conn.fetch(q.LIST_BROWSERS, person_id)]


async def unregister_device(conn: asyncpg.Connection, person_id: uuid.UUID, device_id: uuid.UUID) -> None:
    """Remove one of the caller's devices; someone else's is 404."""
    if not await remove_device(conn, device_id, person_id, "device unregistered"):
        raise NotFound()
    log.info("push device %s unregistered by person %s", device_id, person_id)


def _preferences(row: asyncpg.Record) -> NotificationPreferences:
    def on(column: str) -> bool:
        return row[column] is not False  # no row yet: everything is pushed

    quiet = None
    if row["quiet_start"] is not None and row["quiet_end"] is not None:
        quiet = QuietHoursWire(
            start=format_hhmm(row["quiet_start"]) or "", end=format_hhmm(row["quiet_end"]) or ""
        )
    return NotificationPreferences(
        push=PushSwitches(
            messages=on("push_messages"),
            grades=on("push_grades"),
            absence=on("push_absence"),
            reminders=on("push_reminders"),
        ),
        quiet_hours=quiet,
        locale=row["locale"],
    )


async def get_preferences(conn: asyncpg.Connection, person_id: uuid.UUID) -> NotificationPreferences:
    row = await conn.fetchrow(q.PREFERENCES, person_id)
    if row is None:
        raise NotFound()
    return _preferences(row)


async def save_preferences(
    conn: asyncpg.Connection, person_id: uuid.UUID, data: NotificationPreferences
) -> NotificationPreferences:
    """Replace the push preferences; ``locale`` is the person's language everywhere."""
    start: time | None = None
    end: time | None = None
    if data.quiet_hours is not None:
        start, end = parse_hhmm(data.quiet_hours.start), parse_hhmm(data.quiet_hours.end)
        if start == end:
            raise Invalid(Code.NOTIFICATIONS_QUIET_HOURS_EMPTY, field="quiet_hours")
    saved = await conn.fetchval(
        q.SAVE_PREFERENCES,
        person_id,
        data.push.messages,
        data.push.grades,
        data.push.absence,
        data.push.reminders,
        start,
        end,
        data.locale,
    )
    if saved is None:
        raise NotFound()
    log.info("push preferences of person %s saved", person_id)
    return data


def _notification(row: asyncpg.Record) -> Notification:
    return Notification(
        id=row["id"],
        kind=row["kind"],
        title=row["title"],
        body=row["body"],
        data=row["data"] or {},
        urgent=row["urgent"],
        created_at=row["created_at"].astimezone(DISPLAY_ZONE),
        read_at=row["read_at"].astimezone(DISPLAY_ZONE) if row["read_at"] else None,
    )


async def list_notifications(
    conn: asyncpg.Connection, person_id: uuid.UUID, cursor: str | None, limit: int
) -> NotificationPage:
    after_at, after_id = decode_instant_cursor(cursor)
    rows = await conn.fetch(q.LIST_NOTIFICATIONS, person_id, after_at, after_id, limit + 1)
    items = [_notification(r) for r in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor(last["created_at"].isoformat(), last["id"])
    return NotificationPage(items=items, next_cursor=next_cursor)


async def mark_read(
    conn: asyncpg.Connection, person_id: uuid.UUID, notification_id: uuid.UUID, now: datetime
) -> None:
    """Mark one of the caller's notifications read, in the caller's transaction."""
    if not await conn.fetchval(q.MARK_READ, notification_id, person_id, now):
        raise NotFound()
