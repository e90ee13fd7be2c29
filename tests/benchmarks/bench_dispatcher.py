"""Benchmark (b): the dispatcher pushing N deliveries to the local fake FCM.

    python tests/benchmarks/bench_dispatcher.py [--count 100000] [--cases 1000]

Starts the fake FCM (HTTP/2 over TLS, hypercorn) in a process of its own, an
embedded PostgreSQL (or uses --dsn / TEST_DATABASE_URL), queues ``count``
deliveries through ``notify`` (half as many people, two phones each), runs
the real dispatcher with the real firebase-admin until all are sent, and
prints deliveries/s. It then drives the same fake server directly (httpx
over HTTP/2, and aiohttp over HTTP/1.1, many requests in flight) for the
raw send rate: the ceiling the dispatcher is compared against.

Then the missing-pupil path end to end: ``--cases`` pupils absent
at once, two guardians with a phone and a mobile number each. It times
"sought" (the sweep's seek step) until every guardian's urgent push has been
accepted by the fake FCM, and then the SMS step of the ladder: every
guardian's text handed to a local Twilio stand-in (SMS sends/s).

Not collected by pytest (the file is named bench_*, not test_*).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from datetime import time as dt_time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402

from backend.db.migrate import apply_migrations  # noqa: E402
from backend.db.pool import _init_connection, create_pool  # noqa: E402
from backend.lib.clock import Clock  # noqa: E402
from notifications.dispatcher import Dispatcher, DispatcherConfig  # noqa: E402
from notifications.outbox import notify  # noqa: E402
from notifications.transports import FcmTransport  # noqa: E402

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def start_fake_fcm(server: str) -> tuple[subprocess.Popen[str], dict[str, str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.fcm", "--server", server],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        raise SystemExit("the fake FCM did not start")
    return proc, json.loads(line)


def start_database(dsn: str | None, folder: Path) -> str:
    if dsn:
        return dsn
    import pgserver

    server = pgserver.get_server(folder / "pgdata", cleanup_mode="stop")
    return str(server.get_uri())


async def fresh_database(server_dsn: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    name = f"bench_push_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(server_dsn)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    dsn = urlunsplit(urlsplit(server_dsn)._replace(path=f"/{name}"))
    conn = await asyncpg.connect(dsn)
    try:
        await _init_connection(conn)
        await apply_migrations(conn)
    finally:
        await conn.close()
    return dsn


async def enqueue(dsn: str, count: int) -> float:
    """Queue ``count`` deliveries the way the product does: notify() per event."""
    conn = await asyncpg.connect(dsn)
    await _init_connection(conn)
    try:
        people = [uuid.uuid4() for _ in range((count + 1) // 2)]
        await conn.copy_records_to_table(
            "people", columns=["id", "name"], records=[(p, f"Foresatt {i}") for i, p in enumerate(people)]
        )
        devices = []
        for i, p in enumerate(people):
            for phone in range(2 if 2 * i + 1 < count else 1):
                devices.append(
                    (uuid.uuid4(), p, f"tok-{i}-{phone}-{uuid.uuid4().hex[:12]}", "android", NOW, NOW)
                )
        await conn.copy_records_to_table(
            "devices",
            columns=["id", "person_id", "token", "platform", "created_at", "last_seen_at"],
            records=devices,
        )
        started = time.perf_counter()
        step = 5000
        for i in range(0, len(people), step):
            async with conn.transaction():
                await notify(
                    conn,
                    recipients=people[i : i + step],
                    kind="still_sick",
                    data={"pupil_id": uuid.uuid4()},
                    params={"pupil": "Ola"},
                    now=NOW,
                )
        return time.perf_counter() - started
    finally:
        await conn.close()


async def dispatch_all(dsn: str, fake: dict[str, str], args: argparse.Namespace) -> float:
    if args.processes <= 1:
        return await run_dispatcher(dsn, fake, args)
    spec = json.dumps({"dsn": dsn, "fake": fake})
    flags = [
        "--chunk-size",
        str(args.chunk_size),
        "--in-flight",
        str(args.in_flight),
        "--workers",
        str(args.workers),
        "--worker",
        spec,
    ]
    started = time.perf_counter()
    procs = [
        await asyncio.create_subprocess_exec(sys.executable, __file__, *flags) for _ in range(args.processes)
    ]
    await asyncio.gather(*(p.wait() for p in procs))
    elapsed = time.perf_counter() - started
    conn = await asyncpg.connect(dsn)
    try:
        rows = dict(await conn.fetch("SELECT status, count(*) FROM deliveries GROUP BY status"))
    finally:
        await conn.close()
    print(f"  deliveries by status: {rows} ({args.processes} dispatcher processes)")
    return elapsed


async def run_dispatcher(
    dsn: str, fake: dict[str, str], args: argparse.Namespace, quiet: bool = False
) -> float:
    pool = await create_pool(dsn, min_size=2, max_size=8)
    transport = FcmTransport(
        fake["service_account"],
        endpoint=fake["endpoint"],
        ca_file=fake["ca_file"],
        timeout=30.0,
    )
    config = DispatcherConfig(chunk_size=args.chunk_size, max_in_flight=args.in_flight, workers=args.workers)
    clock = Clock(NOW)
    dispatcher = Dispatcher(pool, transport, clock.now, config)
    try:
        await transport.prepare()  # the first OAuth token is not part of the rate
        started = time.perf_counter()
        retried = 0
        while True:
            stats = await dispatcher.run_once()
            retried += stats.retried + stats.rate_limited
            async with pool.acquire() as conn:
                # Only this process's retries; rows other processes are sending
                # are theirs to finish.
                next_due = await conn.fetchval("SELECT min(due_at) FROM deliveries WHERE status = 'pending'")
            if next_due is None:
                break
            # Retries wait for their backoff on the injected clock, not in real time.
            clock.set(max(clock.now(), next_due))
        elapsed = time.perf_counter() - started
        async with pool.acquire() as conn:
            rows = dict(await conn.fetch("SELECT status, count(*) FROM deliveries GROUP BY status"))
            errors = await conn.fetch(
                "SELECT split_part(last_error, ':', 1) AS error, count(*) FROM deliveries"
                " WHERE last_error IS NOT NULL GROUP BY 1"
            )
        if not quiet:
            print(
                f"  deliveries by status: {rows}; {retried} sends retried"
                + (f" ({', '.join(f'{e[0]}: {e[1]}' for e in errors)})" if errors else "")
            )
        return elapsed
    finally:
        await transport.close()
        await pool.close()


async def seed_cases(dsn: str, cases: int) -> None:
    """One school, ``cases`` pupils in classes of 20, two guardians each with a phone and a mobile,
    and a pending missing-pupil case per pupil whose seek time has come."""
    from backend.roster.demo import school_year_of

    conn = await asyncpg.connect(dsn)
    await _init_connection(conn)
    try:
        school, year, teacher = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        starts, ends = school_year_of(NOW.date())
        await conn.execute(
            "INSERT INTO schools (id, name, office_phone) VALUES ($1, 'Benk skule', '+4757000000')", school
        )
        await conn.execute(
            "INSERT INTO school_years (id, school_id, name, starts_on, ends_on)"
            " VALUES ($1, $2, 'år', $3, $4)",
            year,
            school,
            starts,
            ends,
        )
        classes = [uuid.uuid4() for _ in range((cases + 19) // 20)]
        await conn.copy_records_to_table(
            "classes",
            columns=["id", "school_id", "school_year_id", "name", "grade"],
            records=[(c, school, year, f"{i}A", 3) for i, c in enumerate(classes)],
        )
        people, enrolments, relations, devices, missing = [(teacher, "Lærar", None, None)], [], [], [], []
        for i in range(cases):
            pupil = uuid.uuid4()
            people.append((pupil, f"Elev {i}", None, None))
            enrolments.append((classes[i // 20], pupil, school))
            for g in range(2):
                guardian = uuid.uuid4()
                people.append((guardian, f"Foresatt {i}-{g}", f"+474{i:05d}{g:02d}", None))
                relations.append((guardian, pupil, "full"))
                devices.append(
                    (uuid.uuid4(), guardian, f"case-{i}-{g}-{uuid.uuid4().hex[:8]}", "ios", NOW, NOW)
                )
            missing.append((uuid.uuid4(), school, classes[i // 20], pupil, NOW.date(), "08:40", teacher, NOW))
        await conn.copy_records_to_table("people", columns=["id", "name", "mobile", "email"], records=people)
        await conn.copy_records_to_table(
            "class_enrollments", columns=["class_id", "pupil_id", "school_id"], records=enrolments
        )
        await conn.copy_records_to_table(
            "guardian_relations", columns=["guardian_id", "pupil_id", "access"], records=relations
        )
        await conn.copy_records_to_table(
            "devices",
            columns=["id", "person_id", "token", "platform", "created_at", "last_seen_at"],
            records=devices,
        )
        await conn.executemany(
            "INSERT INTO missing_cases (id, school_id, class_id, pupil_id, day, missing_from, status,"
            " opened_by, opened_at) VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8)",
            [(*m[:5], dt_time(8, 40), *m[6:]) for m in missing],
        )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


def start_fake_twilio() -> tuple[subprocess.Popen[str], dict[str, str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.sms_provider"], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        raise SystemExit("the fake Twilio did not start")
    return proc, json.loads(line)


async def missing_pupils(dsn: str, fake: dict[str, str], args: argparse.Namespace) -> None:
    import logging
    from datetime import timedelta

    from backend.missing import ladder
    from backend.missing import sweep as missing
    from notifications.channels import Channels
    from notifications.mail import LogMail
    from notifications.sms import TwilioSms

    # One log line per case and step is right in production, noise here.
    logging.getLogger("skolebro").setLevel(logging.ERROR)
    print(f"missing-pupil path: {args.cases:,} cases sought at once, 2 guardians each ...")
    await seed_cases(dsn, args.cases)
    # NOW is 09:00 in Oslo: every case is past its seek time (first lesson, 08:30).
    pool = await create_pool(dsn, min_size=2, max_size=8)
    transport = FcmTransport(
        fake["service_account"],
        endpoint=fake["endpoint"],
        ca_file=fake["ca_file"],
        timeout=30.0,
    )
    clock = Clock(NOW)
    dispatcher = Dispatcher(
        pool,
        transport,
        clock.now,
        DispatcherConfig(chunk_size=args.chunk_size, max_in_flight=args.in_flight, workers=args.workers),
    )
    try:
        await transport.prepare()  # a running dispatcher already holds a token
        started = time.perf_counter()
        async with pool.acquire() as conn, conn.transaction():
            sought = await missing.seek_due(conn, clock.now())
        seek_s = time.perf_counter() - started
        await dispatcher.run_once()
        elapsed = time.perf_counter() - started
        async with pool.acquire() as conn:
            pushed = await conn.fetchval("SELECT count(*) FROM deliveries WHERE status = 'sent' AND urgent")
        print(
            f"  sought {sought['sought']:,} cases in {seek_s:.2f} s; every guardian pushed "
            f"({pushed:,} urgent pushes) {elapsed:.2f} s after 'sought' (goal <= 5 s)"
        )
    finally:
        await transport.close()

    twilio_proc, twilio = start_fake_twilio()
    try:
        later = NOW + timedelta(minutes=6)
        async with pool.acquire() as conn, conn.transaction():
            climbed = await ladder.climb(conn, later)
        channels = Channels(
            sms=TwilioSms(twilio["account_sid"], twilio["auth_token"], "Skolebro", api_url=twilio["url"]),
            mail=LogMail(),
        )
        started = time.perf_counter()
        handed = await ladder.send_queued(pool, later, channels)
        elapsed = time.perf_counter() - started
        print(
            f"  SMS step: {climbed['sms_queued']:,} texts queued, {handed['sms_sent']:,} handed to the "
            f"fake Twilio in {elapsed:.2f} s = {handed['sms_sent'] / elapsed:,.0f} SMS sends/s "
            f"({handed['retried']} retried, {handed['failed']} failed)"
        )
    finally:
        twilio_proc.terminate()
        twilio_proc.wait(10)
        await pool.close()


def access_token(fake: dict[str, str]) -> str:
    import google.auth.transport.requests
    import requests
    from google.oauth2 import service_account

    cred = service_account.Credentials.from_service_account_file(
        fake["service_account"], scopes=["https://www.googleapis.com/auth/firebase.messaging"]
    )
    cred.refresh(google.auth.transport.requests.Request(session=requests.Session()))
    return str(cred.token)


def _body(i: int) -> dict[str, object]:
    return {
        "message": {
            "token": f"raw-{i}",
            "notification": {"title": "T", "body": "B"},
            "data": {"kind": "still_sick"},
            "android": {"priority": "normal"},
        }
    }


async def raw_httpx_h2(fake: dict[str, str], token: str, count: int, concurrency: int) -> float:
    import ssl

    import httpx

    url = f"{fake['endpoint']}/v1/projects/{fake['project']}/messages:send"
    headers = {"authorization": f"Bearer {token}"}
    gate = asyncio.Semaphore(concurrency)
    errors = 0
    async with httpx.AsyncClient(
        http2=True, verify=ssl.create_default_context(cafile=fake["ca_file"]), timeout=30
    ) as client:

        async def one(i: int) -> None:
            nonlocal errors
            async with gate:
                try:
                    r = await client.post(url, json=_body(i), headers=headers)
                    errors += r.status_code != 200
                except httpx.HTTPError:
                    errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(count)))
        elapsed = time.perf_counter() - started
    if errors:
        print(f"  (httpx h2: {errors} errors)")
    return count / elapsed


async def raw_aiohttp(fake: dict[str, str], token: str, count: int, concurrency: int) -> float:
    import ssl

    import aiohttp

    url = f"{fake['endpoint']}/v1/projects/{fake['project']}/messages:send"
    headers = {"authorization": f"Bearer {token}"}
    ctx = ssl.create_default_context(cafile=fake["ca_file"])
    errors = 0
    connector = aiohttp.TCPConnector(limit=concurrency, ssl=ctx)
    async with aiohttp.ClientSession(connector=connector) as session:
        gate = asyncio.Semaphore(concurrency)

        async def one(i: int) -> None:
            nonlocal errors
            async with gate, session.post(url, json=_body(i), headers=headers) as r:
                await r.read()
                errors += r.status != 200

        started = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(count)))
        elapsed = time.perf_counter() - started
    if errors:
        print(f"  (aiohttp: {errors} errors)")
    return count / elapsed


def stats(fake: dict[str, str]) -> dict[str, object]:
    import httpx

    with httpx.Client(verify=fake["ca_file"]) as client:
        return dict(client.get(f"{fake['endpoint']}/_stats").json())


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--cases", type=int, default=1000, help="simultaneous missing-pupil cases")
    parser.add_argument("--chunk-size", type=int, default=DispatcherConfig.chunk_size)
    parser.add_argument("--in-flight", type=int, default=DispatcherConfig.max_in_flight)
    parser.add_argument("--workers", type=int, default=DispatcherConfig.workers)
    parser.add_argument(
        "--processes", type=int, default=1, help="dispatchers in separate processes, sharing the queue"
    )
    parser.add_argument("--raw-count", type=int, default=20_000)
    parser.add_argument(
        "--fake-server",
        choices=["auto", "hypercorn", "uvicorn"],
        default="auto",
        help="the fake FCM's server; auto: uvicorn (HTTP/1.1, faster than the dispatcher)",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # JSON: dsn and fake, internal
    parser.add_argument("--dsn", default=os.environ.get("TEST_DATABASE_URL"))
    args = parser.parse_args()
    if args.worker:  # one of several dispatcher processes
        spec = json.loads(args.worker)
        await run_dispatcher(spec["dsn"], spec["fake"], args, quiet=True)
        return

    server = args.fake_server
    if server == "auto":
        server = "uvicorn"
    print(f"fake FCM served by {server}")
    fake_proc, fake = start_fake_fcm(server)
    folder = Path(tempfile.mkdtemp(prefix="bench-push-"))
    try:
        dsn = await fresh_database(start_database(args.dsn, folder))
        print(f"queueing {args.count:,} deliveries through notify() ...")
        queued = await enqueue(dsn, args.count)
        print(f"  queued in {queued:.1f} s ({args.count / queued:,.0f} deliveries/s)")
        print(
            f"dispatching (firebase-admin's encoding over aiohttp HTTP/1.1, chunk "
            f"{args.chunk_size}, {args.in_flight} in flight, {args.workers} workers) ..."
        )
        elapsed = await dispatch_all(dsn, fake, args)
        seen = stats(fake)
        print(f"  fake FCM: {seen}")
        print(
            f"dispatcher: {args.count:,} deliveries in {elapsed:.1f} s = "
            f"{args.count / elapsed:,.0f} deliveries/s"
        )
        assert seen["delivered"] >= args.count, seen

        token = await asyncio.to_thread(access_token, fake)
        h2 = await raw_httpx_h2(fake, token, args.raw_count, 50)
        h1 = await raw_aiohttp(fake, token, args.raw_count, 50)
        print(
            f"ceiling, same fake server driven directly ({args.raw_count:,} sends, 50 in "
            f"flight): httpx HTTP/2 {h2:,.0f}/s, aiohttp HTTP/1.1 {h1:,.0f}/s"
        )
        if args.cases:
            await missing_pupils(await fresh_database(start_database(args.dsn, folder)), fake, args)
    finally:
        fake_proc.terminate()
        fake_proc.wait(10)


if __name__ == "__main__":
    try:  # the service runs on uvloop too (uvicorn's default when installed)
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(main())
