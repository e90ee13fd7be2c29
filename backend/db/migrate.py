"""Ordered SQL migrations, applied under an advisory lock.

Replicas starting together take turns on the lock; each applies only the
files not yet recorded in ``schema_migrations``.
"""

from __future__ import annotations

import logging
from importlib import resources

import asyncpg

log = logging.getLogger("skolebro.db")

_LOCK_KEY = 727_001  # any constant; shared by every replica


def migration_files() -> list[tuple[str, str]]:
    folder = resources.files("backend.db") / "migrations"
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".sql"))
    return [(name, (folder / name).read_text(encoding="utf-8")) for name in names]


async def apply_migrations(conn: asyncpg.Connection) -> list[str]:
    applied: list[str] = []
    await conn.execute("SELECT pg_advisory_lock($1)", _LOCK_KEY)
    try:
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = {r["name"] for r in await conn.fetch("SELECT name FROM schema_migrations")}
        for name, sql in migration_files():
            if name in done:
                continue
            async with conn.transaction():
                await conn.execute(sql)
                await conn.execute("INSERT INTO schema_migrations (name) VALUES ($1)", name)
            log.info("applied migration %s", name)
            applied.append(name)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)
    return applied


async def pending_migrations(conn: asyncpg.Connection) -> list[str]:
    try:
        done = {r["name"] for r in await conn.fetch("SELECT name FROM schema_migrations")}
    except asyncpg.UndefinedTableError:
        done = set()
    return [name for name, _ in migration_files() if name not in done]
