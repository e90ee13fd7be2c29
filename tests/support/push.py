"""Helpers for the push tests: a dispatcher with short backoff, devices and their deliveries.

Their fixtures (the fake FCM, a real FCM transport, a pool) are in push_fixtures.py.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from backend.lib.clock import Clock
from notifications.dispatcher import Dispatcher, DispatcherConfig

# Backoff short enough that tests move the clock by seconds, not minutes.
FAST = DispatcherConfig(
    backoff_base=10.0, backoff_max=600.0, max_attempts=4, lease=timedelta(seconds=60), shutdown_grace=0.5
)


def make_dispatcher(
    pool: asyncpg.Pool, transport: object, clock: Clock, config: DispatcherConfig = FAST
) -> Dispatcher:
    return Dispatcher(pool, transport, clock.now, config)  # type: ignore[arg-type]


async def add_device(
    conn: asyncpg.Connection,
    person: uuid.UUID,
    token: str | None = None,
    *,
    platform: str = "android",
    last_seen: datetime | None = None,
) -> str:
    token = token or f"tok-{uuid.uuid4().hex}"
    seen = last_seen or datetime(2026, 11, 20, 12, 0).astimezone()
    await conn.execute(
        "INSERT INTO devices (id, person_id, token, platform, created_at, last_seen_at)"
        " VALUES ($1, $2, $3, $4, $5, $5)",
        uuid.uuid4(),
        person,
        token,
        platform,
        seen,
    )
    return token


async def deliveries_of(conn: asyncpg.Connection, token: str) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT d.*, n.kind FROM deliveries d JOIN notifications n ON n.id = d.notification_id"
        " WHERE d.token = $1 ORDER BY d.id",
        token,
    )


async def add_browser(conn: asyncpg.Connection, person: uuid.UUID, subscription: dict[str, Any]) -> str:
    """A Web Push subscription registered as ``person``'s device; returns its token (the endpoint)."""
    seen = datetime(2026, 11, 20, 12, 0).astimezone()
    await conn.execute(
        "INSERT INTO devices (id, person_id, token, platform, p256dh, auth, created_at, last_seen_at)"
        " VALUES ($1, $2, $3, 'webpush', $4, $5, $6, $6)",
        uuid.uuid4(),
        person,
        subscription["endpoint"],
        subscription["keys"]["p256dh"],
        subscription["keys"]["auth"],
        seen,
    )
    return str(subscription["endpoint"])
