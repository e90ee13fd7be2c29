"""Fixtures and helpers for the push tests: the fake FCM, a real FCM transport, a dispatcher.

Import the fixtures into a test module with ``from tests.push_support import *``.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import datetime, timedelta

import asyncpg
import pytest

from backend.db.pool import create_pool
from backend.lib.clock import Clock
from notifications.dispatcher import Dispatcher, DispatcherConfig
from notifications.transports import FcmTransport
from tests.fakes.fcm import FakeFCM

__all__ = [
    "FAST",
    "add_device",
    "deliveries_of",
    "eventually",
    "fake_fcm_server",
    "fcm",
    "make_dispatcher",
    "pool",
    "transport",
]

# Backoff short enough that tests move the clock by seconds, not minutes.
FAST = DispatcherConfig(
    backoff_base=10.0, backoff_max=600.0, max_attempts=4, lease=timedelta(seconds=60), shutdown_grace=0.5
)


@pytest.fixture(scope="session")
def fake_fcm_server() -> Iterator[FakeFCM]:
    with FakeFCM() as server:
        yield server


@pytest.fixture
def fcm(fake_fcm_server: FakeFCM) -> FakeFCM:
    fake_fcm_server.reset()
    return fake_fcm_server


@pytest.fixture
async def transport(fcm: FakeFCM) -> AsyncIterator[FcmTransport]:
    t = FcmTransport(fcm.service_account(), endpoint=fcm.endpoint, ca_file=fcm.ca_file, timeout=5.0)
    yield t
    await t.close()


@pytest.fixture
async def pool(db_dsn: str) -> AsyncIterator[asyncpg.Pool]:
    p = await create_pool(db_dsn, min_size=1, max_size=6)
    yield p
    await p.close()


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


async def eventually(check: Callable[[], Awaitable[bool] | bool], within: float = 10.0) -> float:
    """Wait until ``check`` holds; return the seconds it took (fails after ``within``)."""
    started = time.monotonic()
    for _ in range(int(within / 0.01)):
        result = check()
        if not isinstance(result, bool):
            result = await result
        if result:
            return time.monotonic() - started
        await asyncio.sleep(0.01)
    raise AssertionError(f"not within {within} s")
