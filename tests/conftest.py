"""Shared fixtures: a real PostgreSQL, the demo school, an app per test, tokens.

The database (tests/support/database.py): one template with the migrations and the
demo seed, and one work database every test starts from, put back after each test.
Fixtures of one area live in that area's support module, loaded here as plugins so
every folder gets them by name; plain helpers are imported from tests/support/.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from backend.app.factory import build_runtime, create_app
from backend.app.runtime import Runtime
from backend.app.settings import Settings
from backend.db.pool import _init_connection
from backend.db.settings import DatabaseSettings
from backend.lib.clock import Clock
from backend.signin.keys import write_new_key
from backend.signin.settings import IdentitySettings, RateLimitSettings, TokenSettings, parse_providers
from notifications.channels import configure as configure_channels
from tests.fakes.identity_provider import FakeIdentityProvider
from tests.support.database import WorkDatabase, build_template
from tests.support.demo import DEFAULT_NOW
from tests.support.tokens import FreshTokens, Tokens

pytest_plugins = ["tests.support.push_fixtures", "tests.support.browser"]


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
    return await build_template(server_dsn)


@pytest.fixture(scope="session")
async def work_database(server_dsn: str, template_dsn: str) -> AsyncIterator[WorkDatabase]:
    work = WorkDatabase(server_dsn, f"t_{uuid.uuid4().hex[:16]}")
    await work.snapshot(template_dsn)
    await work.recreate()
    yield work
    if work.conn is not None:
        await work.conn.close()
    admin = await asyncpg.connect(server_dsn)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{work.name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
async def db_dsn(work_database: WorkDatabase) -> AsyncIterator[str]:
    yield work_database.dsn
    await work_database.reset()


@pytest.fixture
async def db(db_dsn: str) -> AsyncIterator[asyncpg.Connection]:
    """A direct connection to the test's database, for arranging and checking state."""
    conn = await asyncpg.connect(db_dsn)
    await _init_connection(conn)
    yield conn
    await conn.close()


@pytest.fixture(scope="session")
def default_settings(
    data_dir: Path, signing_key: str, idporten: FakeIdentityProvider, feide: FakeIdentityProvider
) -> Settings:
    return Settings(
        env="test",
        data_dir=data_dir,
        tokens=TokenSettings(signing_key_path=signing_key),
        identity=IdentitySettings(
            providers=parse_providers(json.dumps([idporten.settings_entry(), feide.settings_entry()]))
        ),
        database=DatabaseSettings(pool_min_size=1, pool_max_size=5),
        # Tests sign in many users from one address; tests/test_rate_limit.py checks the limit.
        limits=RateLimitSettings(auth_per_minute=10_000),
    )


@pytest.fixture
def settings(default_settings: Settings) -> Settings:
    return default_settings


@dataclass
class SharedApp:
    """One application for every test with the default settings.

    Building the Litestar application (about a hundred routes) costs ~0.4 s of CPU,
    most of a short test; its routes do not change between tests. What a test can
    change is per test: every field of the runtime (clock, limits, identity verifier,
    pool, extras) is new for each test, and the database is put back (``db_dsn``).
    """

    runtime: Runtime
    app: Litestar | None = None


@pytest.fixture(scope="session")
def shared_app(default_settings: Settings) -> SharedApp:
    return SharedApp(build_runtime(default_settings))


@pytest.fixture
def runtime(settings: Settings, db_dsn: str, shared_app: SharedApp) -> Runtime:
    rt = build_runtime(settings, dsn=db_dsn)
    rt.clock = Clock(DEFAULT_NOW)
    if settings != shared_app.runtime.settings:
        return rt
    # The shared application holds on to its runtime object: give it every field of a
    # new one, so nothing (limits, caches, extras) carries over from the last test.
    shared = shared_app.runtime
    assert shared.pool is None, "the previous test left the shared application running"
    for f in dataclasses.fields(Runtime):
        setattr(shared, f.name, getattr(rt, f.name))
    return shared


@pytest.fixture
def clock(runtime: Runtime) -> Clock:
    return runtime.clock


@pytest.fixture
async def client(runtime: Runtime, shared_app: SharedApp) -> AsyncIterator[AsyncTestClient[Any]]:
    if runtime is shared_app.runtime:
        if shared_app.app is None:
            shared_app.app = create_app(runtime=runtime)
        app = shared_app.app
        # create_app also sets the process's SMS and e-mail transports from the
        # settings (notifications/channels.py); a test before may have set others.
        configure_channels(
            runtime.settings.sms, runtime.settings.mail, production=runtime.settings.is_production
        )
    else:
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

    from backend.app.lifecycle import lifespan_for

    rt = build_runtime(settings, dsn=db_dsn)
    rt.clock = clock
    app = create_app(runtime=rt)
    async with lifespan_for(rt, [])(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c


@pytest.fixture
def tokens(request: pytest.FixtureRequest, client: AsyncTestClient[Any]) -> Tokens:
    """Bearer headers for demo users; tests marked ``fresh_tokens`` get a new token per call."""
    if request.node.get_closest_marker("fresh_tokens"):
        return FreshTokens(client)
    return Tokens(client)
