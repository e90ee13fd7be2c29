"""A database that fails, on a real PostgreSQL of this module's own:
stopped under writers, and hung (every server process SIGSTOPped). Every request
answers 503 with Retry-After within 5 s, /ready within its timeout, and the service
recovers by itself once the database is back."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from backend.app.factory import build_runtime, create_app
from backend.app.lifecycle import lifespan_for
from backend.lib.clock import Clock
from backend.ops.routes import READY_TIMEOUT_SECONDS
from backend.roster.demo import demo_id
from tests.support.demo import DEFAULT_NOW
from tests.support.own_postgres import OwnPostgres
from tests.support.problems import assert_problem

# Stops and freezes a PostgreSQL of its own.
pytestmark = pytest.mark.restartable_postgres

DEADLINE_SECONDS = 5.0


@pytest.fixture(scope="module")
def own_pg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OwnPostgres]:
    pg = OwnPostgres(tmp_path_factory.mktemp("own-postgres"))
    yield pg
    pg.close()


@pytest.fixture
async def service(own_pg: OwnPostgres, settings: Any) -> AsyncIterator[httpx.AsyncClient]:
    dsn = await own_pg.demo_database("outage", DEFAULT_NOW)
    rt = build_runtime(settings, dsn=dsn)
    rt.clock = Clock(DEFAULT_NOW)
    app = create_app(runtime=rt)
    async with lifespan_for(rt, [])(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver", timeout=60) as c:
            yield c


async def sign_in(client: httpx.AsyncClient, username: str) -> dict[str, str]:
    r = await client.post("/api/v1/auth/dev-login", json={"username": username, "client": "app"})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def assert_unavailable(r: httpx.Response) -> None:
    assert_problem(r, 503, "unavailable")
    assert int(r.headers["retry-after"]) > 0


async def timed(call: Any) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    r = await call
    return r, time.monotonic() - started


async def until_ok(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], seconds: float = 30
) -> None:
    deadline = time.monotonic() + seconds
    while True:
        r = await client.get(path, headers=headers)
        if r.status_code == 200:
            return
        assert r.status_code == 503, r.text
        assert time.monotonic() < deadline, f"{path} still {r.status_code} after {seconds} s"
        await asyncio.sleep(0.5)


async def test_a_hung_database_is_503_within_5_seconds_and_recovers(own_pg, service):
    hansen = await sign_in(service, "guardian.hansen")
    assert (await service.get("/api/v1/me", headers=hansen)).status_code == 200
    own_pg.freeze()
    try:
        r, took = await timed(service.get("/api/v1/me", headers=hansen))
        assert_unavailable(r)
        assert took <= DEADLINE_SECONDS, took
        r, took = await timed(
            service.post(
                f"/api/v1/pupils/{demo_id('person:pupil.ola')}/absence-reports",
                headers=hansen,
                json={"first_day": "2026-11-24", "reason": "sick"},
            )
        )
        assert_unavailable(r)
        assert took <= DEADLINE_SECONDS, took
        # Several at once: the pool's connections are all stuck, later ones wait for one.
        answers = await asyncio.gather(*(timed(service.get("/api/v1/me", headers=hansen)) for _ in range(8)))
        for r, took in answers:
            assert_unavailable(r)
            assert took <= DEADLINE_SECONDS, took
        r, took = await timed(service.get("/ready"))
        assert r.status_code == 503
        assert took <= READY_TIMEOUT_SECONDS + 0.5, took
        # A scrape still answers with the process's own figures.
        r, took = await timed(service.get("/metrics"))
        assert r.status_code == 200 and "skolebro_http_requests_total" in r.text
        assert took <= READY_TIMEOUT_SECONDS + 0.5, took
    finally:
        own_pg.thaw()
    await until_ok(service, "/api/v1/me", hansen)
    assert (await service.get("/ready")).status_code == 200


async def test_a_stopped_database_under_writers_is_503_never_500_and_recovers(own_pg, service):
    hansen = await sign_in(service, "guardian.hansen")
    ola = demo_id("person:pupil.ola")
    days = (DEFAULT_NOW.date() + timedelta(days=i) for i in itertools.count(1))
    statuses: Counter[int] = Counter()
    stop = asyncio.Event()

    async def writer() -> None:
        while not stop.is_set():
            day: date = next(days)
            r = await service.post(
                f"/api/v1/pupils/{ola}/absence-reports",
                headers=hansen,
                json={"first_day": day.isoformat(), "reason": "sick"},
            )
            statuses[r.status_code] += 1
            if r.status_code == 503:
                assert_unavailable(r)
            else:
                # 201, or a day the rules refuse (a weekend, too far ahead): never a 5xx.
                assert r.status_code < 500, r.text
            await asyncio.sleep(0.01)

    writers = [asyncio.create_task(writer()) for _ in range(16)]
    await asyncio.sleep(1.0)
    await asyncio.to_thread(own_pg.stop)
    await asyncio.sleep(2.0)
    stop.set()
    await asyncio.gather(*writers)
    assert statuses[503] > 0, statuses
    assert not [s for s in statuses if s >= 500 and s != 503], statuses
    r, took = await timed(service.get("/api/v1/me", headers=hansen))
    assert_unavailable(r)
    assert took <= DEADLINE_SECONDS
    assert (await service.get("/ready")).status_code == 503
    await asyncio.to_thread(own_pg.start)
    await until_ok(service, "/api/v1/me", hansen)
    assert (await service.get("/ready")).status_code == 200
