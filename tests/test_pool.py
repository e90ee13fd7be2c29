"""The pool's cheap reset (issue 11) keeps what the default reset promised: a session
lock taken for the absence overlap guard is released with the connection, and no code
takes a session-level lock without saying so."""

from __future__ import annotations

import re
from pathlib import Path

from backend.db.pool import create_pool, unlock_on_release

ROOT = Path(__file__).resolve().parents[1]


async def test_a_marked_session_lock_goes_with_the_connection(db_dsn):
    pool = await create_pool(db_dsn, min_size=1, max_size=1)
    try:
        async with pool.acquire() as conn:
            unlock_on_release(conn)
            await conn.execute("SELECT pg_advisory_lock(4242)")
            await conn.execute("BEGIN")  # left open: rolled back on release as before
        async with pool.acquire() as conn:  # the same (only) connection
            held = await conn.fetchval(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
            )
            assert held == 0 and not conn.is_in_transaction()
    finally:
        await pool.close()


def test_every_session_level_advisory_lock_is_marked_for_release():
    # A session lock without unlock_on_release would outlive the request on a pooled
    # connection and block every later request for that pupil.
    for path in [*ROOT.glob("backend/**/*.py"), *ROOT.glob("notifications/**/*.py")]:
        text = path.read_text()
        if re.search(r"pg_advisory_lock\(", text) and path.name not in ("migrate.py", "pool.py"):
            service = path.with_name("service.py")
            assert "unlock_on_release" in text or "unlock_on_release" in service.read_text(), path
