"""Ordered SQL migrations and the definitions after them, in one transaction
under an advisory lock.

Replicas starting together take turns on the lock. Each migration is applied
once and recorded in ``schema_migrations`` with the sha256 of its file; a file
whose checksum no longer matches what was applied stops everything, before
anything is applied (``ChangedMigration``). Rows recorded before checksums were
kept have none: the first run of this code fills them in from the files as they
are then (the baseline), and checking starts from there.

The definitions (``definitions/*.sql``: SQL functions, ``CREATE OR REPLACE``)
are each written once and re-applied when their checksum differs from the one in
``schema_definitions``, or when a migration ran in the same transaction (it may
have dropped one, e.g. to change its signature). They come after the migrations,
so no migration may use them unless it starts with the line ``-- needs: definitions``,
which applies them just before it (tests/ops/test_migrations.py checks this).
"""

from __future__ import annotations

import logging

import asyncpg

from backend.db.schema_files import SchemaError, SchemaFile, SchemaSource, schema_source

log = logging.getLogger("skolebro.db")

_LOCK_KEY = 727_001  # any constant; shared by every replica
NEEDS_DEFINITIONS = "-- needs: definitions"

_BOOKKEEPING = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS schema_definitions (
    name text PRIMARY KEY, sha256 text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());
"""


class ChangedMigration(SchemaError):
    def __init__(self, name: str, applied: str, now: str) -> None:
        super().__init__(
            f"migration {name} has changed since it was applied to this database"
            f" (applied sha256 {applied[:12]}…, file now {now[:12]}…). Put the file back as it"
            f" was applied (git log -p -- backend/db/migrations/{name}) and make the change"
            " in a new migration."
        )
        self.name = name


def migration_files(source: SchemaSource | None = None) -> list[tuple[str, str]]:
    return [(f.name, f.sql) for f in (source or schema_source()).migrations()]


async def apply_migrations(conn: asyncpg.Connection, source: SchemaSource | None = None) -> list[str]:
    """Apply what is pending; the names applied (definitions as ``definitions/<file>``).

    Raises ``SchemaError`` (nothing applied) when an applied migration has changed."""
    source = source or schema_source()
    migrations, definitions = source.migrations(), source.definitions()
    applied: list[str] = []
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _LOCK_KEY)
        await _ensure_bookkeeping(conn)
        recorded = await _recorded_checksums(conn, migrations)
        for m in migrations:
            if m.name in recorded and recorded[m.name] != m.sha256:
                raise ChangedMigration(m.name, recorded[m.name], m.sha256)
        for m in migrations:
            if m.name in recorded:
                continue
            if m.sql.lstrip().startswith(NEEDS_DEFINITIONS):
                applied += await _apply_definitions(conn, definitions, force=bool(applied))
            if _has_statements(m.sql):
                await conn.execute(m.sql)
            await conn.execute(
                "INSERT INTO schema_migrations (name, sha256) VALUES ($1, $2)", m.name, m.sha256
            )
            applied.append(m.name)
        ran_migrations = any(not name.startswith("definitions/") for name in applied)
        applied += await _apply_definitions(conn, definitions, force=ran_migrations)
    for name in applied:
        log.info("applied %s", name if name.startswith("definitions/") else f"migration {name}")
    return applied


def _has_statements(sql: str) -> bool:
    # A migration whose statements moved to the definitions keeps only its comments;
    # asyncpg fails on a query that is empty once comments are gone.
    return any(line.strip() and not line.strip().startswith("--") for line in sql.splitlines())


async def _ensure_bookkeeping(conn: asyncpg.Connection) -> None:
    await conn.execute(_BOOKKEEPING)
    # Only when missing: ALTER TABLE would lock the table for the whole transaction,
    # and the readiness probe reads it.
    has_checksums = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()"
        " AND table_name = 'schema_migrations' AND column_name = 'sha256')"
    )
    if not has_checksums:
        await conn.execute("ALTER TABLE schema_migrations ADD COLUMN sha256 text")


async def _recorded_checksums(conn: asyncpg.Connection, migrations: list[SchemaFile]) -> dict[str, str]:
    """Applied migration -> the checksum it was applied with.

    The baseline: a row from before checksums were kept gets its file's checksum now,
    so an edit made before this first run goes unnoticed; checking starts here."""
    baselined = await conn.fetch(
        "UPDATE schema_migrations m SET sha256 = f.sha256"
        " FROM unnest($1::text[], $2::text[]) AS f(name, sha256)"
        " WHERE m.name = f.name AND m.sha256 IS NULL RETURNING m.name",
        [m.name for m in migrations],
        [m.sha256 for m in migrations],
    )
    if baselined:
        log.info("recorded the checksums of %d migrations applied before checksums were kept", len(baselined))
    rows = await conn.fetch("SELECT name, sha256 FROM schema_migrations WHERE sha256 IS NOT NULL")
    return {r["name"]: r["sha256"] for r in rows}


async def _apply_definitions(
    conn: asyncpg.Connection, definitions: list[SchemaFile], *, force: bool
) -> list[str]:
    rows = await conn.fetch("SELECT name, sha256 FROM schema_definitions")
    recorded = {r["name"]: r["sha256"] for r in rows}
    applied = []
    for d in definitions:
        if not force and recorded.get(d.name) == d.sha256:
            continue
        await conn.execute(d.sql)
        await conn.execute(
            "INSERT INTO schema_definitions (name, sha256) VALUES ($1, $2)"
            " ON CONFLICT (name) DO UPDATE SET sha256 = excluded.sha256, applied_at = now()",
            d.name,
            d.sha256,
        )
        applied.append(f"definitions/{d.name}")
    return applied


async def pending_migrations(conn: asyncpg.Connection, source: SchemaSource | None = None) -> list[str]:
    try:
        done = {r["name"] for r in await conn.fetch("SELECT name FROM schema_migrations")}
    except asyncpg.UndefinedTableError:
        done = set()
    return [name for name, _ in migration_files(source) if name not in done]
