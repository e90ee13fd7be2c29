"""Benchmark: the first minute after a fresh large import, with and without the
import's ANALYZE of the tables it changed.

    .venv/bin/python -m tests.benchmarks.bench_after_import [--schools 30 --pupils 15000]
        [--seconds 15] [--connections 16]

Generates a OneRoster export with ``bench_roster.generate`` (FINT-shaped; the default
is a sixth of Oslo: 30 schools, 15,000 pupils, 25,000 guardians, 2,000 staff), then
for each variant, on its own fresh database of one embedded PostgreSQL with
autovacuum off (what the first minute looks like: autovacuum has not come round):

1. migrates and imports the export in-process (``import_roster``), the first
   variant with ``analyze=False`` (as imports were), the second as imports are now;
2. starts ``skolebro serve`` on it, signs in guardians and contact teachers with
   dev-login, and drives the morning mix for ``--seconds`` with ``--connections``
   concurrent aiohttp clients: 60 % ``GET /me``, 15 % a child's absence reports,
   10 % a class board by its contact teacher, 5 % inbox, 10 % absence POSTs;
3. prints requests/s, p50 and p99 per variant, and the median execution time
   (``EXPLAIN ANALYZE``) of ``GET /me``'s query for 80 people.

Not collected by pytest (no ``test_`` prefix).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from tests.benchmarks.bench_roster import generate

NOW = "2026-11-23T06:30:00+00:00"  # a Monday morning, 07:30 in Oslo


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _prepare(admin_dsn: str, name: str, folder: Path, analyze: bool) -> tuple[str, float]:
    from backend.db.migrate import apply_migrations
    from backend.db.pool import _init_connection
    from backend.roster.importer import import_roster
    from backend.roster.oneroster.csv_reader import read_roster

    admin = await asyncpg.connect(admin_dsn)
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    dsn = urlunsplit(urlsplit(admin_dsn)._replace(path=f"/{name}"))
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f'ALTER DATABASE "{name}" SET default_statistics_target = 100')
        await _init_connection(conn)
        await apply_migrations(conn)
        for table in (
            "people",
            "identities",
            "classes",
            "teaching_groups",
            "class_enrollments",
            "group_enrollments",
            "guardian_relations",
            "staff_assignments",
            "schools",
            "school_years",
        ):
            # The first minute: autovacuum has not analysed anything yet.
            await conn.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
        started = time.perf_counter()
        roster = read_roster(folder)
        await import_roster(conn, roster, analyze=analyze)
        return dsn, time.perf_counter() - started
    finally:
        await conn.close()


async def _pairs(dsn: str) -> tuple[list[tuple[uuid.UUID, str]], list[tuple[uuid.UUID, str]]]:
    conn = await asyncpg.connect(dsn)
    try:
        guardians = await conn.fetch(
            """SELECT r.pupil_id, g.username FROM guardian_relations r JOIN people g ON g.id = r.guardian_id
               WHERE g.username IS NOT NULL AND r.access = 'full' ORDER BY g.username LIMIT 400"""
        )
        teachers = await conn.fetch(
            """SELECT a.class_id, p.username FROM staff_assignments a JOIN people p ON p.id = a.person_id
               WHERE a.role = 'contact_teacher' AND p.username IS NOT NULL ORDER BY p.username LIMIT 60"""
        )
    finally:
        await conn.close()
    return [(r["pupil_id"], r["username"]) for r in guardians], [
        (r["class_id"], r["username"]) for r in teachers
    ]


async def _me_db_ms(dsn: str, usernames: list[str]) -> float:
    """Median execution time of ``GET /me``'s one query for these
    people, as planned on the statistics there are right now."""
    import json

    from backend.me.queries import ME

    conn = await asyncpg.connect(dsn)
    try:
        times = []
        for username in usernames:
            person = await conn.fetchval("SELECT id FROM people WHERE username = $1", username)
            plan = await conn.fetchval(f"EXPLAIN (ANALYZE, FORMAT JSON) {ME}", person, _now())
            plan = json.loads(plan) if isinstance(plan, str) else plan
            # Execution only: the service prepares its statements (asyncpg's cache), so
            # planning is paid once per connection, not per request.
            times.append(float(plan[0]["Execution Time"]))
        return statistics.median(times)
    finally:
        await conn.close()


def _now() -> Any:
    from datetime import datetime

    return datetime.fromisoformat(NOW)


async def _drive(base: str, dsn: str, seconds: float, connections: int) -> dict[str, Any]:
    import aiohttp

    guardians, teachers = await _pairs(dsn)
    tokens: dict[str, str] = {}
    async with aiohttp.ClientSession(base) as session:
        for _, username in guardians + teachers:
            if username in tokens:
                continue
            async with session.post("/api/v1/auth/dev-login", json={"username": username}) as r:
                if r.status != 200:
                    raise RuntimeError(f"dev-login {username}: {r.status} {await r.text()}")
                tokens[username] = (await r.json())["access_token"]
        rng = random.Random(17)
        today = date(2026, 11, 23)
        latencies: list[float] = []
        errors = 0
        deadline = time.perf_counter() + seconds
        posted: set[uuid.UUID] = set()

        def next_request() -> tuple[str, str, str, dict[str, Any] | None]:
            roll = rng.random()
            pupil, guardian = rng.choice(guardians)
            if roll < 0.60:
                return "GET", "/api/v1/me", guardian, None
            if roll < 0.75:
                return "GET", f"/api/v1/pupils/{pupil}/absence-reports", guardian, None
            if roll < 0.85:
                class_id, teacher = rng.choice(teachers)
                return "GET", f"/api/v1/classes/{class_id}/attendance?date={today}", teacher, None
            if roll < 0.90:
                return "GET", "/api/v1/me/notifications", guardian, None
            if pupil in posted:
                return "GET", "/api/v1/me", guardian, None
            posted.add(pupil)
            body = {"first_day": today.isoformat(), "reason": "sick"}
            return "POST", f"/api/v1/pupils/{pupil}/absence-reports", guardian, body

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                method, path, who, body = next_request()
                started = time.perf_counter()
                async with session.request(
                    method, path, json=body, headers={"authorization": f"Bearer {tokens[who]}"}
                ) as r:
                    await r.read()
                    if r.status >= 400 and r.status != 409:
                        errors += 1
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000,
        "errors": errors,
        "me_db_ms": await _me_db_ms(dsn, [g for _, g in guardians[:60]] + [t for _, t in teachers[:20]]),
    }


def _serve(dsn: str, port: int, data_dir: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": dsn,
        "SKOLEBRO_ENV": "dev",
        "SKOLEBRO_DATA_DIR": str(data_dir),
        "SKOLEBRO_LOG_LEVEL": "warning",
        "SKOLEBRO_NOW": NOW,
        # Hundreds of guardians sign in from one address before the load starts.
        "SKOLEBRO_AUTH_RATE_LIMIT": "1000000",
    }
    argv = [
        sys.executable,
        "-m",
        "backend.app.cli",
        "serve",
        "--port",
        str(port),
        "--no-scheduler",
        "--no-dispatcher",
    ]
    return subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def _wait(base: str, seconds: float = 60) -> None:
    import aiohttp

    deadline = time.monotonic() + seconds
    async with aiohttp.ClientSession(base) as session:
        while time.monotonic() < deadline:
            try:
                async with session.get("/ready") as r:
                    if r.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.3)
    raise RuntimeError("the service did not start")


async def run(args: argparse.Namespace) -> None:
    import pgserver

    with tempfile.TemporaryDirectory(prefix="skolebro-bench-") as tmp:
        work = Path(tmp)
        folder = work / "export"
        folder.mkdir()
        counts = generate(folder, args.schools, args.pupils, args.guardians, args.staff)
        print(f"export: {counts}")
        server = pgserver.get_server(work / "pgdata", cleanup_mode="stop")
        admin = str(server.get_uri())
        try:
            for label, analyze in (("import without ANALYZE", False), ("import with ANALYZE", True)):
                dsn, seconds = await _prepare(admin, f"bench_{int(analyze)}", folder, analyze)
                port = _free_port()
                proc = _serve(dsn, port, work / "data")
                try:
                    base = f"http://127.0.0.1:{port}"
                    await _wait(base)
                    result = await _drive(base, dsn, args.seconds, args.connections)
                finally:
                    proc.terminate()
                    proc.wait(timeout=30)
                print(
                    f"{label:<24} import {seconds:6.1f} s | morning mix {result['rps']:7.1f} req/s, "
                    f"p50 {result['p50_ms']:6.1f} ms, p99 {result['p99_ms']:6.1f} ms, "
                    f"{result['requests']:,} requests, {result['errors']} errors | "
                    f"GET /me query {result['me_db_ms']:.2f} ms (median execution)"
                )
        finally:
            server.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=30)
    parser.add_argument("--pupils", type=int, default=15000)
    parser.add_argument("--guardians", type=int, default=25000)
    parser.add_argument("--staff", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--connections", type=int, default=16)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
