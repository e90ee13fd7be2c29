"""The morning overview (/web/morning), its live updates, the staff home and the class board.

Content per role (a leader sees the whole school, a teacher their class, escalations
first), the staff home's "what needs you now", and the live stream: a change made by
another connection reaches an open stream through PostgreSQL LISTEN/NOTIFY, also after
the listening connection was cut. Outsiders: tests/access/test_matrix_pages_morning.py.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import date
from typing import Any

import asyncpg
import httpx
import pytest
import uvicorn

from backend.app.factory import build_runtime, create_app
from backend.app.settings import Settings
from backend.attendance.morning import MORNING_CHANNEL
from backend.db.listener import Listener
from backend.lib.clock import Clock
from backend.web.morning_pages import changes
from tests.support.demo import CLASS_3A, CLASS_9B, DEFAULT_NOW, OLA, SCHOOL, person
from tests.support.routine import MONDAY, oslo, roll_call, run_job
from tests.support.web_portal import csrf_of, web_login

pytestmark = pytest.mark.fresh_tokens


def class_row(html: str, class_id: uuid.UUID) -> str:
    match = re.search(rf'<tr id="class-{class_id}".*?</tr>', html, re.S)
    assert match, f"class {class_id} is not on the page"
    return match.group(0)


def row_order(html: str) -> list[str]:
    return re.findall(r'<tr id="class-([0-9a-f-]+)"', html)


async def escalate_ola(client: Any, tokens: Any, db: asyncpg.Connection, clock: Any) -> str:
    """Ola marked absent at 09:45 with no report: sought at once (grade 3), escalated at 10:31."""
    clock.set(oslo(MONDAY, 9, 45))
    r = await roll_call(client, await tokens.headers("teacher.3a"), db, CLASS_3A, MONDAY, {OLA})
    assert r.status_code == 200, r.text
    clock.set(oslo(MONDAY, 9, 46))
    await run_job(client, tokens, "missing-pupil-sweep")
    clock.set(oslo(MONDAY, 10, 31))
    await run_job(client, tokens, "missing-pupil-sweep")
    case_id = await db.fetchval("SELECT id::text FROM missing_cases WHERE pupil_id = $1", OLA)
    assert await db.fetchval("SELECT status FROM missing_cases WHERE id = $1::uuid", case_id) == "escalated"
    return str(case_id)


async def test_leader_sees_the_school_escalations_first(client, tokens, db, clock):
    case_id = await escalate_ola(client, tokens, db, clock)
    # 9B's check is done; a pupil of 9B is reported sick.
    await db.execute(
        "INSERT INTO class_checks (class_id, day, school_id, completed_by, completed_at)"
        " VALUES ($1, $2, $3, $4, $5)",
        CLASS_9B,
        MONDAY,
        SCHOOL,
        person("teacher.9b"),
        oslo(MONDAY, 8, 50),
    )
    await web_login(client, "leader")
    page = await client.get("/web/morning")
    assert page.status_code == 200
    html = page.text
    assert "<h1>Morgenoversikt</h1>" in html
    assert 'http-equiv="refresh"' not in html.lower()
    assert '<script src="/web/static/morning.js" defer></script>' in html
    assert "1 eskalert sak" in html
    # All 20 classes of the school, escalated 3A first, checked 9B last.
    order = row_order(html)
    assert len(order) == 20
    assert order[0] == str(CLASS_3A)
    assert order[-1] == str(CLASS_9B)
    assert "19 av 20 klasser ikke kontrollert (frist 09:00)" in html
    row = class_row(html, CLASS_3A)
    assert f'href="/web/classes/{CLASS_3A}/attendance"' in row
    assert "1 eskalert sak" in row
    assert "Ikke kontrollert – fristen er passert" in row  # 10:31, past 09:00
    assert "1 borte, 0 ikke registrert" in row
    nine_b = class_row(html, CLASS_9B)
    assert "Kontrollert 08:50" in nine_b and "av " in nine_b
    assert f'href="/web/cases/{case_id}"' in html and "Ola Hansen" in html
    # Naming a sought pupil is a staff read of their absence: audited.
    assert await db.fetchval(
        "SELECT count(*) FROM audit_log"
        " WHERE actor_id = $1 AND pupil_id = $2 AND action = 'morning.overview'",
        person("leader"),
        OLA,
    )
    # The table alone is the same body, for the script.
    table = await client.get("/web/morning/table")
    assert table.status_code == 200
    assert "<html" not in table.text and row_order(table.text) == order


async def test_teacher_sees_their_class_only(client, tokens, db, clock):
    await escalate_ola(client, tokens, db, clock)
    await web_login(client, "teacher.9b")
    html = (await client.get("/web/morning")).text
    assert row_order(html) == [str(CLASS_9B)]
    assert "Ola Hansen" not in html and "0 eskalerte saker" in html
    client.cookies.clear()
    await web_login(client, "teacher.3a")
    html = (await client.get("/web/morning")).text
    assert row_order(html) == [str(CLASS_3A)]
    assert "Ola Hansen" in html


async def test_counts_follow_the_board(client, db, clock):
    # Ola reported sick, a classmate on approved leave, one marked absent, the rest present.
    pupils = [
        r["pupil_id"]
        for r in await db.fetch(
            "SELECT pupil_id FROM class_enrollments WHERE class_id = $1 AND pupil_id <> $2 ORDER BY pupil_id",
            CLASS_3A,
            OLA,
        )
    ]
    await db.execute(
        "INSERT INTO absence_reports (id, school_id, pupil_id, first_day, last_day, reason,"
        " submitted_at, submitted_by, deadline, late) VALUES (gen_random_uuid(), $1, $2, $3, $3,"
        " 'sick', now(), $4, now(), false)",
        SCHOOL,
        OLA,
        MONDAY,
        person("guardian.hansen"),
    )
    await db.execute(
        "INSERT INTO leave_requests (id, school_id, pupil_id, requested_by, first_day, last_day,"
        " reason, school_days, status, created_at) VALUES (gen_random_uuid(), $1, $2, $2, $3, $3,"
        " 'Tur', 1, 'approved', now())",
        SCHOOL,
        pupils[0],
        MONDAY,
    )
    await db.execute(
        "INSERT INTO attendance_marks (pupil_id, day, school_id, class_id, status, roll_time, marked_by,"
        " marked_at) SELECT p, $1, $2, $3, CASE WHEN p = $4 THEN 'absent' ELSE 'present' END, '08:30',"
        " $5, now() FROM unnest($6::uuid[]) AS p",
        MONDAY,
        SCHOOL,
        CLASS_3A,
        pupils[1],
        person("teacher.3a"),
        pupils[1:],
    )
    await web_login(client, "teacher.3a")
    row = class_row((await client.get("/web/morning")).text, CLASS_3A)
    cells = re.findall(r'<td class="num">(\d+)', row)
    assert cells == ["1", "1", "1"]  # reported, leave, unaccounted
    assert "1 borte, 0 ikke registrert" in row
    assert "Ikke kontrollert ennå" in row  # 07:00, before the deadline


async def test_staff_home_says_what_needs_them_now(client, tokens, db, clock):
    case_id = await escalate_ola(client, tokens, db, clock)
    # Five school days of leave: the leader's to decide, not the contact teacher's.
    await db.execute(
        "INSERT INTO leave_requests (id, school_id, pupil_id, requested_by, first_day, last_day,"
        " reason, school_days, created_at) VALUES (gen_random_uuid(), $1, $2, $3, '2026-11-30',"
        " '2026-12-04', 'Tur', 5, now())",
        SCHOOL,
        OLA,
        person("guardian.hansen"),
    )
    await web_login(client, "leader")
    home = (await client.get("/web/")).text
    assert "Dette venter på deg nå" in home
    assert f'href="/web/cases/{case_id}"' in home and "Eskalert" in home
    assert "Ikke kontrollert innen 09:00:" in home
    assert f'href="/web/classes/{CLASS_9B}/attendance">9B</a>' in home
    assert "1 permisjonssøknad venter på din avgjørelse" in home
    assert 'href="/web/morning"' in home
    # A guardian's home has none of it.
    client.cookies.clear()
    await web_login(client, "guardian.hansen")
    home = (await client.get("/web/")).text
    assert "Dette venter på deg nå" not in home


async def test_staff_home_all_clear_before_the_deadline(client):
    await web_login(client, "teacher.3a")
    home = (await client.get("/web/")).text
    assert "Ingenting venter på deg akkurat nå." in home


async def test_board_page_shows_cases_and_links_back(client, tokens, db, clock):
    case_id = await escalate_ola(client, tokens, db, clock)
    await web_login(client, "teacher.3a")
    page = (await client.get(f"/web/classes/{CLASS_3A}/attendance")).text
    assert 'href="/web/morning"' in page
    cases = re.search(r'<section aria-labelledby="board-cases">.*?</section>', page, re.S)
    assert cases and f'href="/web/cases/{case_id}"' in cases.group(0) and "Eskalert" in cases.group(0)
    # Reading the class's cases is audited, for that class's pupils only.
    audited = await db.fetch(
        "SELECT pupil_id FROM audit_log WHERE actor_id = $1 AND action = 'attendance.cases'",
        person("teacher.3a"),
    )
    assert [r["pupil_id"] for r in audited] == [OLA]
    # A resolved case stays on the day's board, after the open ones.
    await db.execute(
        "UPDATE missing_cases SET status = 'resolved', resolved_at = now(), outcome = 'arrived'"
        " WHERE id = $1::uuid",
        case_id,
    )
    page = (await client.get(f"/web/classes/{CLASS_3A}/attendance")).text
    assert re.search(r'class="case-resolved"><span class="muted">Avsluttet</span>', page)


async def test_static_script_is_served(client):
    r = await client.get("/web/static/morning.js")
    assert r.status_code == 200 and "EventSource" in r.text


# --- live updates: LISTEN/NOTIFY ---------------------------------------------------


async def next_event(stream: AsyncIterator[Any], seconds: float = 5.0) -> Any:
    return await asyncio.wait_for(anext(stream), seconds)


async def test_listener_wakes_the_school_only_and_survives_a_lost_connection(db_dsn, db):
    listener = Listener(MORNING_CHANNEL, lambda: db_dsn, min_retry_seconds=0.1)
    other_school = uuid.uuid4()
    try:
        async with (
            listener.subscribe([str(SCHOOL)]) as ours,
            listener.subscribe([str(other_school)]) as theirs,
        ):
            await asyncio.wait_for(listener.connected.wait(), 10)
            assert listener.subscribers == 2
            # A change by another connection: the trigger notifies at commit.
            await db.execute(
                "INSERT INTO class_checks (class_id, day, school_id, completed_by, completed_at)"
                " VALUES ($1, $2, $3, $4, now())",
                CLASS_3A,
                MONDAY,
                SCHOOL,
                person("teacher.3a"),
            )
            assert await ours.wait(5)
            assert not await theirs.wait(0.3)
            # PostgreSQL drops the listening session (a restart, a failover): it reconnects,
            # and wakes everyone once, since what changed meanwhile is unknown.
            pid = listener.backend_pid
            assert await db.fetchval("SELECT pg_terminate_backend($1)", pid)
            assert await ours.wait(10)
            assert await theirs.wait(1)
            assert listener.connections_made == 2 and listener.backend_pid != pid
            await db.execute("DELETE FROM class_checks WHERE class_id = $1", CLASS_3A)
            assert await ours.wait(5)
        assert listener.subscribers == 0  # closed streams leave nothing behind
    finally:
        await listener.close()


async def test_stream_sends_changed_and_heartbeats(db_dsn, db, monkeypatch):
    from backend.web import morning_pages

    monkeypatch.setattr(morning_pages, "HEARTBEAT_SECONDS", 0.5)
    monkeypatch.setattr(morning_pages, "SETTLE_SECONDS", 0.05)
    listener = Listener(MORNING_CHANNEL, lambda: db_dsn)
    stream = changes(listener, frozenset([SCHOOL]))
    try:
        first = await next_event(stream)
        assert first.comment == "ready" and first.retry
        await asyncio.wait_for(listener.connected.wait(), 10)
        beat = await next_event(stream)
        assert beat.comment == "keep-alive"
        await db.execute(
            "INSERT INTO class_checks (class_id, day, school_id, completed_by, completed_at)"
            " VALUES ($1, $2, $3, $4, now())",
            CLASS_9B,
            MONDAY,
            SCHOOL,
            person("teacher.9b"),
        )
        event = await next_event(stream)
        while event.comment == "keep-alive":
            event = await next_event(stream)
        assert event.event == "changed"
    finally:
        await stream.aclose()
        await listener.close()
    assert listener.subscribers == 0


class LiveService(str):
    """The service's base URL; ``.runtime`` is its runtime."""

    runtime: Any


@pytest.fixture
def live(settings: Settings, db_dsn: str) -> Iterator[LiveService]:
    """The service on 127.0.0.1 (uvicorn in a thread): streams need a real server."""
    import socket

    rt = build_runtime(settings, dsn=db_dsn)
    rt.clock = Clock(DEFAULT_NOW)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(runtime=rt), host="127.0.0.1", port=port, log_config=None, lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the service did not start"
        time.sleep(0.05)
    base = LiveService(f"http://127.0.0.1:{port}")
    base.runtime = rt
    yield base
    server.should_exit = True
    thread.join(timeout=15)


async def mark(db: asyncpg.Connection, status: str) -> None:
    """Ola's mark, written by another connection (as another replica or a job would)."""
    await db.execute(
        "INSERT INTO attendance_marks (pupil_id, day, school_id, class_id, status, roll_time,"
        " marked_by, marked_at) VALUES ($1, $2, $3, $4, $5, '08:30', $6, now())"
        " ON CONFLICT (pupil_id, day) DO UPDATE SET status = excluded.status",
        OLA,
        MONDAY,
        SCHOOL,
        CLASS_3A,
        status,
        person("teacher.3a"),
    )


async def until_changed(lines: AsyncIterator[str], seconds: float = 10.0) -> list[str]:
    seen: list[str] = []
    while "event: changed" not in seen:
        seen.append(await next_event(lines, seconds))
    return seen


async def test_open_stream_gets_a_change_made_elsewhere_also_after_a_lost_connection(live, db):
    listener = live.runtime.listener(MORNING_CHANNEL)
    async with httpx.AsyncClient(base_url=live, timeout=10) as http:
        await web_login(http, "leader")  # type: ignore[arg-type]
        async with http.stream("GET", "/web/morning/events", headers={"Accept-Encoding": "gzip"}) as r:
            assert r.status_code == 200
            assert r.headers["content-type"].startswith("text/event-stream")
            assert "content-encoding" not in r.headers  # never gzip: it would hold events back
            lines = r.aiter_lines()
            assert await next_event(lines) == ": ready"
            for _ in range(100):  # the listener connects on the first stream
                if listener.backend_pid is not None:
                    break
                await asyncio.sleep(0.05)
            await mark(db, "present")
            await until_changed(lines)
            # PostgreSQL drops the listening session: the stream is told to look again
            # once it is back, and later changes arrive as before.
            pid = listener.backend_pid
            assert await db.fetchval("SELECT pg_terminate_backend($1)", pid)
            await until_changed(lines)
            assert listener.backend_pid != pid
            await mark(db, "absent")
            await until_changed(lines)
            assert listener.subscribers == 1
        # The browser went away: its subscription is gone.
        for _ in range(100):
            if listener.subscribers == 0:
                break
            await asyncio.sleep(0.05)
        assert listener.subscribers == 0
        # The script then fetches the table; a reload shows the same.
        table = await http.get("/web/morning/table")
        assert "1 borte, 19 ikke registrert" in table.text


async def test_stream_needs_a_session(live):
    async with httpx.AsyncClient(base_url=live, timeout=10) as http:
        r = await http.get("/web/morning/events", follow_redirects=False)
        assert r.status_code in (302, 303) and "/web/login" in r.headers["location"]
        page = await http.get("/web/login")
        csrf_of(page.text)


async def test_repeated_reads_are_audited_once_a_quarter_of_an_hour(client, tokens, db, clock):
    await escalate_ola(client, tokens, db, clock)
    await web_login(client, "leader")

    async def rows() -> int:
        return int(
            await db.fetchval(
                "SELECT count(*) FROM audit_log WHERE actor_id = $1 AND pupil_id = $2"
                " AND action = 'morning.overview'",
                person("leader"),
                OLA,
            )
        )

    for _ in range(3):  # the page and the script's refreshes
        assert (await client.get("/web/morning/table")).status_code == 200
    assert await rows() == 1
    clock.set(oslo(MONDAY, 10, 47))
    assert (await client.get("/web/morning")).status_code == 200
    assert await rows() == 2


@pytest.mark.pgbouncer
async def test_listener_takes_the_direct_connection_behind_pgbouncer(server_dsn, settings, db_dsn, db):
    """Behind PgBouncer in transaction mode LISTEN would be lost between transactions:
    the listener uses SKOLEBRO_DIRECT_DATABASE_URL, and changes made through the
    bouncer still reach it (NOTIFY is sent by whichever session commits)."""
    import dataclasses
    from urllib.parse import urlsplit

    from tests.support.pgbouncer import PgBouncer

    bouncer = PgBouncer(server_dsn)
    database = urlsplit(db_dsn).path.lstrip("/")
    rt = build_runtime(
        dataclasses.replace(
            settings,
            database=dataclasses.replace(settings.database, statement_cache_size=0, direct_url=db_dsn),
        ),
        dsn=bouncer.dsn(database),
    )
    listener = rt.listener(MORNING_CHANNEL)
    assert rt.listener(MORNING_CHANNEL) is listener  # one a process
    pool = await asyncpg.create_pool(bouncer.dsn(database), statement_cache_size=0, min_size=1, max_size=2)
    try:
        async with listener.subscribe([str(SCHOOL)]) as sub:
            await asyncio.wait_for(listener.connected.wait(), 10)
            # The test PostgreSQL listens on a Unix socket only; PgBouncer comes over TCP.
            assert await db.fetchval(
                "SELECT client_addr IS NULL FROM pg_stat_activity WHERE pid = $1", listener.backend_pid
            )
            async with pool.acquire() as conn:
                await conn.execute(
                    "INSERT INTO class_checks (class_id, day, school_id, completed_by, completed_at)"
                    " VALUES ($1, $2, $3, $4, now())",
                    CLASS_3A,
                    MONDAY,
                    SCHOOL,
                    person("teacher.3a"),
                )
            assert await sub.wait(5)
    finally:
        await listener.close()
        await pool.close()
        bouncer.stop()


async def test_not_a_school_day_and_other_languages(client, clock):
    clock.set(oslo(date(2026, 11, 28), 10, 0))  # a Saturday, past the check time
    await web_login(client, "teacher.3a")
    html = (await client.get("/web/morning")).text
    assert "I dag er ikke skoledag." in html
    assert "fristen er passert" not in html  # nothing is overdue on a day off
    en = (await client.get("/web/morning?lang=en")).text
    assert "<h1>Morning overview</h1>" in en and "Today is not a school day." in en
    nn = (await client.get("/web/morning?lang=nn")).text
    assert "<h1>Morgonoversikt</h1>" in nn
