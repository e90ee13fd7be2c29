"""Benchmark: the absence summary endpoint for an upper-secondary pupil with 12 subjects.

Starts an embedded PostgreSQL (pgserver) in a temporary folder, migrates it, seeds
the demo (Vassenden skule and Sunnfjord vidaregåande skule), gives ``pupil.vg``
(VG1A, 12 subjects of known annual hours) a term of absence — missed lessons in
every subject on about one school day in four from mid-August to the benchmark day,
some covered by absence reports (self-reported health), some by documentation
(health personnel, a class B driving test) — and drafts the warnings. Then it calls
``GET /api/v1/pupils/{pupil.vg}/absence-summary`` through the whole application
in-process (ASGI: authentication, access policy, the summary query, the audit row
of a staff read, JSON encoding) as the guardian and as the contact teacher, and
the summary's query alone, and prints p50/p95/max of each.

Target (issue 19): p95 ≤ 20 ms on this machine.

Run:  .venv/bin/python -m tests.benchmarks.bench_summary [--requests 300]
Not collected by pytest (no test_ prefix).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import asyncpg

NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)  # Monday 07:00 in Oslo


async def seed(dsn: str) -> int:
    from backend.absence.jobs import absence_warnings
    from backend.db.migrate import apply_migrations
    from backend.db.pool import _init_connection
    from backend.roster.demo import VG1A_SUBJECTS, demo_id, seed_demo, vg_school_id

    conn = await asyncpg.connect(dsn)
    try:
        await _init_connection(conn)
        await apply_migrations(conn)
        await seed_demo(conn, NOW)
        pupil, school = demo_id("person:pupil.vg"), vg_school_id()
        lessons, reports, docs = [], [], []
        day, n = date(2026, 8, 17), 0
        while day < NOW.date():
            if day.weekday() < 5:
                n += 1
                if n % 4 == 0:
                    for i, (key, _subject, _hours) in enumerate(VG1A_SUBJECTS):
                        if (n + i) % 3 == 0:
                            start = datetime(2026, 1, 1, 8 + i % 7, 15).time()
                            end = (datetime.combine(day, start) + timedelta(minutes=45)).time()
                            lessons.append(
                                (
                                    uuid.uuid4(),
                                    school,
                                    demo_id(f"group:VG1A:{key}"),
                                    pupil,
                                    day,
                                    start,
                                    end,
                                    NOW,
                                )
                            )
                    if n % 8 == 0:
                        reports.append((uuid.uuid4(), school, pupil, day, day, "sick", NOW, pupil, NOW, True))
                    if n % 20 == 0:
                        docs.append((uuid.uuid4(), school, pupil, "health_personnel", day, day, NOW))
                    if n == 40:
                        docs.append((uuid.uuid4(), school, pupil, "driving_test_b", day, day, NOW))
            day += timedelta(days=1)
        await conn.copy_records_to_table(
            "subject_absences",
            records=lessons,
            columns=["id", "school_id", "group_id", "pupil_id", "day", "starts_at", "ends_at", "recorded_at"],
        )
        await conn.copy_records_to_table(
            "absence_reports",
            records=reports,
            columns=[
                "id",
                "school_id",
                "pupil_id",
                "first_day",
                "last_day",
                "reason",
                "submitted_at",
                "submitted_by",
                "deadline",
                "late",
            ],
        )
        await conn.copy_records_to_table(
            "absence_documentation",
            records=docs,
            columns=["id", "school_id", "pupil_id", "kind", "first_day", "last_day", "recorded_at"],
        )

        class NoMail:
            name = "bench"

            async def send(self, to: str, mail: object) -> object:
                from notifications.mail import MailOutcome

                return MailOutcome(sent=True)

        await absence_warnings(conn, NOW, mail=NoMail())
        await conn.execute("ANALYZE")
        return len(lessons)
    finally:
        await conn.close()


async def measure_audit(dsn: str, requests: int) -> list[float]:
    """One staff-read audit row, committed on its own (what a staff GET adds)."""
    from backend.roster.demo import demo_id, vg_school_id

    conn = await asyncpg.connect(dsn)
    try:
        args = (vg_school_id(), demo_id("person:teacher.vg1a"), demo_id("person:pupil.vg"), "bench.read", NOW)
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            await conn.execute(
                "INSERT INTO audit_log (school_id, actor_id, pupil_id, action, at)"
                " VALUES ($1, $2, $3, $4, $5)",
                *args,
            )
            times.append((time.perf_counter() - started) * 1000)
        return times
    finally:
        await conn.close()


async def measure_query(dsn: str, requests: int) -> list[float]:
    """The summary's one query (SUMMARY_FACTS) alone, prepared, on one connection."""
    from backend.absence import summary_queries as q
    from backend.db.pool import _init_connection
    from backend.roster.demo import demo_id, vg_school_id

    conn = await asyncpg.connect(dsn)
    try:
        await _init_connection(conn)
        stmt = await conn.prepare(q.SUMMARY_FACTS)
        args = (demo_id("person:pupil.vg"), vg_school_id(), None, NOW, None)
        for _ in range(20):
            await stmt.fetchrow(*args)
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            await stmt.fetchrow(*args)
            times.append((time.perf_counter() - started) * 1000)
        return times
    finally:
        await conn.close()


async def measure(dsn: str, data_dir: Path, requests: int, username: str) -> list[float]:
    import httpx

    from backend.app.factory import build_runtime, create_app
    from backend.app.lifecycle import lifespan_for
    from backend.app.settings import Settings
    from backend.db.settings import DatabaseSettings
    from backend.lib.clock import Clock
    from backend.roster.demo import demo_id
    from backend.signin.keys import write_new_key
    from backend.signin.settings import TokenSettings

    key = data_dir / f"signing-key-{username}.pem"
    write_new_key(key)
    settings = Settings(
        env="test",
        data_dir=data_dir,
        tokens=TokenSettings(signing_key_path=str(key)),
        database=DatabaseSettings(pool_min_size=1, pool_max_size=5),
    )
    rt = build_runtime(settings, dsn=dsn)
    rt.clock = Clock(NOW)
    app = create_app(runtime=rt)
    url = f"/api/v1/pupils/{demo_id('person:pupil.vg')}/absence-summary"
    async with lifespan_for(rt, [])(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as c:
            r = await c.post("/api/v1/auth/dev-login", json={"username": username, "client": "app"})
            headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
            first = await c.get(url, headers=headers)
            assert first.status_code == 200, first.text
            subjects = first.json()["subjects"]
            assert len(subjects) == 12, subjects
            print(
                "subjects:",
                ", ".join(
                    f"{s['subject']} {s['counted_hours']:g}/{s['annual_hours']} h = {s['percent']} %"
                    for s in subjects
                ),
            )
            for _ in range(20):  # warm-up: prepared statements, caches
                await c.get(url, headers=headers)
            times = []
            cpu = time.process_time()
            for _ in range(requests):
                started = time.perf_counter()
                r = await c.get(url, headers=headers)
                times.append((time.perf_counter() - started) * 1000)
                assert r.status_code == 200
            # The application's own CPU per request (this process: the app and the
            # in-process client), which the machine's load does not inflate much.
            per_request = (time.process_time() - cpu) / requests * 1000
            print(f"  {username}: {per_request:.1f} ms of Python CPU a request")
    return times


async def main(requests: int) -> None:
    import pgserver

    with tempfile.TemporaryDirectory(prefix="skolebro-bench-") as tmp:
        server = pgserver.get_server(Path(tmp) / "pgdata", cleanup_mode="stop")
        try:
            dsn = server.get_uri()
            lessons = await seed(dsn)
            print(f"pupil.vg: 12 subjects, {lessons} missed lessons from 2026-08-17 to {NOW.date()}")
            results = {
                "the summary query alone": await measure_query(dsn, requests),
                "a staff read's audit row alone (commit)": await measure_audit(dsn, requests),
                "GET as guardian.vg": await measure(dsn, Path(tmp), requests, "guardian.vg"),
                "GET as teacher.vg1a (staff read: + audit row)": await measure(
                    dsn, Path(tmp), requests, "teacher.vg1a"
                ),
            }
        finally:
            server.cleanup()
    for name, raw in results.items():
        times = sorted(raw)
        p50 = statistics.median(times)
        p95 = times[int(len(times) * 0.95) - 1]
        print(
            f"{name} x{len(times)}: p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {times[-1]:.1f} ms"
            " (target p95 <= 20 ms)"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    asyncio.run(main(parser.parse_args().requests))
