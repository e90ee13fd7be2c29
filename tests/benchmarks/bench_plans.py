"""Benchmark: what the access policy's queries cost PostgreSQL, by how they are planned.

    python tests/benchmarks/bench_plans.py [--runs 1500]

On the database ``bench_api.py`` builds (the demo school, extra pupils, a term of
reports), one connection runs each hot query of the morning over and over, and the
script reads that backend's CPU time from /proc (so the server must be local: the
embedded one, or ``DATABASE_URL`` on this machine). Four ways:

- ``generic``: prepared, ``plan_cache_mode = force_generic_plan`` (the request pool's
  default, ``SKOLEBRO_DB_PLAN_CACHE_MODE``);
- ``auto``: prepared, PostgreSQL's own choice between custom and generic plans;
- ``custom``: prepared, planned anew on every execution;
- ``unprepared``: no statement cache, as behind PgBouncer 1.18-1.20 in transaction
  mode (``SKOLEBRO_DB_STATEMENT_CACHE_SIZE=0``): every execution is planned.

It prints database CPU and wall time per execution, in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_api  # the sibling script builds the same database

MODES = {
    "generic": (100, "force_generic_plan"),
    "auto": (100, "auto"),
    "custom": (100, "force_custom_plan"),
    "unprepared": (0, "auto"),
}


def backend_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def queries(conn: Any) -> dict[str, tuple[str, tuple[object, ...]]]:
    from backend.absence.queries import ACCESS_AND_CLOSED_DAYS
    from backend.access.policy_queries import PUPIL_RELATION
    from backend.attendance.queries import BOARD
    from backend.me.queries import ME

    now = bench_api.BENCH_NOW
    guardian, pupil = await conn.fetchrow(
        """
        SELECT g.guardian_id, g.pupil_id FROM guardian_relations g
        JOIN people p ON p.id = g.guardian_id WHERE p.username LIKE 'bench.foresatt.%'
        ORDER BY p.username LIMIT 1
        """
    )
    class_id, teacher = await conn.fetchrow(
        "SELECT class_id, person_id FROM staff_assignments WHERE role = 'contact_teacher' LIMIT 1"
    )
    day = now.date()
    return {
        "GET /me, a guardian": (ME, (guardian, now)),
        "GET /me, a contact teacher": (ME, (teacher, now)),
        "access check (pupil_relation)": (PUPIL_RELATION, (guardian, pupil, now)),
        "absence POST's access and calendar": (
            ACCESS_AND_CLOSED_DAYS,
            (guardian, pupil, now, date(2026, 11, 24), date(2026, 11, 24)),
        ),
        "class board": (BOARD, (class_id, day)),
    }


async def measure(dsn: str, runs: int) -> None:
    import asyncpg

    from backend.db.pool import _init_connection

    print(f"{'':<36} " + " ".join(f"{m:>18}" for m in MODES))
    print(f"{'(database CPU / wall, ms)':<36} " + " ".join(f"{'':>18}" for _ in MODES))
    results: dict[str, list[str]] = {}
    for cache, plan_mode in MODES.values():
        conn = await asyncpg.connect(
            dsn, statement_cache_size=cache, server_settings={"plan_cache_mode": plan_mode}
        )
        try:
            await _init_connection(conn)
            pid = await conn.fetchval("SELECT pg_backend_pid()")
            for name, (sql, args) in (await queries(conn)).items():
                for _ in range(20):  # past the custom plans PostgreSQL tries first
                    await conn.fetch(sql, *args)
                cpu, wall = backend_cpu_seconds(pid), time.perf_counter()
                for _ in range(runs):
                    await conn.fetch(sql, *args)
                cpu = (backend_cpu_seconds(pid) - cpu) * 1000 / runs
                wall = (time.perf_counter() - wall) * 1000 / runs
                results.setdefault(name, []).append(f"{cpu:7.3f} / {wall:6.3f}")
        finally:
            await conn.close()
    for name, cells in results.items():
        print(f"{name:<36} " + " ".join(f"{c:>18}" for c in cells))


async def main_async(args: argparse.Namespace) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="skolebro-plans-"))
    dsn, cleanup = await bench_api.start_database(workdir)
    try:
        t0 = time.perf_counter()
        pairs = await bench_api.prepare_database(dsn, 2600)
        print(f"database ready: {len(pairs)} pupils with guardians ({time.perf_counter() - t0:.1f} s)\n")
        await measure(dsn, args.runs)
        return 0
    finally:
        await cleanup()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1500, help="executions per query and mode")
    return asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    raise SystemExit(main())
