"""Benchmark: the morning overview of a school of 40 classes, and 200 open live streams.

    python tests/benchmarks/bench_morning.py [--renders 300] [--streams 200] [--idle 20]

Needs only the checkout's virtualenv (embedded PostgreSQL through pgserver; aiohttp and
psutil are dependencies). Starts an embedded PostgreSQL in a temporary folder and the
real service against it the way production does (``skolebro serve --demo``: uvicorn,
one worker, no scheduler or dispatcher, so nothing else talks to the database), grows
the demo school (Vassenden, 20 classes) to 40 classes of 20 pupils, and gives the
morning of Monday 23 November 2026, 09:30 in Oslo, some life: roll calls in 36 classes
with absent pupils, reports, approved leave, half the checks done, 8 sought and 4
escalated missing-pupil cases. Then, signed in to the portal as the school's leader:

1. ``GET /web/morning`` ``--renders`` times one after another (after 20 to warm up):
   the server's own time per request (from its access log, ``duration_ms``: from the
   request's first byte in to the last byte out) as p50/p95/max, and what the client
   saw, and the service process's CPU time per render (steadier than wall time on a
   busy machine). The goal: p95 <= 50 ms.
2. ``--streams`` open ``/web/morning/events`` streams: the service's RSS (its own
   process; PostgreSQL runs apart) before and after they are all open; the goal is a
   rise <= 30 MB. Then ``--idle`` seconds with all of them open: the transactions the
   database ran meanwhile (``pg_stat_database`` xact_commit + xact_rollback of the
   service's database, less the reads of the figure itself) and its sessions
   (``pg_stat_activity``): no polling per stream means ~0 transactions and one LISTEN
   session however many streams. Last, one change (a class's check done, on another
   connection): how long until every stream has its "changed" event.

Not a pytest test: ``tests/benchmarks/conftest.py`` ignores ``bench_*.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
NOW = "2026-11-23T08:30:00+00:00"  # Monday 09:30 in Oslo: after the 09:00 check deadline
TODAY = "2026-11-23"
MB = 1024 * 1024

# The demo's 20 classes and 20 more (grades 1-10, C and D), 20 pupils each; then the
# morning: roll calls in all but four classes, two absent of each (one of them reported
# sick, so unaccounted is one), a pupil on approved leave in every fifth class, half the
# checks done, and open cases (sought, and escalated in every fourth of them).
GROW_AND_LIVEN = """
WITH sy AS (SELECT c.school_year_id, c.school_id FROM classes c WHERE c.name = '3A' LIMIT 1),
new_classes AS (
    INSERT INTO classes (id, school_id, school_year_id, name, grade)
    SELECT gen_random_uuid(), sy.school_id, sy.school_year_id, g || l, g
    FROM sy, generate_series(1, 10) AS g, unnest(ARRAY['C', 'D']) AS l
    RETURNING id, school_id
), new_pupils AS (
    INSERT INTO people (id, name, birth_date)
    SELECT gen_random_uuid(), 'Elev ' || nc.id || '-' || n, '2015-01-01'
    FROM new_classes nc, generate_series(1, 20) AS n
    RETURNING id, name
)
INSERT INTO class_enrollments (class_id, pupil_id, school_id)
SELECT nc.id, np.id, nc.school_id
FROM new_pupils np JOIN new_classes nc ON np.name LIKE 'Elev ' || nc.id || '-%'
"""


async def liven(dsn: str) -> dict[str, int]:
    import asyncpg

    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(GROW_AND_LIVEN)
        school, leader = await conn.fetchrow(
            "SELECT s.id, p.id FROM schools s, people p"
            " WHERE s.name = 'Vassenden skule' AND p.username = 'leader'"
        )
        classes = await conn.fetch(
            "SELECT id, name FROM classes WHERE school_id = $1 ORDER BY grade, name", school
        )
        day = __import__("datetime").date.fromisoformat(TODAY)
        cases = 0
        for i, c in enumerate(classes):
            pupils = [
                r["pupil_id"]
                for r in await conn.fetch(
                    "SELECT pupil_id FROM class_enrollments WHERE class_id = $1 ORDER BY pupil_id", c["id"]
                )
            ]
            if i % 5 == 0:
                await conn.execute(
                    "INSERT INTO leave_requests (id, school_id, pupil_id, requested_by, first_day, last_day,"
                    " reason, school_days, status, created_at) VALUES (gen_random_uuid(), $1, $2, $2, $3, $3,"
                    " 'Tur', 1, 'approved', now())",
                    school,
                    pupils[-1],
                    day,
                )
            await conn.execute(
                "INSERT INTO absence_reports (id, school_id, pupil_id, first_day, last_day, reason,"
                " submitted_at, submitted_by, deadline, late) VALUES (gen_random_uuid(), $1, $2, $3, $3,"
                " 'sick', now(), $4, now(), false)",
                school,
                pupils[0],
                day,
                leader,
            )
            if i % 10 == 9:
                continue  # no roll call yet
            await conn.execute(
                "INSERT INTO attendance_marks (pupil_id, day, school_id, class_id, status, roll_time,"
                " marked_by, marked_at) SELECT p, $1, $2, $3, CASE WHEN p = ANY($4::uuid[]) THEN 'absent'"
                " ELSE 'present' END, '08:30', $5, now() FROM unnest($6::uuid[]) AS p",
                day,
                school,
                c["id"],
                pupils[:2],
                leader,
                pupils[:-1],
            )
            if i % 2 == 0:
                await conn.execute(
                    "INSERT INTO class_checks (class_id, day, school_id, completed_by, completed_at)"
                    " VALUES ($1, $2, $3, $4, now())",
                    c["id"],
                    day,
                    school,
                    leader,
                )
            if i % 3 == 0:
                status = "escalated" if i % 4 == 0 else "sought"
                await conn.execute(
                    "INSERT INTO missing_cases (id, school_id, class_id, pupil_id, day, missing_from, status,"
                    " opened_by, opened_at, sought_at, escalated_at) VALUES (gen_random_uuid(), $1, $2, $3,"
                    " $4, '08:30', $5, $6, now(), now(), CASE WHEN $5 = 'escalated' THEN now() END)",
                    school,
                    c["id"],
                    pupils[1],
                    day,
                    status,
                    leader,
                )
                cases += 1
        await conn.execute("ANALYZE")
        return {"classes": len(classes), "cases": cases}
    finally:
        await conn.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_ready(base: str, proc: subprocess.Popen[bytes], seconds: float = 180) -> None:
    import aiohttp

    deadline = time.monotonic() + seconds
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}")
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(base + "/ready") as r:
                    if r.status == 200:
                        return
            await asyncio.sleep(0.3)
    raise RuntimeError("server not ready")


async def web_session(base: str, username: str) -> Any:
    """An aiohttp session signed in to the portal (the dev sign-in form)."""
    import aiohttp

    # unsafe: keep cookies of an IP address (127.0.0.1).
    session = aiohttp.ClientSession(
        base_url=base, connector=aiohttp.TCPConnector(limit=0), cookie_jar=aiohttp.CookieJar(unsafe=True)
    )
    async with session.get("/web/login") as r:
        token = re.search(r'name="csrf_token" value="([^"]+)"', await r.text())
    assert token
    async with session.post(
        "/web/login", data={"csrf_token": token.group(1), "username": username}, allow_redirects=False
    ) as r:
        assert r.status == 303, await r.text()
    return session


def server_times(log: Path, path: str) -> list[float]:
    found = []
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        with contextlib.suppress(ValueError):
            entry = json.loads(line)
            if entry.get("path") == path and entry.get("status") == 200:
                found.append(float(entry["duration_ms"]))
    return found


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def db_xacts(dsn: str) -> int:
    import asyncpg

    conn = await asyncpg.connect(dsn)
    try:
        # A fresh snapshot: statistics are otherwise cached for the transaction.
        await conn.execute("SELECT pg_stat_clear_snapshot()")
        return int(
            await conn.fetchval(
                "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()"
            )
        )
    finally:
        await conn.close()


async def sessions(dsn: str) -> dict[str, int]:
    import asyncpg

    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT CASE WHEN query ILIKE 'LISTEN%' THEN 'listen'"
            " ELSE coalesce(nullif(state, ''), 'other') END"
            " AS what, count(*) AS n FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid() GROUP BY 1"
        )
        return {r["what"]: r["n"] for r in rows}
    finally:
        await conn.close()


async def measure(
    args: argparse.Namespace, base: str, dsn: str, pid: int, log: Path, grown_cases: int
) -> None:
    import psutil

    service = psutil.Process(pid)
    leader = await web_session(base, "leader")
    try:
        # 1. Rendering the overview.
        for _ in range(20):
            async with leader.get("/web/morning") as r:
                assert r.status == 200
                html = await r.text()
        rows = len(re.findall(r'<tr id="class-', html))
        await asyncio.sleep(0.5)  # the warm-up's last log line
        mark = len(server_times(log, "/web/morning"))
        client_ms = []
        cpu = service.cpu_times()
        for _ in range(args.renders):
            started = time.perf_counter()
            async with leader.get("/web/morning") as r:
                await r.read()
            client_ms.append((time.perf_counter() - started) * 1000)
        cpu_after = service.cpu_times()
        cpu_ms = (cpu_after.user + cpu_after.system - cpu.user - cpu.system) * 1000 / args.renders
        await asyncio.sleep(1.0)  # the log line is written after the response
        server_ms = server_times(log, "/web/morning")[mark:]
        print(
            f"GET /web/morning, {rows} classes, {len(html) // 1024} KB, {len(server_ms)} renders:"
            f" server p50 {statistics.median(server_ms):.1f} ms, p95 {pct(server_ms, 95):.1f} ms,"
            f" max {max(server_ms):.1f} ms; client p50 {statistics.median(client_ms):.1f} ms,"
            f" p95 {pct(client_ms, 95):.1f} ms; the service's CPU {cpu_ms:.1f} ms a render"
        )
        # The same, each render writing its audit rows anew (as the first of a quarter of an
        # hour does): the bench forgets them before each request.
        import asyncpg

        forget = await asyncpg.connect(dsn)
        try:
            mark = len(server_times(log, "/web/morning"))
            for _ in range(max(1, args.renders // 3)):
                await forget.execute("DELETE FROM audit_log WHERE action = 'morning.overview'")
                async with leader.get("/web/morning") as r:
                    await r.read()
            await asyncio.sleep(1.0)
            audited = server_times(log, "/web/morning")[mark:]
            print(
                f"the same, each render writing its {grown_cases} audit rows: server p50"
                f" {statistics.median(audited):.1f} ms, p95 {pct(audited, 95):.1f} ms,"
                f" max {max(audited):.1f} ms"
            )
        finally:
            await forget.close()

        # 2. Open streams: memory, database work while idle, fan-out of one change.
        async with leader.get("/web/morning/events") as warm:  # the listener connects
            await warm.content.readline()
        await asyncio.sleep(1.0)
        rss_before = service.memory_info().rss
        received: list[asyncio.Event] = []
        ready = 0

        async def stream(changed: asyncio.Event) -> None:
            nonlocal ready
            async with leader.get("/web/morning/events", timeout=None) as r:
                assert r.status == 200, r.status
                async for line in r.content:
                    text = line.decode().strip()
                    if text == ": ready":
                        ready += 1
                    elif text == "event: changed":
                        changed.set()

        tasks = []
        for _ in range(args.streams):
            changed = asyncio.Event()
            received.append(changed)
            tasks.append(asyncio.create_task(stream(changed)))
        while ready < args.streams:  # noqa: ASYNC110 - a count, polled by the bench only
            await asyncio.sleep(0.1)
        await asyncio.sleep(2.0)
        rss_open = service.memory_info().rss
        print(
            f"{args.streams} open streams: service RSS before {rss_before / MB:.1f} MB, with them open"
            f" {rss_open / MB:.1f} MB, rise {(rss_open - rss_before) / MB:.1f} MB"
            f" ({(rss_open - rss_before) / args.streams / 1024:.1f} KB a stream)"
        )
        # A backend reports its counts when idle for 10 s at most: wait out the streams'
        # opening (session and scope reads) so the window holds only what idling costs.
        await asyncio.sleep(12.0)
        before = await db_xacts(dsn)
        window = time.monotonic()
        await asyncio.sleep(args.idle)
        await asyncio.sleep(11.0)  # and the window's own, if any, reported
        after = await db_xacts(dsn)
        window = time.monotonic() - window
        # Less the figure's own two transactions (clear snapshot + the read).
        print(
            f"idle {window:.0f} s with {args.streams} streams open:"
            f" {after - before - 2} database transactions"
            f" (pg_stat_database); sessions {await sessions(dsn)}"
        )
        conn = await asyncpg.connect(dsn)
        try:
            started = time.perf_counter()
            await conn.execute(
                "INSERT INTO class_checks (class_id, day, school_id, completed_by, completed_at)"
                " SELECT c.id, $1::date, c.school_id, p.id, now() FROM classes c, people p"
                " WHERE p.username = 'leader' AND c.name = '9B'"
                " ON CONFLICT DO NOTHING",
                __import__("datetime").date.fromisoformat(TODAY),
            )
            await asyncio.wait_for(asyncio.gather(*(e.wait() for e in received)), 30)
            print(
                f"one change on another connection: all {args.streams} streams told 'changed' in"
                f" {(time.perf_counter() - started) * 1000:.0f} ms (includes the stream's 300 ms settle)"
            )
        finally:
            await conn.close()
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.sleep(2.0)
        print(f"streams closed: service RSS {service.memory_info().rss / MB:.1f} MB")
    finally:
        await leader.close()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--renders", type=int, default=300)
    parser.add_argument("--streams", type=int, default=200)
    parser.add_argument("--idle", type=float, default=20.0)
    args = parser.parse_args()
    from backend.db.embedded import start_embedded

    with tempfile.TemporaryDirectory(prefix="skolebro-bench-morning-") as workdir:
        dsn = start_embedded(Path(workdir))
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = Path(workdir) / "service.log"
        env = {
            **os.environ,
            "SKOLEBRO_ENV": "dev",
            "DATABASE_URL": dsn,
            "SKOLEBRO_DATA_DIR": str(Path(workdir) / "service"),
            "SKOLEBRO_NOW": NOW,
            "SKOLEBRO_LOG_LEVEL": "info",
            "SKOLEBRO_LOG_FORMAT": "json",
            "SKOLEBRO_AUTH_RATE_LIMIT": "1000000",
        }
        argv = [sys.executable, "-m", "backend.app.cli", "serve", "--demo", "--port", str(port)]
        argv += ["--no-scheduler", "--no-dispatcher"]
        with open(log, "wb") as out:
            proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=out, stderr=out)
        try:
            asyncio.run(wait_ready(base, proc))
            grown = asyncio.run(liven(dsn))
            with open("/proc/loadavg") as f:
                load = " ".join(f.read().split()[:3])
            print(f"school: {grown['classes']} classes, {grown['cases']} open cases; load {load}")
            asyncio.run(measure(args, base, dsn, proc.pid, log, grown["cases"]))
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    proc.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
