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

from tests.conftest import KARI, SCHOOL

ROOT = Path(__file__).resolve().parents[1]
DAY = date(2026, 11, 24)


def test_no_session_level_advisory_lock_outside_the_direct_connections():
    # migrate.py locks on its own direct connection (SKOLEBRO_DIRECT_DATABASE_URL).
    for path in [*ROOT.glob("backend/**/*.py"), *ROOT.glob("notifications/**/*.py")]:
        if path.name == "migrate.py":
            continue
        assert not re.search(r"pg_advisory_lock\(|pg_try_advisory_lock\(", path.read_text()), path


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
