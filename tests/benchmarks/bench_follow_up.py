"""Benchmark: the nightly ``absence-follow-up`` job over an Oslo-size roster with a term of absence.

Generates the roster of ``bench_roster.py`` (180 schools under one district,
90,000 pupils in classes of 20, 12,000 staff; guardians are not needed here, so
by default 1 per 6 pupils) and imports it with the real command line into a fresh
embedded PostgreSQL. Then writes an autumn term of absence, 17 August to 23
November 2026, with a seeded random generator:

- about 40 % of pupils have up to four sick spells of 1–3 days (absence reports),
- 3 % are away on Mondays in three weeks out of six (the same-weekday pattern),
- 2 % have three unexplained roll-call absences (marked absent, no report),
- 1 % have approved leave for a week (not absence),

and runs the job as at Monday 23 November 2026, 20:00 in Oslo, every school's
night at once, then again (the night is claimed: nothing more is done). Prints
the rows written, the follow-ups opened and the wall time of each run.

Goal: the job <= 60 s at Oslo size on this (2-core, shared) machine.

Run:  .venv/bin/python -m tests.benchmarks.bench_follow_up [--schools 180 --pupils 90000]
Not collected by pytest (no test_ prefix).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from backend.db.pool import create_pool
from backend.jobs.registry import run_job
from tests.benchmarks.bench_roster import generate, run_import

# Monday 23 November 2026, 20:00 in Oslo.
EVENING = datetime(2026, 11, 23, 19, 0, tzinfo=UTC)

# A term of absence, set-based. School days are weekdays from 17 August; the job
# itself skips holidays and closed days. Spells fall in different weeks of a pupil's
# own, so no two of their reports overlap.
ABSENCE = """
-- The overlap guard takes a lock per report: 90,000 pupils' term in one transaction
-- would run out of lock slots. The spells below never overlap, so it is off meanwhile.
ALTER TABLE absence_reports DISABLE TRIGGER absence_reports_no_overlap;
SELECT setseed(0.2026);
CREATE TEMP TABLE bench_pupils AS
SELECT ce.pupil_id, ce.class_id, ce.school_id, random() AS r
FROM class_enrollments ce;

-- Sick spells: weeks 1, 5, 9, 13 of the term, each with probability 0.4 for the 40 %.
INSERT INTO absence_reports (id, school_id, pupil_id, first_day, last_day, reason, submitted_at,
                             submitted_by, deadline, late)
SELECT gen_random_uuid(), p.school_id, p.pupil_id, d.first, d.first + (floor(random() * 3))::int,
       'sick', d.first + time '07:00', p.pupil_id, d.first + time '08:30', false
FROM bench_pupils p
CROSS JOIN LATERAL (SELECT date '2026-08-17' + 7 * w + (floor(random() * 3))::int AS first
                    FROM unnest(ARRAY[1, 5, 9, 13]) w WHERE random() < 0.4) d
WHERE p.r < 0.4;

-- Away on Mondays, in weeks 10, 12 and 14 (26 Oct, 9 Nov, 23 Nov): no sick spell there.
INSERT INTO absence_reports (id, school_id, pupil_id, first_day, last_day, reason, submitted_at,
                             submitted_by, deadline, late)
SELECT gen_random_uuid(), p.school_id, p.pupil_id, d, d, 'other', d + time '07:00', p.pupil_id,
       d + time '08:30', false
FROM bench_pupils p CROSS JOIN unnest(ARRAY[date '2026-10-26', date '2026-11-09', date '2026-11-23']) d
WHERE p.r >= 0.4 AND p.r < 0.43;

-- Unexplained: marked absent on three Thursdays, no report.
INSERT INTO attendance_marks (pupil_id, day, school_id, class_id, status, roll_time, marked_by, marked_at)
SELECT p.pupil_id, d, p.school_id, p.class_id, 'absent', '08:30', p.pupil_id, d + time '08:30'
FROM bench_pupils p CROSS JOIN unnest(ARRAY[date '2026-09-03', date '2026-10-08', date '2026-11-12']) d
WHERE p.r >= 0.43 AND p.r < 0.45;

-- Approved leave for a week, with roll call marking the pupil absent: not absence.
INSERT INTO leave_requests (id, school_id, pupil_id, requested_by, first_day, last_day, reason,
                            school_days, status, created_at)
SELECT gen_random_uuid(), p.school_id, p.pupil_id, p.pupil_id, date '2026-11-16', date '2026-11-20',
       'Familie', 5, 'approved', timestamptz '2026-11-01 10:00+01'
FROM bench_pupils p WHERE p.r >= 0.45 AND p.r < 0.46;
INSERT INTO attendance_marks (pupil_id, day, school_id, class_id, status, roll_time, marked_by, marked_at)
SELECT p.pupil_id, d::date, p.school_id, p.class_id, 'absent', '08:30', p.pupil_id, d + time '08:30'
FROM bench_pupils p CROSS JOIN generate_series(date '2026-11-16', date '2026-11-20', interval '1 day') d
WHERE p.r >= 0.45 AND p.r < 0.46;
ALTER TABLE absence_reports ENABLE TRIGGER absence_reports_no_overlap;
ANALYZE absence_reports; ANALYZE attendance_marks; ANALYZE leave_requests;
"""


async def bench(dsn: str) -> None:
    pool = await create_pool(dsn, min_size=2, max_size=4)
    try:
        async with pool.acquire() as conn:
            started = time.perf_counter()
            await conn.execute(ABSENCE)
            counts = await conn.fetchrow(
                "SELECT (SELECT count(*) FROM class_enrollments) AS pupils,"
                " (SELECT count(*) FROM absence_reports) AS reports,"
                " (SELECT count(*) FROM attendance_marks) AS marks,"
                " (SELECT count(*) FROM leave_requests) AS leave"
            )
            print(
                f"a term of absence for {counts['pupils']:,} pupils: {counts['reports']:,} reports, "
                f"{counts['marks']:,} absent marks, {counts['leave']:,} approved leave "
                f"({time.perf_counter() - started:.1f}s)",
                flush=True,
            )
        for label in ("the night's run", "a re-run the same night"):
            started = time.perf_counter()
            effects = await run_job(pool, "absence-follow-up", EVENING)
            print(f"{label:<24} {time.perf_counter() - started:7.1f} s   {effects}", flush=True)
        async with pool.acquire() as conn:
            rules = await conn.fetch(
                "SELECT r->>'rule' AS rule, count(*) AS n FROM follow_ups, jsonb_array_elements(rules) r"
                " GROUP BY 1 ORDER BY 1"
            )
            print("rules met:", ", ".join(f"{r['rule']} {r['n']:,}" for r in rules))
    finally:
        await pool.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=180)
    parser.add_argument("--pupils", type=int, default=90000)
    parser.add_argument("--guardians", type=int, default=15000)
    parser.add_argument("--staff", type=int, default=12000)
    args = parser.parse_args()
    import pgserver

    with tempfile.TemporaryDirectory(prefix="skolebro-bench-follow-up-") as tmp:
        root = Path(tmp)
        bulk = root / "bulk"
        bulk.mkdir()
        started = time.perf_counter()
        sizes = generate(bulk, args.schools, args.pupils, args.guardians, args.staff)
        print(
            f"generated {sizes['rows']:,} rows ({args.schools} schools, {sizes['pupils']:,} pupils, "
            f"{args.staff:,} staff) in {time.perf_counter() - started:.1f}s",
            flush=True,
        )
        server = pgserver.get_server(root / "pgdata", cleanup_mode="stop")
        try:
            dsn = str(server.get_uri())
            elapsed, _, _ = run_import(dsn, bulk, root / "data")
            print(f"roster import {elapsed:.1f}s", flush=True)
            asyncio.run(bench(dsn))
        finally:
            server.cleanup()
    print(f"load average now: {os.getloadavg()}")


if __name__ == "__main__":
    main()
