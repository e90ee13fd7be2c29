"""Shared fixtures: a real PostgreSQL, the demo school, an app per test, tokens.

The server is the embedded one (pgserver) unless TEST_DATABASE_URL names
another. Migrations and the demo seed run once into a template database.
Every test starts from exactly that state in one reused database: after each
test the tables it changed get the template's rows back (DELETE and COPY) and
the sequences their values, a few milliseconds; a test that changed the schema
gets a fresh copy of the template (CREATE DATABASE ... TEMPLATE, ~0.3 s).
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from backend.app.factory import build_runtime, create_app
from backend.app.runtime import Runtime
from backend.app.settings import Settings
from backend.db.migrate import apply_migrations
from backend.db.pool import _init_connection
from backend.db.settings import DatabaseSettings
from backend.lib.clock import Clock
from backend.roster.demo import demo_id, seed_demo
from backend.signin.keys import write_new_key
from backend.signin.settings import IdentitySettings, RateLimitSettings, TokenSettings, parse_providers
from notifications.channels import configure as configure_channels
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
    return await build_template(server_dsn)


async def build_template(server_dsn: str) -> str:
    admin = await asyncpg.connect(server_dsn)
    try:
        if not os.environ.get("TEST_DATABASE_URL"):
            # The embedded server lives in this session's temp dir and dies with it:
            # durability buys nothing here, and every test's writes wait for it.
            for setting in ("fsync", "synchronous_commit", "full_page_writes"):
                await admin.execute(f"ALTER SYSTEM SET {setting} = off")
            await admin.execute("SELECT pg_reload_conf()")
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


# What tells a schema change apart from a change of rows: the objects of the
# database's own schemas and their columns, and database-level settings.
_SCHEMA_FINGERPRINT = """
WITH ns AS (
    SELECT oid, nspname FROM pg_namespace
    WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname !~ '^pg_(toast|temp)'
)
SELECT md5(coalesce(string_agg(x, ',' ORDER BY x), '')) FROM (
    SELECT 'n' || oid || nspname FROM ns
    UNION ALL
    SELECT 'c' || c.oid || c.relname || c.relkind::text || c.relnatts
    FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
    UNION ALL
    SELECT 'p' || p.oid || p.proname || md5(p.prosrc)
    FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
    UNION ALL
    SELECT 'k' || k.oid || k.conname FROM pg_constraint k JOIN ns ON ns.oid = k.connamespace
    UNION ALL
    SELECT 'y' || t.oid || t.typname FROM pg_type t JOIN ns ON ns.oid = t.typnamespace
    UNION ALL
    SELECT 't' || t.oid || t.tgname || t.tgenabled::text FROM pg_trigger t
    JOIN pg_class c ON c.oid = t.tgrelid JOIN ns ON ns.oid = c.relnamespace
    UNION ALL SELECT 'e' || oid || extname FROM pg_extension
    UNION ALL
    SELECT 's' || array_to_string(setconfig, ';') FROM pg_db_role_setting
    WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
) AS objects(x)
"""

_TABLES = """
SELECT c.relname, format('%I.%I', n.nspname, c.relname) FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND n.nspname = 'public' ORDER BY 1
"""

_SEQUENCES = """
SELECT format('%I.%I', schemaname, sequencename), coalesce(last_value, start_value),
       last_value IS NOT NULL
FROM pg_sequences WHERE schemaname = 'public'
"""


@dataclass
class WorkDatabase:
    """The one database tests run in, and the template state it is put back to."""

    server_dsn: str
    name: str
    fingerprint: str = ""
    tables: list[str] = field(default_factory=list)
    rows: dict[str, bytes] = field(default_factory=dict)  # table -> its rows, COPY binary
    # table -> (rows, newest xmin) as last put back: any insert, update or delete
    # changes one of the two (an update or insert writes a newer xmin).
    marks: dict[str, tuple[int, int]] = field(default_factory=dict)
    sequences: list[tuple[str, int, bool]] = field(default_factory=list)
    conn: asyncpg.Connection | None = None

    @property
    def dsn(self) -> str:
        return with_database(self.server_dsn, self.name)

    async def snapshot(self, template_dsn: str) -> None:
        conn = await asyncpg.connect(template_dsn)
        try:
            self.fingerprint = await conn.fetchval(_SCHEMA_FINGERPRINT)
            for name, quoted in await conn.fetch(_TABLES):
                self.tables.append(name)
                if await conn.fetchval(f"SELECT EXISTS (SELECT 1 FROM {quoted})"):
                    out = io.BytesIO()
                    await conn.copy_from_table(name, schema_name="public", output=out, format="binary")
                    self.rows[name] = out.getvalue()
            self.sequences = [tuple(r) for r in await conn.fetch(_SEQUENCES)]
        finally:
            await conn.close()

    async def recreate(self) -> None:
        if self.conn is not None:
            await self.conn.close()
            self.conn = None
        admin = await asyncpg.connect(self.server_dsn)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            await admin.execute(f'CREATE DATABASE "{self.name}" TEMPLATE "{TEMPLATE}"')
        finally:
            await admin.close()
        self.conn = await asyncpg.connect(self.dsn)
        self.marks = await self._marks(self.tables)

    async def _marks(self, tables: list[str]) -> dict[str, tuple[int, int]]:
        assert self.conn is not None
        sql = " UNION ALL ".join(
            f"SELECT '{t}', count(*), coalesce(max(xmin::text::bigint), 0) FROM public.\"{t}\""
            for t in tables
        )
        return {r[0]: (r[1], r[2]) for r in await self.conn.fetch(sql)} if tables else {}

    async def reset(self) -> None:
        """Put the database back as the template has it, whatever the test left behind."""
        conn = self.conn
        assert conn is not None
        # Whatever the test left connected (a pool, a killed child's session) goes first.
        await conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        if await conn.fetchval(_SCHEMA_FINGERPRINT) != self.fingerprint:
            await self.recreate()
            return
        changed = [t for t, mark in (await self._marks(self.tables)).items() if mark != self.marks[t]]
        async with conn.transaction():
            # Rows go back as they were: no triggers or foreign-key checks on the way.
            await conn.execute("SET LOCAL session_replication_role = replica")
            for table in changed:
                await conn.execute(f'DELETE FROM public."{table}"')
                if table in self.rows:
                    await conn.copy_to_table(
                        table, schema_name="public", source=io.BytesIO(self.rows[table]), format="binary"
                    )
            for name, value, called in self.sequences:
                await conn.execute("SELECT setval($1::regclass, $2, $3)", name, value, called)
        self.marks.update(await self._marks(changed))


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
