"""The core paths through a real PgBouncer in transaction mode, as
infra/SCALING.md recommends: no prepared-statement cache, no statement_timeout start-up
parameter, and LISTEN and the migration lock on the direct connection
(SKOLEBRO_DIRECT_DATABASE_URL)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest

from backend.app.factory import build_runtime, create_app
from backend.app.lifecycle import direct_dsn, lifespan_for
from tests.support.demo import CLASS_3A, OLA
from tests.support.pgbouncer import PgBouncer
from tests.support.routine import MONDAY, oslo, pupil_row, roll_call

# Runs Debian's pgbouncer binary.
pytestmark = pytest.mark.pgbouncer


@pytest.fixture(scope="session")
def pgbouncer(server_dsn: str) -> Iterator[PgBouncer]:
    bouncer = PgBouncer(server_dsn)
    yield bouncer
    bouncer.stop()


@pytest.fixture
async def bounced(pgbouncer: PgBouncer, settings: Any, db_dsn: str, clock: Any) -> AsyncIterator[Any]:
    database = urlsplit(db_dsn).path.lstrip("/")
    rt = build_runtime(
        dataclasses.replace(
            settings,
            database=dataclasses.replace(
                settings.database, statement_cache_size=0, statement_timeout_seconds=0, direct_url=db_dsn
            ),
        ),
        dsn=pgbouncer.dsn(database),
    )
    rt.clock = clock
    app = create_app(runtime=rt)
    async with lifespan_for(rt, [])(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            c.runtime = rt  # type: ignore[attr-defined]
            yield c


async def sign_in(client: httpx.AsyncClient, username: str) -> tuple[dict[str, str], str]:
    r = await client.post("/api/v1/auth/dev-login", json={"username": username, "client": "app"})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}, r.json()["refresh_token"]


async def test_requests_really_go_through_the_bouncer(bounced, pgbouncer):
    rt = bounced.runtime
    # The test PostgreSQL listens on a Unix socket only (pgserver: -h ""), so a pool
    # on 127.0.0.1 that answers is talking to PgBouncer.
    assert rt.dsn == pgbouncer.dsn(urlsplit(rt.settings.database.direct_url).path.lstrip("/"))
    async with rt.require_pool().acquire() as conn:
        assert await conn.fetchval("SELECT current_setting('listen_addresses')") == ""
    # The listener and the migration lock use the direct connection.
    assert direct_dsn(rt) == rt.settings.database.direct_url


async def test_sign_in_and_refresh_through_pgbouncer(bounced):
    headers, refresh = await sign_in(bounced, "guardian.hansen")
    assert (await bounced.get("/api/v1/me", headers=headers)).status_code == 200
    r = await bounced.post(
        "/api/v1/auth/token", data={"grant_type": "refresh_token", "refresh_token": refresh}
    )
    assert r.status_code == 200, r.text
    assert (
        await bounced.post("/api/v1/auth/logout", json={"refresh_token": r.json()["refresh_token"]})
    ).status_code == 204


async def test_absence_reports_through_pgbouncer_many_at_once(bounced, db):
    headers, _ = await sign_in(bounced, "guardian.hansen")
    url = f"/api/v1/pupils/{OLA}/absence-reports"
    days = ["2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27", "2026-11-30", "2026-12-01"]
    # In parallel, so statements of different clients share server connections.
    answers = await asyncio.gather(
        *(bounced.post(url, headers=headers, json={"first_day": d, "reason": "sick"}) for d in days)
    )
    assert [a.status_code for a in answers] == [201] * len(days), [a.text for a in answers]
    listed = await bounced.get(url, headers=headers)
    assert listed.status_code == 200
    assert sorted(i["first_day"] for i in listed.json()["items"]) == days
    assert await db.fetchval("SELECT count(*) FROM absence_reports WHERE pupil_id = $1", OLA) == len(days)


async def test_board_missing_sweep_and_notifications_through_pgbouncer(bounced, db, clock):
    clock.set(oslo(MONDAY, 8, 40))
    teacher, _ = await sign_in(bounced, "teacher.3a")
    leader, _ = await sign_in(bounced, "leader")
    hansen, _ = await sign_in(bounced, "guardian.hansen")
    board = await bounced.get(f"/api/v1/classes/{CLASS_3A}/attendance?date={MONDAY}", headers=teacher)
    assert board.status_code == 200, board.text
    r = await roll_call(bounced, teacher, db, CLASS_3A, MONDAY, {OLA})
    assert r.status_code == 200, r.text
    assert pupil_row(r.json(), OLA)["missing_case_id"]
    clock.set(oslo(MONDAY, 8, 45))  # grades 1-7 are sought at once during the first lesson
    swept = await bounced.post("/api/v1/dev/jobs/missing-pupil-sweep/run", headers=leader)
    assert swept.status_code == 200, swept.text
    inbox = await bounced.get("/api/v1/me/notifications", headers=hansen)
    assert inbox.status_code == 200
    alerts = [n for n in inbox.json()["items"] if n["kind"] == "missing_pupil"]
    assert alerts and alerts[0]["data"]["pupil_id"] == str(OLA)
    r = await bounced.post(f"/api/v1/me/notifications/{alerts[0]['id']}/read", headers=hansen)
    assert r.status_code == 204


async def test_listen_on_the_direct_connection_hears_notify_sent_through_the_bouncer(bounced):
    rt = bounced.runtime
    heard = asyncio.Event()
    listener = await asyncpg.connect(direct_dsn(rt))
    try:
        await listener.add_listener("skolebro_pgbouncer_probe", lambda *_: heard.set())
        async with rt.require_pool().acquire() as conn:
            await conn.execute("SELECT pg_notify('skolebro_pgbouncer_probe', 'x')")
        await asyncio.wait_for(heard.wait(), 5)
    finally:
        await listener.close()
