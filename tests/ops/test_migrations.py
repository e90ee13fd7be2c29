"""Migrations you can trust: an applied migration that changed stops ``skolebro migrate``
and the service with the file named; the definitions file is re-applied when it
changes and only then; a database that ran the old 0025 is brought to today's shape.

Each test has a scratch database of its own on the tests' server and a copy of the
schema folders in tmp_path (``SKOLEBRO_SCHEMA_DIR`` for a subprocess)."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from backend.app.factory import build_runtime, create_app
from backend.app.lifecycle import lifespan_for
from backend.app.settings import Settings
from backend.db.migrate import NEEDS_DEFINITIONS, ChangedMigration, apply_migrations
from backend.db.schema_files import SCHEMA_DIR_VARIABLE, SchemaError, SchemaSource, schema_source
from tests.support.database import with_database

ROOT = Path(__file__).resolve().parents[2]
PACKAGED = ROOT / "backend" / "db"

FUNCTIONS = """
SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')', pg_get_functiondef(p.oid)
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
"""
COLUMNS = """
SELECT table_name, column_name, data_type, is_nullable, column_default
FROM information_schema.columns WHERE table_schema = 'public'
"""


@pytest.fixture
def schema_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "schema"
    for part in ("migrations", "definitions"):
        shutil.copytree(PACKAGED / part, folder / part)
    return folder


@pytest.fixture
async def scratch(server_dsn: str) -> AsyncIterator[str]:
    name = f"mig_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(server_dsn)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield with_database(server_dsn, name)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def migrate(dsn: str, folder: Path) -> list[str]:
    conn = await asyncpg.connect(dsn)
    try:
        return await apply_migrations(conn, SchemaSource(folder))
    finally:
        await conn.close()


async def fetch(dsn: str, sql: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(dsn)
    try:
        return list(await conn.fetch(sql))
    finally:
        await conn.close()


def edit(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n-- an afterthought\n", encoding="utf-8")


async def test_migrate_refuses_a_changed_migration_and_names_it(scratch, schema_dir, tmp_path):
    await migrate(scratch, schema_dir)
    edit(schema_dir / "migrations" / "0025_former_pupils.sql")
    # A new migration waits behind the refusal: nothing is applied.
    (schema_dir / "migrations" / "0099_later.sql").write_text("CREATE TABLE later (id int);")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SKOLEBRO_", "DATABASE_"))}
    env |= {
        "DATABASE_URL": scratch,
        "SKOLEBRO_ENV": "dev",
        "SKOLEBRO_DATA_DIR": str(tmp_path),
        SCHEMA_DIR_VARIABLE: str(schema_dir),
    }
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "backend.app.cli", "migrate"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "migration 0025_former_pupils.sql has changed since it was applied" in done.stderr
    assert "git log -p -- backend/db/migrations/0025_former_pupils.sql" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert await fetch(scratch, "SELECT 1 FROM pg_tables WHERE tablename = 'later'") == []


async def test_the_service_refuses_to_start_on_a_changed_migration(
    scratch, schema_dir, default_settings: Settings, monkeypatch, caplog
):
    await migrate(scratch, schema_dir)
    edit(schema_dir / "migrations" / "0042_former_school_records.sql")
    monkeypatch.setenv(SCHEMA_DIR_VARIABLE, str(schema_dir))
    rt = build_runtime(default_settings, dsn=scratch)
    app = create_app(runtime=rt)
    with caplog.at_level(logging.ERROR, logger="skolebro"), pytest.raises(ChangedMigration) as refused:
        async with lifespan_for(rt, [])(app):
            pytest.fail("the service started")
    assert refused.value.name == "0042_former_school_records.sql"
    assert any("0042_former_school_records.sql has changed" in r.getMessage() for r in caplog.records)
    assert rt.pool is None


async def test_migrations_recorded_without_checksums_take_the_files_as_baseline(scratch, schema_dir):
    await migrate(scratch, schema_dir)
    conn = await asyncpg.connect(scratch)
    try:
        await conn.execute("UPDATE schema_migrations SET sha256 = NULL")
        edit(schema_dir / "migrations" / "0001_foundation.sql")
        assert await apply_migrations(conn, SchemaSource(schema_dir)) == []
        assert await conn.fetchval("SELECT count(*) FROM schema_migrations WHERE sha256 IS NULL") == 0
        # From the baseline on, a change is refused.
        edit(schema_dir / "migrations" / "0001_foundation.sql")
        with pytest.raises(ChangedMigration, match=r"0001_foundation\.sql"):
            await apply_migrations(conn, SchemaSource(schema_dir))
    finally:
        await conn.close()


async def test_the_definitions_are_reapplied_when_they_change_and_only_then(scratch, schema_dir):
    await migrate(scratch, schema_dir)
    conn = await asyncpg.connect(scratch)
    hand_made = "CREATE OR REPLACE FUNCTION school_local_date(p_timezone text, p_at timestamptz)"
    hand_made += " RETURNS date LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT DATE '2000-01-01' $$"
    body = "SELECT prosrc FROM pg_proc WHERE proname = 'school_local_date'"
    try:
        await conn.execute(hand_made)
        assert await apply_migrations(conn, SchemaSource(schema_dir)) == []
        assert "2000-01-01" in await conn.fetchval(body)
        edit(schema_dir / "definitions" / "access.sql")
        assert await apply_migrations(conn, SchemaSource(schema_dir)) == ["definitions/access.sql"]
        assert "AT TIME ZONE" in await conn.fetchval(body)
        assert await apply_migrations(conn, SchemaSource(schema_dir)) == []
    finally:
        await conn.close()


async def test_a_migration_may_ask_for_the_definitions_before_it(scratch, schema_dir):
    (schema_dir / "migrations" / "0099_uses_definitions.sql").write_text(
        f"{NEEDS_DEFINITIONS}\n"
        "CREATE VIEW today_in_oslo AS SELECT school_local_date('Europe/Oslo', now()) AS day;"
    )
    applied = await migrate(scratch, schema_dir)
    # Before it, and again after the migrations (which may have dropped one).
    assert applied[-3:] == ["definitions/access.sql", "0099_uses_definitions.sql", "definitions/access.sql"]
    assert await fetch(scratch, "SELECT day FROM today_in_oslo")


def test_no_migration_uses_the_definitions_unless_it_asks_for_them():
    definitions = (PACKAGED / "definitions" / "access.sql").read_text(encoding="utf-8")
    names = re.findall(r"^CREATE OR REPLACE FUNCTION (\w+)\(", definitions, re.M)
    assert len(names) == len(set(names)) > 10
    used = re.compile(r"\b(" + "|".join(names) + r")\s*\(")
    for path in sorted((PACKAGED / "migrations").glob("*.sql")):
        sql = path.read_text(encoding="utf-8")
        if sql.lstrip().startswith(NEEDS_DEFINITIONS):
            continue
        statements = re.sub(r"--[^\n]*", "", sql)
        # Dropping an old signature is how a definition changes its arguments or result.
        statements = re.sub(r"DROP FUNCTION IF EXISTS \w+\([^)]*\);", "", statements)
        assert not used.findall(statements), f"{path.name} uses {used.findall(statements)}"


def test_production_migrates_only_from_the_package(tmp_path):
    env = {SCHEMA_DIR_VARIABLE: str(tmp_path), "SKOLEBRO_ENV": "production"}
    with pytest.raises(SchemaError, match=SCHEMA_DIR_VARIABLE):
        schema_source(env)
    assert schema_source({"SKOLEBRO_ENV": "production"}).root.joinpath("migrations").is_dir()


_OLD_TRIGGER = """
CREATE OR REPLACE FUNCTION remember_former_enrollments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO former_class_enrollments (pupil_id, class_id, left_at)
    SELECT DISTINCT g.pupil_id, g.class_id, clock_timestamp()
    FROM gone g JOIN people p ON p.id = g.pupil_id JOIN classes c ON c.id = g.class_id
    ON CONFLICT (pupil_id, class_id) DO UPDATE SET left_at = excluded.left_at;
    RETURN NULL;
END
$$;
"""


async def _a_pupil_who_left(conn: asyncpg.Connection) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    school, year, klass, pupil = (uuid.uuid4() for _ in range(4))
    await conn.execute("INSERT INTO schools (id, name) VALUES ($1, 'Old skule')", school)
    await conn.execute(
        "INSERT INTO school_years (id, school_id, name, starts_on, ends_on)"
        " VALUES ($1, $2, '2026/27', '2026-08-17', '2027-06-18')",
        year,
        school,
    )
    await conn.execute(
        "INSERT INTO classes (id, school_id, school_year_id, name, grade) VALUES ($1, $2, $3, '5A', 5)",
        klass,
        school,
        year,
    )
    await conn.execute("INSERT INTO people (id, name) VALUES ($1, 'Eli')", pupil)
    await conn.execute(
        "INSERT INTO class_enrollments (class_id, pupil_id, school_id) VALUES ($1, $2, $3)",
        klass,
        pupil,
        school,
    )
    await conn.execute("DELETE FROM class_enrollments WHERE pupil_id = $1", pupil)
    return school, klass, pupil


async def test_a_database_that_ran_the_old_0025_gets_todays_shape(scratch, schema_dir, template_dsn):
    """The old 0025 had former_class_enrollments without school_id. Such a database
    stood at 0030 (0041 came later); it is made here from today's files up to 0030
    with the column and the trigger put back as they were, and no checksums yet."""
    later = sorted(p for p in (schema_dir / "migrations").glob("*.sql") if p.name >= "0041")
    held = schema_dir.parent / "held"
    held.mkdir()
    for path in later:
        path.rename(held / path.name)
    await migrate(scratch, schema_dir)
    conn = await asyncpg.connect(scratch)
    try:
        await conn.execute("ALTER TABLE former_class_enrollments DROP COLUMN school_id")
        await conn.execute(_OLD_TRIGGER)
        await conn.execute("ALTER TABLE schema_migrations DROP COLUMN sha256; DROP TABLE schema_definitions")
        school, klass, pupil = await _a_pupil_who_left(conn)
        for path in later:
            (held / path.name).rename(path)

        applied = await apply_migrations(conn, SchemaSource(schema_dir))
        assert applied == [*(p.name for p in later), "definitions/access.sql"]
        assert (
            await conn.fetchval("SELECT school_id FROM former_class_enrollments WHERE pupil_id = $1", pupil)
            == school
        )
        # The trigger writes the school again; the column refuses a row without one.
        await conn.execute(
            "INSERT INTO class_enrollments (class_id, pupil_id, school_id) VALUES ($1, $2, $3)",
            klass,
            pupil,
            school,
        )
        await conn.execute("DELETE FROM class_enrollments WHERE pupil_id = $1", pupil)
        left = "SELECT count(*) FROM former_class_enrollments WHERE school_id = $1"
        assert await conn.fetchval(left, school) == 1
        with pytest.raises(asyncpg.NotNullViolationError):
            await conn.execute(
                "INSERT INTO former_class_enrollments (pupil_id, class_id, left_at) VALUES ($1, $2, now())",
                pupil,
                klass,
            )
    finally:
        await conn.close()
    # Every function and every column as in a database migrated from scratch (the template).
    for sql in (FUNCTIONS, COLUMNS):
        repaired, fresh = await fetch(scratch, sql), await fetch(template_dsn, sql)
        assert sorted(map(tuple, repaired)) == sorted(map(tuple, fresh))
