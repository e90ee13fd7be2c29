"""Benchmark: the 09:00 reminder job for a nation-sized roster.

Generates 2,600 schools and 40,000 classes of 20 pupils (800,000 pupils),
each class with a contact teacher and a class-team member who have a push
device, 5 % of pupils with a sick report for the day, straight into a fresh
database on the embedded PostgreSQL with COPY. Then times the
``absence-check-reminders`` job at 09:00 computing and enqueueing every
reminder (inbox rows and deliveries), and an idle tick afterwards (what
every later minute until the grace window closes costs).

Run:  .venv/bin/python -m tests.benchmarks.bench_reminders [--schools N --classes N]
Not collected by pytest (no test_ prefix).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import asyncpg

from backend.db.migrate import apply_migrations
from backend.db.pool import _init_connection, create_pool
from backend.jobs.routine import absence_check_reminders

DAY = date(2026, 11, 23)  # a Monday
NINE = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # 09:00 in Oslo
PUPILS_PER_CLASS = 20


async def generate(conn: asyncpg.Connection, schools: int, classes: int) -> dict[str, int]:
    rng = random.Random(2026)
    school_rows, year_rows, class_rows, people, staff, enroll, devices, reports = (
        [],
        [],
        [],
        [],
        [],
        [],
        [],
        [],
    )
    school_ids = [uuid.uuid4() for _ in range(schools)]
    year_of = {}
    for i, sid in enumerate(school_ids):
        school_rows.append((sid, f"Skole {i}"))
        yid = uuid.uuid4()
        year_of[sid] = yid
        year_rows.append((yid, sid, "2026–2027", date(2026, 8, 15), date(2027, 6, 20)))
        leader = uuid.uuid4()
        people.append((leader, f"Rektor {i}", None))
        staff.append((uuid.uuid4(), leader, sid, yid, "school_leader", None))
    now = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    for n in range(classes):
        sid = school_ids[n % schools]
        cid = uuid.uuid4()
        grade = 1 + n % 10
        class_rows.append((cid, sid, year_of[sid], f"{grade}{chr(65 + (n // schools) % 26)}", grade))
        for role in ("contact_teacher", "class_team"):
            pid = uuid.uuid4()
            people.append((pid, f"Lærer {n} {role}", None))
            staff.append((uuid.uuid4(), pid, sid, year_of[sid], role, cid))
            devices.append((uuid.uuid4(), pid, f"tok-{pid}", "android", now, now))
        for _ in range(PUPILS_PER_CLASS):
            pid = uuid.uuid4()
            people.append((pid, f"Elev {n}", date(2026 - 6 - grade, 5, 5)))
            enroll.append((cid, pid, sid))
            if rng.random() < 0.05:
                reports.append((uuid.uuid4(), sid, pid, DAY, DAY, "sick", now, pid, now, False))
    await conn.copy_records_to_table("schools", records=school_rows, columns=["id", "name"])
    await conn.copy_records_to_table(
        "school_years", records=year_rows, columns=["id", "school_id", "name", "starts_on", "ends_on"]
    )
    await conn.copy_records_to_table("people", records=people, columns=["id", "name", "birth_date"])
    await conn.copy_records_to_table(
        "classes", records=class_rows, columns=["id", "school_id", "school_year_id", "name", "grade"]
    )
    await conn.copy_records_to_table(
        "staff_assignments",
        records=staff,
        columns=["id", "person_id", "school_id", "school_year_id", "role", "class_id"],
    )
    await conn.copy_records_to_table(
        "class_enrollments", records=enroll, columns=["class_id", "pupil_id", "school_id"]
    )
    await conn.copy_records_to_table(
        "devices",
        records=devices,
        columns=["id", "person_id", "token", "platform", "created_at", "last_seen_at"],
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
    await conn.execute("ANALYZE")
    return {
        "schools": schools,
        "classes": classes,
        "people": len(people),
        "pupils": len(enroll),
        "devices": len(devices),
        "reports": len(reports),
    }


async def main(schools: int, classes: int) -> None:
    import pgserver

    with tempfile.TemporaryDirectory(prefix="skolebro-bench-") as tmp:
        server = pgserver.get_server(Path(tmp) / "pgdata", cleanup_mode="stop")
        try:
            await run(str(server.get_uri()), schools, classes)
        finally:
            # Stop the server before its data folder is removed.
            server.cleanup()


async def run(dsn: str, schools: int, classes: int) -> None:
    conn = await asyncpg.connect(dsn)
    await _init_connection(conn)
    await apply_migrations(conn)
    started = time.perf_counter()
    sizes = await generate(conn, schools, classes)
    print(f"generated {sizes} in {time.perf_counter() - started:.1f}s")
    await conn.close()
    pool = await create_pool(dsn, min_size=2, max_size=10)
    try:
        started = time.perf_counter()
        effects = await absence_check_reminders(pool, NINE)
        first = time.perf_counter() - started
        async with pool.acquire() as c:
            inbox = await c.fetchval("SELECT count(*) FROM notifications")
            queued = await c.fetchval("SELECT count(*) FROM deliveries")
        print(f"09:00 reminders: {effects} -> {inbox} inbox rows, {queued} deliveries in {first:.2f}s")
        started = time.perf_counter()
        idle = await absence_check_reminders(pool, NINE.replace(minute=1))
        print(f"09:01 idle tick: {idle} in {time.perf_counter() - started:.2f}s")
    finally:
        await pool.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=2600)
    parser.add_argument("--classes", type=int, default=40000)
    args = parser.parse_args()
    asyncio.run(main(args.schools, args.classes))
