"""Benchmark: absence POST and GET /me against a bare ASGI ceiling.

    python tests/benchmarks/bench_api.py [--seconds N] [--connections C]

What it does, in one run:

1. starts a real PostgreSQL (embedded pgserver in a temporary folder, or a
   fresh database on the server named by ``DATABASE_URL``), migrates it and
   seeds the demo school plus extra pupils, each with a guardian, so that
   every POST is a different pupil-day, and a term of earlier reports
   (``seed_history``: what an empty table would do to the plans, no school has);
2. serves a *bare* ASGI app (no framework, same asyncpg pool settings) that
   does the same guarded ``INSERT … RETURNING`` into ``absence_reports`` and
   drives it with the load below: that is the ceiling;
3. empties ``absence_reports``, starts the real service the way production
   does (``skolebro serve``: uvicorn, uvloop, httptools, one worker, access
   log off, ``SKOLEBRO_LOG_LEVEL=warning``), signs in every guardian through
   dev-login and drives ``POST /api/v1/pupils/{id}/absence-reports`` (each
   request a different pupil-day, bearer token of that pupil's guardian) and
   then ``GET /api/v1/me``;
4. runs the *morning mix* (a school morning's share of requests) against the same server in one phase:
   60 % ``GET /me``, 15 % ``GET`` absence reports, 10 % board reads by
   contact teachers, 5 % inbox and 10 % absence POSTs (each a new pupil-day);
5. prints requests/s, p50 and p99 for each, CPU per request of the server,
   PostgreSQL and the load generator, the server's resident memory after the
   mix, and POST/ceiling (by requests/s and by CPU per request, the steadier
   figure when the machine is shared).

The load comes from a second process with C concurrent connections: ``wrk``
with a Lua script when it is installed (``apt-get install wrk``; about a fifth
of aiohttp's CPU per request, which matters on two cores), else an aiohttp
client on uvloop (``--client`` chooses). The ceiling row shows what that
client can drive on this machine. The POST phase runs first, so the first
request with each guardian's token pays the Ed25519 check (the app's own
flow, GET /me first, would not). ``--profile DIR`` writes py-spy stacks.

Not a pytest test: the file name does not match ``test_*.py`` and
``tests/benchmarks/conftest.py`` ignores it explicitly.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

# 07:00 in Oslo on Monday 23 November 2026: before the 08:30 deadline, a school day.
BENCH_NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
HORIZON_DAYS = 60  # the contract's "at most 60 days ahead"
EXTRA_CLASS_SIZE = 25
ROOT = Path(__file__).resolve().parents[2]

# The bare handler's statement: the service's overlap-guarded insert, one round trip.
CEILING_INSERT = """
INSERT INTO absence_reports
    (id, school_id, pupil_id, first_day, last_day, from_time, to_time, reason, note,
     submitted_at, submitted_by, deadline, late)
SELECT $1, $2, $3, $4, $4, NULL, NULL, $5, NULL, $6, $7, $6, false
WHERE NOT EXISTS (
    SELECT 1 FROM absence_reports r
    WHERE r.pupil_id = $3 AND r.first_day <= $4 AND r.last_day >= $4
)
RETURNING id
"""


# --------------------------------------------------------------------------------------
# The ceiling: a plain ASGI app, one INSERT per request through the same pool settings.
# --------------------------------------------------------------------------------------


def ceiling_app(dsn: str, school_id: uuid.UUID, submitter: uuid.UUID) -> Any:
    import msgspec

    from backend.app.settings import Settings
    from backend.db.pool import close_pool, create_pool

    settings = Settings.from_env()
    pool: Any = None
    decode = msgspec.json.decode

    async def respond(send: Any, status: int, body: bytes) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def app(scope: Any, receive: Any, send: Any) -> None:
        nonlocal pool
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    pool = await create_pool(
                        dsn,
                        min_size=settings.database.pool_min_size,
                        max_size=settings.database.pool_max_size,
                    )
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await close_pool(pool)
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        path: str = scope["path"]
        if path == "/health":
            await respond(send, 200, b'{"status":"ok"}')
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        # /api/v1/pupils/{pupil_id}/absence-reports
        pupil_id = uuid.UUID(path.split("/")[4])
        data = decode(body)
        now = datetime.now(UTC)
        async with pool.acquire() as conn:
            report_id = await conn.fetchval(
                CEILING_INSERT,
                uuid.uuid4(),
                school_id,
                pupil_id,
                date.fromisoformat(data["first_day"]),
                data["reason"],
                now,
                submitter,
            )
        if report_id is None:
            await respond(send, 409, b'{"code":"absence.overlap"}')
        else:
            await respond(send, 201, b'{"id":"%s"}' % str(report_id).encode())

    return app


def serve_ceiling(args: argparse.Namespace) -> None:
    import uvicorn

    app = ceiling_app(args.dsn, uuid.UUID(args.school), uuid.UUID(args.submitter))
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=args.port,
        loop="uvloop",
        http="httptools",
        workers=1,
        access_log=False,
        log_level="warning",
        lifespan="on",
    )


# --------------------------------------------------------------------------------------
# The load driver: a separate process, aiohttp on uvloop, C connections.
# --------------------------------------------------------------------------------------


async def _drive(spec: dict[str, Any]) -> dict[str, Any]:
    import aiohttp

    requests: list[tuple[str, str, dict[str, str], bytes | None]] = [
        (m, p, h, b.encode() if b is not None else None) for m, p, h, b in spec["requests"]
    ]
    cycle: bool = spec["cycle"]
    connections: int = spec["connections"]
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    errors: Counter[str] = Counter()
    next_index = 0
    completed = 0
    exhausted = False
    connector = aiohttp.TCPConnector(limit=connections, limit_per_host=connections)
    timeout = aiohttp.ClientTimeout(total=30)
    cpu_started = time.process_time()
    async with aiohttp.ClientSession(
        spec["base"], connector=connector, timeout=timeout, skip_auto_headers=("User-Agent",)
    ) as session:
        started = time.perf_counter()
        window_start = started + spec["warmup"]
        window_end = window_start + spec["seconds"]

        async def worker() -> None:
            nonlocal next_index, exhausted, completed
            while time.perf_counter() < window_end:
                i = next_index
                next_index += 1
                if i >= len(requests):
                    if not cycle:
                        exhausted = True
                        return
                    i %= len(requests)
                method, path, headers, body = requests[i]
                t0 = time.perf_counter()
                try:
                    async with session.request(method, path, headers=headers, data=body) as r:
                        await r.read()
                        status = r.status
                except Exception as exc:  # count and go on: a benchmark must finish
                    errors[type(exc).__name__] += 1
                    continue
                t1 = time.perf_counter()
                completed += 1
                # Count what completed inside the measuring window.
                if window_start <= t1 <= window_end:
                    latencies.append(t1 - t0)
                    statuses[status] += 1

        await asyncio.gather(*(worker() for _ in range(connections)))
    latencies.sort()
    n = len(latencies)

    def pct(p: float) -> float:
        return latencies[min(n - 1, int(p * n))] * 1000 if n else float("nan")

    return {
        "requests": n,
        "rps": n / spec["seconds"],
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "errors": dict(errors),
        "exhausted": exhausted,
        "used": min(next_index, len(requests)),
        "completed": completed,
        "client_cpu_ms": 1000 * (time.process_time() - cpu_started) / max(1, completed),
    }


# wrk (C, epoll) as the load instead of aiohttp: far less CPU per request, which matters
# when client, server and database share two cores. Each wrk thread sends its own slice
# of the request list, in order; the counts come back as one JSON line.
WRK_SCRIPT = r"""
local threads, next_id = {}, 1
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end
function init(args)
  local file, nthreads = args[1], tonumber(args[2])
  requests, statuses, wrapped, i = {}, {}, 0, 0
  local n = 0
  for line in io.lines(file) do
    if n % nthreads == id - 1 then
      local method, path, auth, body = line:match("^([^	]*)	([^	]*)	([^	]*)	(.*)$")
      local headers = {}
      if auth ~= "" then headers["Authorization"] = auth end
      if body ~= "" then headers["Content-Type"] = "application/json" else body = nil end
      table.insert(requests, wrk.format(method, path, headers, body))
    end
    n = n + 1
  end
end
function request()
  i = i + 1
  if i > #requests then i, wrapped = 1, wrapped + 1 end
  return requests[i]
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local parts, used, wraps = {}, 0, 0
  local all = {}
  for _, t in ipairs(threads) do
    for code, count in pairs(t:get("statuses")) do all[code] = (all[code] or 0) + count end
    wraps = wraps + t:get("wrapped")
  end
  for code, count in pairs(all) do table.insert(parts, string.format('"%d": %d', code, count)) end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "socket_errors": %d,'
    .. ' "wrapped": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, wraps, table.concat(parts, ", ")))
end
"""


def _drive_wrk(spec: dict[str, Any]) -> dict[str, Any]:
    import resource

    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    threads = min(2, spec["connections"])
    folder = Path(tempfile.mkdtemp(prefix="skolebro-wrk-"))
    script = folder / "requests.lua"
    script.write_text(WRK_SCRIPT)
    lines = ["\t".join((m, p, h.get("authorization", ""), b or "")) for m, p, h, b in spec["requests"]]
    # Warm-up and measurement get separate requests, so no POST repeats a pupil-day;
    # the warm-up's share is generous, what it leaves unused is simply not sent.
    split = 0 if spec["cycle"] else len(lines) * 2 // 5
    warm, measured = (lines, lines) if spec["cycle"] else (lines[:split], lines[split:])
    (folder / "warm.txt").write_text("\n".join(warm) + "\n")
    (folder / "measured.txt").write_text("\n".join(measured) + "\n")

    def run(name: str, seconds: float) -> dict[str, Any]:
        out = subprocess.run(
            [
                wrk,
                "-t",
                str(threads),
                "-c",
                str(spec["connections"]),
                "-d",
                f"{max(1, round(seconds))}s",
                "--timeout",
                "30s",
                "-s",
                str(script),
                spec["base"],
                "--",
                str(folder / name),
                str(threads),
            ],
            check=False,
            capture_output=True,
            text=True,
        )
        if out.returncode != 0:
            raise RuntimeError(f"wrk failed: {out.stdout}\n{out.stderr}")
        return json.loads(out.stdout.strip().splitlines()[-1])

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    warmup = run("warm.txt", spec["warmup"]) if spec["warmup"] > 0 else {"requests": 0}
    result = run("measured.txt", spec["seconds"])
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    shutil.rmtree(folder)
    completed = warmup["requests"] + result["requests"]
    seconds = result["duration_us"] / 1e6
    return {
        "requests": result["requests"],
        "rps": result["requests"] / seconds,
        "p50_ms": result["p50_us"] / 1000,
        "p99_ms": result["p99_us"] / 1000,
        "statuses": {k: v for k, v in sorted(result["statuses"].items())},
        "errors": {"socket": result["socket_errors"]} if result["socket_errors"] else {},
        "exhausted": bool(result["wrapped"]) and not spec["cycle"],
        "used": completed,
        "completed": completed,
        "client_cpu_ms": 1000
        * (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        / max(1, completed),
    }


def drive_main(spec_path: str) -> None:
    import uvloop

    spec = json.loads(Path(spec_path).read_text())
    if spec.get("client") == "wrk":
        result = _drive_wrk(spec)
    else:
        result = uvloop.run(_drive(spec))
    print(json.dumps(result))


# --------------------------------------------------------------------------------------
# Orchestration
# --------------------------------------------------------------------------------------


@dataclass
class Figures:
    name: str
    result: dict[str, Any]

    def line(self) -> str:
        r = self.result
        bad = {k: v for k, v in r["statuses"].items() if not k.startswith("2")}
        note = ""
        if bad or r["errors"]:
            note = f"  NOT ALL 2xx: {bad} {r['errors']}"
        if r["exhausted"]:
            note += "  (ran out of pupil-days: raise --extra-pupils)"
        db = f"{r['db_cpu_ms']:>9.3f}" if r.get("db_cpu_ms") is not None else f"{'-':>9}"
        return (
            f"{self.name:<34} {r['rps']:>9,.0f} {r['p50_ms']:>9.1f} {r['p99_ms']:>9.1f}"
            f" {r['requests']:>9,} {r['server_cpu_ms']:>9.3f} {db}"
            f" {r['client_cpu_ms']:>9.3f}{note}"
        )


class _Skip(Exception):
    """A phase left out by --phases."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def with_database(dsn: str, name: str) -> str:
    return urlunsplit(urlsplit(dsn)._replace(path=f"/{name}"))


async def wait_ready(url: str, proc: subprocess.Popen[bytes], seconds: float = 60) -> None:
    import aiohttp

    deadline = time.monotonic() + seconds
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}")
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(url) as r:
                    if r.status == 200:
                        return
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} not ready after {seconds} s")


def start_process(argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(argv, env=env, cwd=ROOT)


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def school_days(today: date) -> list[date]:
    from backend.schools.calendar import SchoolCalendar

    # The demo school has no closed days of its own; weekends and holidays count.
    return SchoolCalendar().school_days(today, today + timedelta(days=HORIZON_DAYS))


async def prepare_database(dsn: str, extra_pupils: int) -> list[tuple[uuid.UUID, str]]:
    """Migrate, seed the demo school and extra pupils; return (pupil, guardian username)."""
    global TEACHERS
    import asyncpg

    from backend.db.migrate import apply_migrations
    from backend.db.pool import _init_connection
    from backend.roster.demo import RosterBatch, demo_id, school_year_of, seed_demo, write_batch

    conn = await asyncpg.connect(dsn)
    try:
        await _init_connection(conn)
        await apply_migrations(conn)
        await seed_demo(conn, BENCH_NOW)
        school_id = demo_id("school")
        year_id = demo_id(f"year:{school_year_of(BENCH_NOW.date())[0].year}")
        batch = RosterBatch()
        for n in range(extra_pupils):
            class_no = n // EXTRA_CLASS_SIZE
            if n % EXTRA_CLASS_SIZE == 0:
                class_id = demo_id(f"bench-class:{class_no}")
                batch.classes.append(
                    (class_id, school_id, year_id, f"bench-class-{class_no}", f"5X{class_no}", 5)
                )
            pupil = batch.person(f"bench.elev.{n:05d}", f"Benk Elev {n}", date(2016, 5, 1))
            guardian = batch.person(f"bench.foresatt.{n:05d}", f"Benk Foresatt {n}")
            batch.guardians.append((guardian, pupil, "full"))
            batch.class_enrollments.append((class_id, pupil, school_id))
        async with conn.transaction():
            await write_batch(conn, school_id, batch)
        await seed_history(conn)
        await conn.execute("ANALYZE")
        rows = await conn.fetch(
            """
            SELECT DISTINCT ON (g.pupil_id) g.pupil_id, p.username
            FROM guardian_relations g JOIN people p ON p.id = g.guardian_id
            WHERE g.access = 'full'
              AND (p.username LIKE 'foresatt.%' OR p.username LIKE 'bench.foresatt.%')
            ORDER BY g.pupil_id, p.username
            """
        )
        boards = await conn.fetch(
            """
            SELECT s.class_id, p.username FROM staff_assignments s JOIN people p ON p.id = s.person_id
            WHERE s.role = 'contact_teacher' ORDER BY p.username
            """
        )
        TEACHERS = [(r["class_id"], r["username"]) for r in boards]
        return [(r["pupil_id"], r["username"]) for r in rows]
    finally:
        await conn.close()


# A real school in late November has a term of reports behind it: without them the
# planner sees an empty, analysed table and every pooled connection keeps a generic plan
# that scans all of this morning's reports on each insert (seen as 1.2 ms of PostgreSQL
# CPU per bare INSERT), which no school with any history would see.
HISTORY_SQL = """
INSERT INTO absence_reports
    (id, school_id, pupil_id, first_day, last_day, from_time, to_time, reason, note,
     submitted_at, submitted_by, deadline, late)
SELECT gen_random_uuid(), e.school_id, e.pupil_id, d.day, d.day, NULL, NULL, 'sick', NULL,
       d.day + time '07:00', e.pupil_id, d.day + time '08:30', false
FROM class_enrollments e
CROSS JOIN LATERAL (
    SELECT date '2026-08-24' + (k * 21 + abs(hashtext(e.pupil_id::text)) % 14) AS day
    FROM generate_series(0, 3) AS k
) d
"""


async def seed_history(conn: Any) -> None:
    """Four earlier reports per pupil, August to October: the term before this morning."""
    await conn.execute(HISTORY_SQL)


async def postmaster_pid(dsn: str) -> int | None:
    """The local PostgreSQL's main process, to add up its backends' CPU; None if remote."""
    import asyncpg

    conn = await asyncpg.connect(dsn)
    try:
        backend = await conn.fetchval("SELECT pg_backend_pid()")
        return parent_if_postgres(backend)  # while the backend lives
    finally:
        await conn.close()


def parent_if_postgres(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    if "postgres" not in stat.split(")", 1)[0]:
        return None  # a pid of another machine's server that happens to exist here
    return int(stat.rsplit(")", 1)[1].split()[1])


async def truncate_reports(dsn: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(dsn)
    try:
        # This morning's reports go; the term's history (and so the statistics) stays.
        await conn.execute("DELETE FROM absence_reports WHERE first_day >= $1", BENCH_NOW.date())
        await conn.execute("TRUNCATE idempotency_keys")
        await conn.execute("VACUUM ANALYZE absence_reports")
    finally:
        await conn.close()


async def dev_login_all(base: str, usernames: list[str]) -> dict[str, str]:
    import aiohttp

    tokens: dict[str, str] = {}
    queue = list(usernames)

    async def worker(session: aiohttp.ClientSession) -> None:
        while queue:
            username = queue.pop()
            async with session.post(
                "/api/v1/auth/dev-login", json={"username": username, "client": "app"}
            ) as r:
                if r.status != 200:
                    raise RuntimeError(f"dev-login {username}: {r.status} {await r.text()}")
                tokens[username] = (await r.json())["access_token"]

    async with aiohttp.ClientSession(base) as session:
        await asyncio.gather(*(worker(session) for _ in range(8)))
    return tokens


PROFILE_DIR: Path | None = None  # --profile
TEACHERS: list[tuple[uuid.UUID, str]] = []  # (class, its contact teacher), from prepare_database

# The morning mix: out of every 20 requests, 12 GET /me, 3 GET absence reports, 2 board
# reads, 1 inbox and 2 POSTs; interleaved so every stretch of the run has the same mix.
MIX_PATTERN = "MAMBMPMIMAMPMBMAMMMM"
assert len(MIX_PATTERN) == 20 and MIX_PATTERN.count("M") == 12 and MIX_PATTERN.count("P") == 2


def mix_requests(
    posts: list[tuple[str, str, dict[str, str], str]],
    pairs: list[tuple[uuid.UUID, str]],
    tokens: dict[str, str],
    board_date: date,
    limit: int,
) -> list[tuple[str, str, dict[str, str], str | None]]:
    """Up to ``limit`` mix requests (wrk reads them all before it starts: keep it to what
    the run can use), each POST a pupil-day not used before."""

    def bearer(username: str) -> dict[str, str]:
        return {"authorization": f"Bearer {tokens[username]}"}

    out: list[tuple[str, str, dict[str, str], str | None]] = []
    post_iter = iter(posts)
    i = 0
    while len(out) < limit:
        kind = MIX_PATTERN[i % len(MIX_PATTERN)]
        pupil, guardian = pairs[(i * 7919) % len(pairs)]
        if kind == "P":
            post = next(post_iter, None)
            if post is None:
                return out
            out.append(post)
        elif kind == "M":
            out.append(("GET", "/api/v1/me", bearer(guardian), None))
        elif kind == "A":
            out.append(("GET", f"/api/v1/pupils/{pupil}/absence-reports", bearer(guardian), None))
        elif kind == "I":
            out.append(("GET", "/api/v1/me/notifications", bearer(guardian), None))
        else:
            class_id, teacher = TEACHERS[i % len(TEACHERS)]
            path = f"/api/v1/classes/{class_id}/attendance?date={board_date.isoformat()}"
            out.append(("GET", path, bearer(teacher), None))
        i += 1
    return out


def rss_mb(pid: int) -> tuple[float, float]:
    """Resident and peak resident memory of a process, in MB."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line
    )
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_times(pids: list[int]) -> dict[int, float]:
    """CPU seconds (user + system) used so far by each live process."""
    out = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[pid] = (int(fields[11]) + int(fields[12])) / _TICK
    return out


def children_of(parent: int | None) -> list[int]:
    if parent is None:
        return []
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == parent:
                pids.append(int(entry.name))
    return pids


def run_driver(
    spec: dict[str, Any], workdir: Path, server_pid: int, postmaster: int | None
) -> dict[str, Any]:
    """Drive the load from a child process; add the server's and PostgreSQL's CPU per request.

    CPU per request is what a busy, shared machine cannot blur much: req/s drops when
    other work takes the cores, CPU ms per request barely moves.
    """
    profiler = None
    if PROFILE_DIR is not None and spec.get("profile"):
        # py-spy samples the server while the load runs: a collapsed-stack file per phase.
        out = PROFILE_DIR / f"{spec['profile']}.txt"
        profiler = subprocess.Popen(
            [
                shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy")),
                "record",
                "--pid",
                str(server_pid),
                "--format",
                "raw",
                "--rate",
                "200",
                "--output",
                str(out),
                "--duration",
                str(int(spec["warmup"] + spec["seconds"])),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    before_server = cpu_times([server_pid])
    before_db = cpu_times(children_of(postmaster))
    result = _run_driver(spec, workdir)
    if profiler is not None:
        profiler.wait()
    after_server = cpu_times([server_pid])
    after_db = cpu_times(children_of(postmaster))
    done = max(1, result["completed"])
    result["server_cpu_ms"] = (
        1000 * sum(after_server[p] - before_server.get(p, 0.0) for p in after_server) / done
    )
    result["db_cpu_ms"] = (
        (1000 * sum(after_db[p] - before_db.get(p, 0.0) for p in after_db) / done) if postmaster else None
    )
    return result


def _run_driver(spec: dict[str, Any], workdir: Path) -> dict[str, Any]:
    spec_path = workdir / f"spec-{uuid.uuid4().hex[:8]}.json"
    spec_path.write_text(json.dumps(spec))
    out = subprocess.run(
        [sys.executable, __file__, "--drive", str(spec_path)],
        check=False,
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        raise RuntimeError(f"the load driver failed:\n{out.stderr}")
    spec_path.unlink()
    return json.loads(out.stdout)


def post_requests(
    pairs: list[tuple[uuid.UUID, str]], days: list[date], tokens: dict[str, str] | None
) -> list[tuple[str, str, dict[str, str], str]]:
    # Day-major order: consecutive requests are different pupils, as on a real morning.
    out = []
    for day in days:
        body = json.dumps({"first_day": day.isoformat(), "reason": "sick"})
        for pupil, guardian in pairs:
            headers = {"content-type": "application/json"}
            if tokens is not None:
                headers["authorization"] = f"Bearer {tokens[guardian]}"
            out.append(("POST", f"/api/v1/pupils/{pupil}/absence-reports", headers, body))
    return out


async def start_database(workdir: Path) -> tuple[str, Any]:
    """A DSN for a fresh database and a way to drop it (or stop the server) afterwards."""
    import asyncpg

    name = f"skolebro_bench_{uuid.uuid4().hex[:8]}"
    external = os.environ.get("DATABASE_URL")
    server: Any = None
    if external:
        admin_dsn = external
    else:
        import pgserver

        server = pgserver.get_server(workdir / "pgdata", cleanup_mode="stop")
        admin_dsn = str(server.get_uri())
    admin = await asyncpg.connect(admin_dsn)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()

    async def cleanup() -> None:
        admin = await asyncpg.connect(admin_dsn)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()
        if server is not None:
            server.cleanup()

    return with_database(admin_dsn, name), cleanup


def server_env(dsn: str, workdir: Path, pool_size: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        SKOLEBRO_ENV="dev",  # dev-login is how the benchmark gets its tokens
        DATABASE_URL=dsn,
        SKOLEBRO_DATA_DIR=str(workdir / "service"),
        SKOLEBRO_NOW=BENCH_NOW.isoformat(),
        SKOLEBRO_LOG_LEVEL="warning",
        SKOLEBRO_POOL_SIZE=str(pool_size),
        # Thousands of guardians sign in from one address before the load starts.
        SKOLEBRO_AUTH_RATE_LIMIT="1000000",
    )
    return env


async def orchestrate(args: argparse.Namespace) -> int:
    from backend.roster.demo import demo_id

    workdir = Path(tempfile.mkdtemp(prefix="skolebro-bench-"))
    dsn, cleanup = await start_database(workdir)
    try:
        days = school_days(BENCH_NOW.date())
        # Enough pupil-days for the fastest phase (the ceiling) at an optimistic 12,000 req/s.
        needed = int(12000 * (args.seconds + args.warmup) * 1.2)
        demo_pupils = 398
        extra = args.extra_pupils
        if extra is None:
            extra = max(0, -(-needed // len(days)) - demo_pupils)
        t0 = time.perf_counter()
        pairs = await prepare_database(dsn, extra)
        postmaster = await postmaster_pid(dsn)
        print(
            f"database ready: {len(pairs)} pupils with guardians x {len(days)} school days = "
            f"{len(pairs) * len(days):,} pupil-days ({time.perf_counter() - t0:.1f} s)",
            flush=True,
        )
        env = server_env(dsn, workdir, args.pool_size)
        common = {
            "connections": args.connections,
            "seconds": args.seconds,
            "warmup": args.warmup,
            "client": args.client,
        }
        figures: list[Figures] = []
        ceiling: dict[str, Any] | None = None
        post: dict[str, Any] | None = None
        rss: tuple[float, float] | None = None
        phases = set(args.phases.split(","))

        # 1. The ceiling.
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        proc = start_process(
            [
                sys.executable,
                __file__,
                "--serve-ceiling",
                "--port",
                str(port),
                "--dsn",
                dsn,
                "--school",
                str(demo_id("school")),
                "--submitter",
                str(demo_id("person:guardian.hansen")),
            ],
            env,
        )
        try:
            await wait_ready(f"{base}/health", proc)
            if "ceiling" not in phases:
                raise _Skip
            ceiling = run_driver(
                {
                    **common,
                    "base": base,
                    "cycle": False,
                    "profile": "ceiling",
                    "requests": post_requests(pairs, days, None),
                },
                workdir,
                proc.pid,
                postmaster,
            )
            figures.append(Figures("ceiling: bare ASGI INSERT", ceiling))
        except _Skip:
            pass
        finally:
            stop(proc)
        await truncate_reports(dsn)

        # 2. The service, as `skolebro serve` runs it.
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        proc = start_process(
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
        try:
            await wait_ready(f"{base}/health", proc)
            logins = sorted({g for _, g in pairs} | ({t for _, t in TEACHERS} if "mix" in phases else set()))
            tokens = await dev_login_all(base, logins)
            if "post" in phases:
                post = run_driver(
                    {
                        **common,
                        "base": base,
                        "cycle": False,
                        "profile": "post",
                        "requests": post_requests(pairs, days, tokens),
                    },
                    workdir,
                    proc.pid,
                    postmaster,
                )
                figures.append(Figures("POST /pupils/{id}/absence-reports", post))
            if "me" in phases:
                me = run_driver(
                    {
                        **common,
                        "base": base,
                        "cycle": True,
                        "profile": "me",
                        "requests": [
                            ("GET", "/api/v1/me", {"authorization": f"Bearer {t}"}, None)
                            for t in tokens.values()
                        ],
                    },
                    workdir,
                    proc.pid,
                    postmaster,
                )
                figures.append(Figures("GET /me", me))
            if "mix" in phases:
                # New pupil-days: the POST phase may have used any of the earlier ones.
                await truncate_reports(dsn)
                mix = run_driver(
                    {
                        **common,
                        "base": base,
                        "cycle": False,
                        "profile": "mix",
                        "requests": mix_requests(
                            post_requests(pairs, days, tokens), pairs, tokens, BENCH_NOW.date(), needed
                        ),
                    },
                    workdir,
                    proc.pid,
                    postmaster,
                )
                figures.append(Figures("morning mix", mix))
                rss = rss_mb(proc.pid)
        finally:
            stop(proc)

        print(
            f"\n{args.connections} connections, {args.seconds} s measured after "
            f"{args.warmup} s warm-up, pool size {args.pool_size}, "
            f"{args.client} client process\n"
        )
        print(
            f"{'':<34} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9} {'requests':>9}"
            f" {'app cpu':>9} {'db cpu':>9} {'load cpu':>9}"
        )
        for f in figures:
            print(f.line())
        print(
            "(app / db / load cpu: CPU ms per request of the server process, of PostgreSQL"
            " and of the load-generating client process)"
        )
        if rss is not None:
            print(f"\nserver memory after the mix: RSS {rss[0]:.0f} MB (peak {rss[1]:.0f} MB)")
        if ceiling is not None and post is not None:
            ratio = post["rps"] / ceiling["rps"] if ceiling["rps"] else float("nan")
            print(f"\nPOST / ceiling: {ratio:.0%} (requests/s)")
        if (
            ceiling is not None
            and post is not None
            and ceiling["db_cpu_ms"] is not None
            and post["db_cpu_ms"] is not None
        ):
            # Requests/s swing with whatever else runs on the machine; CPU per request
            # hardly does, so this ratio tells whether a change helped when the machine is busy.
            cost = (ceiling["server_cpu_ms"] + ceiling["db_cpu_ms"]) / (
                post["server_cpu_ms"] + post["db_cpu_ms"]
            )
            print(f"POST / ceiling: {cost:.0%} (inverse of server + database CPU per request)")
        print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        ok = all(
            not f.result["errors"]
            and not f.result["exhausted"]
            and all(k.startswith("2") for k in f.result["statuses"])
            for f in figures
        )
        return 0 if ok else 1
    finally:
        await cleanup()


def main() -> int:
    from backend.app.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per phase")
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds first")
    parser.add_argument(
        "--client",
        choices=("auto", "aiohttp", "wrk"),
        default="auto",
        help="load generator: wrk (apt-get install wrk) or an aiohttp process;"
        " auto (default) takes wrk when it is installed",
    )
    parser.add_argument(
        "--pool-size",
        type=int,
        default=Settings().database.pool_max_size,
        help="SKOLEBRO_POOL_SIZE (default: the service's)",
    )
    parser.add_argument(
        "--phases",
        default="ceiling,post,me,mix",
        help="comma-separated phases to run (default: ceiling,post,me,mix)",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        default=None,
        help="folder for py-spy collapsed stacks of each phase (needs py-spy)",
    )
    parser.add_argument(
        "--extra-pupils",
        type=int,
        default=None,
        help="pupils added to the demo school (default: enough pupil-days)",
    )
    # Internal roles of the same file, run as child processes.
    parser.add_argument("--drive", help=argparse.SUPPRESS)
    parser.add_argument("--serve-ceiling", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--dsn", help=argparse.SUPPRESS)
    parser.add_argument("--school", help=argparse.SUPPRESS)
    parser.add_argument("--submitter", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.drive:
        drive_main(args.drive)
        return 0
    if args.serve_ceiling:
        serve_ceiling(args)
        return 0
    if args.client == "auto":
        args.client = "wrk" if shutil.which("wrk") else "aiohttp"
    if args.profile is not None:
        global PROFILE_DIR
        PROFILE_DIR = args.profile
        PROFILE_DIR.mkdir(parents=True, exist_ok=True)
    return asyncio.run(orchestrate(args))


if __name__ == "__main__":
    raise SystemExit(main())
