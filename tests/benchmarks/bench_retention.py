"""Benchmark: the retention run over a big history, and what the morning mix feels of it.

    python -m tests.benchmarks.bench_retention [--inbox 2000000] [--seconds 20]

Needs only Python (an embedded PostgreSQL in a temporary folder, or a fresh
database on ``DATABASE_URL``); ``wrk`` is used for the load when installed.

1. migrates, seeds the demo school plus ``--extra-pupils`` pupils with a
   guardian each and a term of absence reports (bench_api.prepare_database);
2. writes a history behind 23 November 2026: ``--inbox`` inbox items spread
   evenly over the past ``--history-days`` days for every guardian and staff
   member, one sent push delivery each, ``--audit`` audit entries,
   ``--threads`` threads of two messages and a contact row per 100 inbox items;
   then VACUUM ANALYZE;
3. starts ``skolebro serve`` (no scheduler, no dispatcher) and runs the morning
   mix of bench_api (60 % GET /me, 15 % absence-report lists, 10 % boards, 5 %
   inbox, 10 % absence POSTs) for ``--seconds``: the baseline;
4. runs the mix again while ``skolebro retention run`` erases everything past
   its default period in the same seconds (started together), and reports the
   retention run's wall time (to its end, however long), what it erased, and
   the mix's p50/p99 with and without it.

Not a pytest test (tests/benchmarks/conftest.py ignores bench_*.py).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.benchmarks import bench_api as api

HISTORY = """
WITH people_now AS (
    SELECT id, row_number() OVER (ORDER BY id) - 1 AS k, count(*) OVER () AS n FROM people
), items AS (
    SELECT gen_random_uuid() AS id, p.id AS person_id, i,
           $1::timestamptz - (i % $3) * interval '1 day' - (i % 600) * interval '1 minute' AS at
    FROM generate_series(0, $2 - 1) AS i
    JOIN people_now p ON p.k = i % p.n
), n AS (
    INSERT INTO notifications (id, person_id, kind, title, body, data, created_at, read_at)
    SELECT id, person_id, 'message', 'Ny melding', 'Du har en ny melding', '{}'::jsonb, at, at
    FROM items RETURNING id, created_at
)
INSERT INTO deliveries (notification_id, token, status, due_at, sent_at, created_at)
SELECT id, 'bench-token', 'sent', created_at, created_at, created_at FROM n
"""

AUDIT = """
INSERT INTO audit_log (school_id, actor_id, pupil_id, action, at)
SELECT $1, $2, e.pupil_id, 'absence_reports.read', $3::timestamptz - (i % 1500) * interval '1 day'
FROM generate_series(0, $4 - 1) AS i
JOIN (SELECT pupil_id, row_number() OVER (ORDER BY pupil_id) - 1 AS k, count(*) OVER () AS n
      FROM class_enrollments) e ON e.k = i % e.n
"""

THREADS = """
WITH t AS (
    INSERT INTO message_threads (id, school_id, pupil_id, subject, created_by, created_at, last_message_at)
    SELECT gen_random_uuid(), $1, e.pupil_id, 'Spørsmål', $2,
           $3::timestamptz - (i % 700) * interval '1 day', $3::timestamptz - (i % 700) * interval '1 day'
    FROM generate_series(0, $4 - 1) AS i
    JOIN (SELECT pupil_id, row_number() OVER (ORDER BY pupil_id) - 1 AS k, count(*) OVER () AS n
          FROM class_enrollments) e ON e.k = i % e.n
    RETURNING id, school_id, created_at
)
INSERT INTO messages (id, thread_id, school_id, sender_id, body, sent_at)
SELECT gen_random_uuid(), t.id, t.school_id, $2, 'Hei!', t.created_at FROM t, generate_series(1, 2)
"""

CONTACTS = """
INSERT INTO contact_attempts (case_id, school_id, guardian_id, channel, stage, status, address,
                              attempts, created_at, updated_at)
SELECT $1, $2, $3, 'sms', 'sought', 'delivered', '+4740000001', 1,
       $4::timestamptz - (i % 700) * interval '1 day', $4::timestamptz - (i % 700) * interval '1 day'
FROM generate_series(0, $5 - 1) AS i
"""

OPEN_CASE = """
INSERT INTO missing_cases (id, school_id, class_id, pupil_id, day, missing_from, status, opened_by, opened_at)
SELECT gen_random_uuid(), ce.school_id, ce.class_id, ce.pupil_id, date '2025-11-24', time '08:30',
       'pending', $1, $2::timestamptz - interval '365 days'
FROM class_enrollments ce LIMIT 1 RETURNING id, school_id
"""


async def write_history(dsn: str, args: argparse.Namespace) -> dict[str, int]:
    import asyncpg

    from backend.roster.demo import demo_id

    school = demo_id("school")
    leader = demo_id("person:leader")
    hansen = demo_id("person:guardian.hansen")
    now = api.BENCH_NOW
    conn = await asyncpg.connect(dsn)
    try:
        step = 250_000
        for start in range(0, args.inbox, step):
            await conn.execute(HISTORY, now, min(step, args.inbox - start), args.history_days)
            print(f"  inbox items and deliveries: {start + min(step, args.inbox - start):,}", flush=True)
        for start in range(0, args.audit, step):
            await conn.execute(AUDIT, school, leader, now, min(step, args.audit - start))
        await conn.execute(THREADS, school, hansen, now, args.threads)
        case = await conn.fetchrow(OPEN_CASE, leader, now)
        await conn.execute(CONTACTS, case["id"], case["school_id"], hansen, now, args.inbox // 100)
        await conn.execute("VACUUM ANALYZE")
        counts = {}
        for table in (
            "notifications",
            "deliveries",
            "audit_log",
            "message_threads",
            "messages",
            "contact_attempts",
        ):
            counts[table] = await conn.fetchval(f"SELECT count(*) FROM {table}")
        return counts
    finally:
        await conn.close()


def mix_spec(args: argparse.Namespace, base: str, requests: list[Any]) -> dict[str, Any]:
    return {
        "connections": args.connections,
        "seconds": args.seconds,
        "warmup": args.warmup,
        "client": args.client,
        "base": base,
        "cycle": False,
        "profile": None,
        "requests": requests,
    }


async def orchestrate(args: argparse.Namespace) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="skolebro-bench-retention-"))
    dsn, cleanup = await api.start_database(workdir)
    try:
        t0 = time.perf_counter()
        pairs = await api.prepare_database(dsn, args.extra_pupils)
        print(
            f"roster ready: {len(pairs)} pupils with guardians ({time.perf_counter() - t0:.0f} s)", flush=True
        )
        t0 = time.perf_counter()
        counts = await write_history(dsn, args)
        print(
            "history written ("
            + ", ".join(f"{k} {v:,}" for k, v in counts.items())
            + f") in {time.perf_counter() - t0:.0f} s",
            flush=True,
        )
        postmaster = await api.postmaster_pid(dsn)
        env = api.server_env(dsn, workdir, args.pool_size)
        port = api.free_port()
        base = f"http://127.0.0.1:{port}"
        proc = api.start_process(
            [
                sys.executable,
                "-m",
                "backend.app.cli",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--no-scheduler",
                "--no-dispatcher",
            ],
            env,
        )
        days = api.school_days(api.BENCH_NOW.date())
        needed = int(3000 * (args.seconds + args.warmup))
        try:
            await api.wait_ready(f"{base}/health", proc)
            logins = sorted({g for _, g in pairs} | {t for _, t in api.TEACHERS})
            tokens = await api.dev_login_all(base, logins)
            posts = api.post_requests(pairs, days, tokens)
            half = len(posts) // 2
            baseline = api.run_driver(
                mix_spec(
                    args, base, api.mix_requests(posts[:half], pairs, tokens, api.BENCH_NOW.date(), needed)
                ),
                workdir,
                proc.pid,
                postmaster,
            )
            retention_env = {
                **env,
                "SKOLEBRO_RETENTION_BATCH": str(args.batch),
                "SKOLEBRO_RETENTION_PAUSE_MS": str(args.pause_ms),
            }
            started = time.perf_counter()
            # Its output is a dozen lines: the pipe never fills while the driver blocks.
            job = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "backend.app.cli",
                "retention",
                "run",
                "--at",
                api.BENCH_NOW.isoformat(),
                env=retention_env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            during = api.run_driver(
                mix_spec(
                    args, base, api.mix_requests(posts[half:], pairs, tokens, api.BENCH_NOW.date(), needed)
                ),
                workdir,
                proc.pid,
                postmaster,
            )
            out_b, err_b = await job.communicate()
            out, err = out_b.decode(), err_b.decode()
            took = time.perf_counter() - started
        finally:
            api.stop(proc)
        if job.returncode != 0:
            print(err, file=sys.stderr)
            return 1
        print(f"\nretention run (skolebro retention run, batch {args.batch:,}, pause {args.pause_ms} ms):")
        print(out.rstrip())
        print(f"wall time: {took:.1f} s (goal <= 300 s)")
        print(
            f"\n{'morning mix':<34} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9} {'requests':>9}"
            f" {'app cpu':>9} {'db cpu':>9} {'load cpu':>9}"
        )
        for name, r in (("without retention", baseline), ("while retention runs", during)):
            print(api.Figures(name, r).line())
        ratio = during["p99_ms"] / baseline["p99_ms"] if baseline["p99_ms"] else float("nan")
        print(
            f"p99 with / without: {ratio:.2f} (goal <= 1.20);"
            f" the mix ran {args.seconds:.0f} s of the run's {took:.0f} s"
        )
        print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        return 0
    finally:
        await cleanup()
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> int:
    from backend.app.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inbox", type=int, default=2_000_000, help="inbox items (each with a delivery)")
    parser.add_argument("--audit", type=int, default=1_000_000, help="audit entries over four years")
    parser.add_argument("--threads", type=int, default=100_000, help="threads of two messages over two years")
    parser.add_argument("--history-days", type=int, default=365, help="days the inbox history spans")
    parser.add_argument("--extra-pupils", type=int, default=2000, help="pupils added to the demo school")
    parser.add_argument("--batch", type=int, default=5000, help="SKOLEBRO_RETENTION_BATCH")
    parser.add_argument("--pause-ms", type=int, default=25, help="SKOLEBRO_RETENTION_PAUSE_MS")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds of each mix")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--client", choices=("auto", "aiohttp", "wrk"), default="auto")
    parser.add_argument("--pool-size", type=int, default=Settings().database.pool_max_size)
    args = parser.parse_args()
    return asyncio.run(orchestrate(args))


if __name__ == "__main__":
    raise SystemExit(main())
