"""Shared fixtures: a real PostgreSQL, the demo school, an app per test, tokens.

The server is the embedded one (pgserver) unless TEST_DATABASE_URL names
another. Migrations and the demo seed run once into a template database;
every test gets its own copy of it (CREATE DATABASE ... TEMPLATE, ~40 ms).
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from backend.app import build_runtime, create_app
from backend.auth.keys import write_new_key
from backend.clock import Clock
from backend.db.migrate import apply_migrations
from backend.db.pool import _init_connection
from backend.roster.demo import demo_id, seed_demo
from backend.runtime import Runtime
from backend.settings import Settings, _parse_providers
from tests.factories import seed_other_school
from tests.fakes.identity_provider import FakeIdentityProvider

# Outsiders for the authorization matrix: demo users plus Fjellheim skule
# (tests/factories.py: leader.other, teacher.other, pupil.other, guardian.other).
# Monday 23 November 2026, 07:00 in Oslo: a school day before the 08:30 deadline.
DEFAULT_NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
TEMPLATE = "skolebro_test_template"


@pytest.fixture(scope="session")
def data_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="skolebro-test-") as d:
        yield Path(d)


@pytest.fixture(scope="session")
def server_dsn(data_dir: Path) -> Iterator[str]:
    external = os.environ.get("TEST_DATABASE_URL")
    if external:
        yield external
        return
    import pgserver

    server = pgserver.get_server(data_dir / "pgdata", cleanup_mode="stop")
    yield str(server.get_uri())
    # Stop it here, while its data folder still exists: pgserver's own exit hook runs
    # after the folder is gone and cannot stop it, leaving a postgres behind.
    server.cleanup()


def with_database(dsn: str, name: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture(scope="session")
def signing_key(data_dir: Path) -> str:
    path = data_dir / "signing-key.pem"
    write_new_key(path)
    return str(path)


@pytest.fixture(scope="session")
def idporten() -> Iterator[FakeIdentityProvider]:
    idp = FakeIdentityProvider("idporten", "skolebro-app", subject_claim="pid")
    yield idp
    idp.close()


@pytest.fixture(scope="session")
def feide() -> Iterator[FakeIdentityProvider]:
    idp = FakeIdentityProvider("feide", "skolebro-feide")
    yield idp
    idp.close()


@pytest.fixture(scope="session")
async def template_dsn(server_dsn: str) -> str:
    admin = await asyncpg.connect(server_dsn)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE}"')
        await admin.execute(f'CREATE DATABASE "{TEMPLATE}"')
    finally:
        await admin.close()
    dsn = with_database(server_dsn, TEMPLATE)
    conn = await asyncpg.connect(dsn)
    try:
        await _init_connection(conn)
        await apply_migrations(conn)
        await seed_demo(conn, DEFAULT_NOW)
        await seed_other_school(conn)
    finally:
        await conn.close()
    return dsn


@pytest.fixture
async def db_dsn(server_dsn: str, template_dsn: str) -> AsyncIterator[str]:
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = await asyncpg.connect(server_dsn)
    try:
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
    finally:
        await admin.close()
    yield with_database(server_dsn, name)
    admin = await asyncpg.connect(server_dsn)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
async def db(db_dsn: str) -> AsyncIterator[asyncpg.Connection]:
    """A direct connection to the test's database, for arranging and checking state."""
    conn = await asyncpg.connect(db_dsn)
    await _init_connection(conn)
    yield conn
    await conn.close()


@pytest.fixture
def settings(
    data_dir: Path, signing_key: str, idporten: FakeIdentityProvider, feide: FakeIdentityProvider
) -> Settings:
    return Settings(
        env="test",
        data_dir=data_dir,
        signing_key_path=signing_key,
        identity_providers=_parse_providers(json.dumps([idporten.settings_entry(), feide.settings_entry()])),
        pool_min_size=1,
        pool_max_size=5,
        # Tests sign in many users from one address; tests/test_rate_limit.py checks the limit.
        auth_rate_limit_per_minute=10_000,
    )


@pytest.fixture
def runtime(settings: Settings, db_dsn: str) -> Runtime:
    rt = build_runtime(settings, dsn=db_dsn)
    rt.clock = Clock(DEFAULT_NOW)
    return rt


@pytest.fixture
def clock(runtime: Runtime) -> Clock:
    return runtime.clock


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[AsyncTestClient[Any]]:
    app = create_app(runtime=runtime)
    async with AsyncTestClient(app=app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
async def parallel(settings: Settings, db_dsn: str, clock: Clock) -> AsyncIterator[Any]:
    """A client whose requests really run at the same time, for race tests.

    ``client`` (Litestar's AsyncTestClient) runs the app in a portal thread and handles
    one request at a time, so ``asyncio.gather`` over it never overlaps anything. This
    drives a second instance of the app through ASGI on the test's own loop: same
    database, same clock, same signing key, so headers from ``tokens`` work here too.
    """
    import httpx

    from backend.lifecycle import lifespan_for

    rt = build_runtime(settings, dsn=db_dsn)
    rt.clock = clock
    app = create_app(runtime=rt)
    async with lifespan_for(rt, [])(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c


class Tokens:
    """Mints bearer headers for demo users through the real dev-login route."""

    def __init__(self, client: AsyncTestClient[Any]) -> None:
        self.client = client
        self._cache: dict[tuple[str, str], dict[str, str]] = {}

    async def headers(self, username: str, client: str = "app") -> dict[str, str]:
        key = (username, client)
        if key not in self._cache:
            r = await self.client.post(
                "/api/v1/auth/dev-login", json={"username": username, "client": client}
            )
            assert r.status_code == 200, r.text
            self._cache[key] = {"Authorization": f"Bearer {r.json()['access_token']}"}
        return self._cache[key]

    def forget(self) -> None:
        self._cache.clear()


@pytest.fixture
def tokens(client: AsyncTestClient[Any]) -> Tokens:
    return Tokens(client)


def person(username: str) -> uuid.UUID:
    return demo_id(f"person:{username}")


OLA = person("pupil.ola")
KARI = person("pupil.kari")
CLASS_3A = demo_id("class:3A")
CLASS_9B = demo_id("class:9B")
SCHOOL = demo_id("school")
