"""No session state on pooled connections: behind PgBouncer in transaction mode the
statements of one request may run on different server connections, so a session-level
lock would stay behind on one of them. The absence overlap guard is a trigger that
locks for its own transaction (migration 0041)."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import asyncpg
import pytest

from tests.support.demo import KARI, SCHOOL

ROOT = Path(__file__).resolve().parents[2]
DAY = date(2026, 11, 24)


# What asyncpg's default reset would undo, and the service no longer resets
# (backend/db/pool.py: _keep_session). Only the files named may hold a session: each
# LISTENs or locks on a connection of its own, never one of the pool's.
SESSION_STATE = {
    # migrate.py locks on its own direct connection (SKOLEBRO_DIRECT_DATABASE_URL).
    "a session advisory lock": (re.compile(r"pg_advisory_lock\(|pg_try_advisory_lock\("), ("migrate.py",)),
    "a session setting": (re.compile(r"[\"'(]\s*SET\s+(?!LOCAL\b)(SESSION\s+)?[a-z_]+\s*(=|TO\b)", re.I), ()),
    "a session set_config": (re.compile(r"set_config\([^)]*,\s*false\s*\)", re.I), ()),
    "a held cursor": (re.compile(r"WITH\s+HOLD", re.I), ()),
    "LISTEN": (re.compile(r"\badd_listener\(|[\"']\s*LISTEN\s+\w"), ("dispatcher.py", "listener.py")),
}


def test_nothing_leaves_session_state_on_a_pooled_connection():
    for path in [*ROOT.glob("backend/**/*.py"), *ROOT.glob("notifications/**/*.py")]:
        text = path.read_text()
        for what, (pattern, allowed) in SESSION_STATE.items():
            if path.name not in allowed:
                assert not pattern.search(text), f"{path}: {what}"


def test_the_session_state_patterns_find_what_they_look_for():
    examples = {
        "a session setting": '"SET search_path = x"',
        "a session set_config": "SELECT set_config('a.b', 'c', false)",
        "a session advisory lock": "SELECT pg_advisory_lock($1)",
        "a held cursor": "DECLARE c CURSOR WITH HOLD FOR SELECT 1",
        "LISTEN": "await conn.add_listener(CHANNEL, cb)",
        "LISTEN ": 'execute("LISTEN push")',
    }
    for what, example in examples.items():
        assert SESSION_STATE[what.strip()][0].search(example), what
    assert not SESSION_STATE["a session setting"][0].search('"SET LOCAL lock_timeout = 1"')
    assert not SESSION_STATE["a session setting"][0].search("UPDATE people SET name = $1")


async def test_a_connection_comes_back_to_the_pool_without_its_transaction(db_dsn):
    from backend.db.pool import close_pool, create_pool

    pool = await create_pool(db_dsn, min_size=1, max_size=1, plan_cache_mode="force_generic_plan")
    try:
        async with pool.acquire() as conn:
            # Requests are planned once per connection (backend/app/settings.py).
            assert await conn.fetchval("SHOW plan_cache_mode") == "force_generic_plan"
            await conn.execute("BEGIN")
            await conn.execute("UPDATE people SET name = 'half-done' WHERE id = $1", KARI)
        async with pool.acquire() as conn:  # the one connection again
            assert not conn.is_in_transaction()
            assert await conn.fetchval("SELECT name FROM people WHERE id = $1", KARI) != "half-done"
    finally:
        await close_pool(pool)


INSERT = """
INSERT INTO absence_reports (id, school_id, pupil_id, first_day, last_day, reason,
                             submitted_at, submitted_by, deadline, late)
VALUES ($1, $2, $3, $4, $4, 'sick', $5, $3, $5, false)
"""


async def test_the_trigger_makes_a_racing_overlap_wait_and_then_refuses_it(db_dsn):
    now = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    first = await asyncpg.connect(db_dsn)
    second = await asyncpg.connect(db_dsn)
    try:
        tx = first.transaction()
        await tx.start()
        await first.execute(INSERT, uuid.uuid4(), SCHOOL, KARI, DAY, now)
        # The second insert for the same pupil and day waits on the first's lock ...
        racing = asyncio.ensure_future(second.execute(INSERT, uuid.uuid4(), SCHOOL, KARI, DAY, now))
        await asyncio.sleep(0.3)
        assert not racing.done()
        await tx.commit()
        # ... and, once the first has committed, sees it and is refused.
        with pytest.raises(asyncpg.exceptions.ExclusionViolationError):
            await racing
        count = await first.fetchval(
            "SELECT count(*) FROM absence_reports WHERE pupil_id = $1 AND first_day = $2", KARI, DAY
        )
        assert count == 1
        held = await first.fetchval("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")
        assert held == 0
    finally:
        await first.close()
        await second.close()


def test_requests_get_generic_plans_unless_there_is_no_statement_cache_or_it_is_switched_off():
    from backend.app.factory import build_runtime
    from backend.app.lifecycle import request_plan_cache_mode
    from backend.app.settings import Settings, SettingsError

    def mode(env: dict[str, str]) -> str:
        return request_plan_cache_mode(build_runtime(Settings.from_env(env)))

    assert mode({}) == "force_generic_plan"
    # Behind PgBouncer without prepared statements: nothing to cache, and PgBouncer
    # would refuse the start-up parameter.
    assert mode({"SKOLEBRO_DB_STATEMENT_CACHE_SIZE": "0"}) == ""
    assert mode({"SKOLEBRO_DB_PLAN_CACHE_MODE": "none"}) == ""
    assert mode({"SKOLEBRO_DB_PLAN_CACHE_MODE": "auto"}) == "auto"
    with pytest.raises(SettingsError, match="SKOLEBRO_DB_PLAN_CACHE_MODE"):
        Settings.from_env({"SKOLEBRO_DB_PLAN_CACHE_MODE": "generic"}).check()
