"""The test database: a template with the migrations and the demo seed, and the one
database every test runs in, put back to the template's state after each test.

The server is the embedded one (pgserver) unless TEST_DATABASE_URL names
another. Migrations and the demo seed run once into a template database.
Every test starts from exactly that state in one reused database: after each
test the tables it changed get the template's rows back (DELETE and COPY) and
the sequences their values, a few milliseconds; a test that changed the schema
gets a fresh copy of the template (CREATE DATABASE ... TEMPLATE, ~0.3 s).
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field

import asyncpg

from backend.db.migrate import apply_migrations
from backend.db.pool import _init_connection
from backend.roster.demo import seed_demo
from tests.support.demo import DEFAULT_NOW
from tests.support.factories import seed_other_school

TEMPLATE = "skolebro_test_template"


def with_database(dsn: str, name: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(path=f"/{name}"))


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
