"""Fixtures of the push tests: the fake FCM (HTTP/2 over TLS), a real FCM transport to it,
and a pool on the test's database. Loaded for every test folder by tests/conftest.py."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest

from backend.db.pool import create_pool
from notifications.transports import FcmTransport
from notifications.webpush import PushRouter, VapidKey, WebPushTransport, generate_vapid_key
from tests.fakes.fcm import FakeFCM
from tests.fakes.web_push_service import FakeWebPushService


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


@pytest.fixture(scope="session")
def fake_web_push_server() -> Iterator[FakeWebPushService]:
    with FakeWebPushService() as server:
        yield server


@pytest.fixture
def web_push_service(fake_web_push_server: FakeWebPushService) -> FakeWebPushService:
    fake_web_push_server.reset()
    return fake_web_push_server


@pytest.fixture(scope="session")
def vapid_key() -> VapidKey:
    return generate_vapid_key()


@pytest.fixture
async def both_transports(
    transport: FcmTransport, web_push_service: FakeWebPushService, vapid_key: VapidKey
) -> AsyncIterator[PushRouter]:
    """What the dispatcher gets in the service: FCM for apps, Web Push for browsers."""
    router = PushRouter(transport, WebPushTransport(vapid_key, "mailto:drift@skolebro.test", timeout=5.0))
    yield router
    await router.web.close()
