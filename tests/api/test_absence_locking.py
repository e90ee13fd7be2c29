"""Reports for one pupil are serialised, and the pupil's lock never outlives a request.

The overlap guard is a trigger on absence_reports (migration 0041): it takes a
transaction-level advisory lock on the pupil and then looks for an overlap with a fresh
snapshot, so it holds behind PgBouncer too. These tests break if two overlapping
reports can both be accepted, or if a request — accepted, refused or failed — leaves a
lock behind that would hang the next report.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date, timedelta

import httpx
import pytest

from backend.app.factory import create_app
from backend.app.lifecycle import open_database
from backend.app.runtime import Runtime
from backend.db.pool import close_pool
from tests.support.demo import OLA

DAY = date(2026, 11, 24)  # Tuesday, a school day after the test clock's Monday


@pytest.fixture
async def live(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    """The app on this test's event loop, so requests really run at the same time.

    (Litestar's AsyncTestClient runs the app on another thread's loop, one call at a time.)
    """
    await open_database(runtime)
    app = create_app(runtime=runtime)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://skolebro.test"
    ) as client:
        yield client
    assert runtime.pool is not None
    await close_pool(runtime.pool)
    runtime.pool = None


async def bearer(client: httpx.AsyncClient, username: str) -> dict[str, str]:
    r = await client.post("/api/v1/auth/dev-login", json={"username": username, "client": "app"})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


async def advisory_locks(db) -> int:
    return await db.fetchval("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")


async def test_concurrent_overlapping_reports_one_wins(live, db):
    client = live
    hansen = await bearer(client, "guardian.hansen")
    nilsen = await bearer(client, "guardian.nilsen")
    url = f"/api/v1/pupils/{OLA}/absence-reports"
    for n in range(6):
        day = (DAY + timedelta(days=7 * n)).isoformat()  # Tuesdays: school days
        # Two guardians report the same child at the same moment, spans overlapping.
        results = await asyncio.gather(
            client.post(url, headers=hansen, json={"first_day": day, "reason": "sick"}),
            client.post(
                url,
                headers=nilsen,
                json={"first_day": day, "reason": "doctor", "from_time": "09:00", "to_time": "10:00"},
            ),
            client.post(url, headers=hansen, json={"first_day": day, "last_day": day, "reason": "sick"}),
        )
        codes = sorted(r.status_code for r in results)
        assert codes == [201, 409, 409], [r.text for r in results]
        rows = await db.fetchval(
            "SELECT count(*) FROM absence_reports WHERE pupil_id = $1 AND first_day = $2",
            OLA,
            date.fromisoformat(day),
        )
        assert rows == 1
    assert await advisory_locks(db) == 0


async def test_no_lock_left_after_accepted_refused_or_denied(live, db):
    client = live
    url = f"/api/v1/pupils/{OLA}/absence-reports"
    hansen = await bearer(client, "guardian.hansen")
    r = await client.post(url, headers=hansen, json={"first_day": DAY.isoformat(), "reason": "sick"})
    assert r.status_code == 201
    assert await advisory_locks(db) == 0
    # Refused after the lock was taken: a day in the past, then an overlap.
    r = await client.post(url, headers=hansen, json={"first_day": "2026-11-20", "reason": "sick"})
    assert r.status_code == 422
    r = await client.post(url, headers=hansen, json={"first_day": DAY.isoformat(), "reason": "sick"})
    assert r.status_code == 409
    assert await advisory_locks(db) == 0
    # Denied: blocked guardian (404) and a teacher who may only read (403).
    r = await client.post(
        url,
        headers=await bearer(client, "guardian.blocked"),
        json={"first_day": DAY.isoformat(), "reason": "sick"},
    )
    assert r.status_code == 404
    r = await client.post(
        url, headers=await bearer(client, "teacher.3a"), json={"first_day": DAY.isoformat(), "reason": "sick"}
    )
    assert r.status_code == 403
    assert await advisory_locks(db) == 0


async def test_lock_held_by_another_session_makes_the_report_wait(live, db):
    """The POST really takes the pupil's lock: while another session holds it, it waits."""
    client = live
    hansen = await bearer(client, "guardian.hansen")
    await db.execute("SELECT pg_advisory_lock(hashtextextended($1::text, 1))", str(OLA))
    post = asyncio.ensure_future(
        client.post(
            f"/api/v1/pupils/{OLA}/absence-reports",
            headers=hansen,
            json={"first_day": DAY.isoformat(), "reason": "sick"},
        )
    )
    await asyncio.sleep(0.5)
    assert not post.done()
    # Meanwhile a report is filed through the other session; the waiting POST must see it.
    await db.execute(
        "INSERT INTO absence_reports (id, school_id, pupil_id, first_day, last_day, reason,"
        " submitted_at, submitted_by, deadline, late)"
        " SELECT gen_random_uuid(), school_id, $1, $2, $2, 'sick', now(), $1, now(), false"
        " FROM class_enrollments WHERE pupil_id = $1 LIMIT 1",
        OLA,
        DAY,
    )
    await db.execute("SELECT pg_advisory_unlock(hashtextextended($1::text, 1))", str(OLA))
    r = await asyncio.wait_for(post, 10)
    assert r.status_code == 409
    assert await advisory_locks(db) == 0


async def test_concurrent_retries_with_one_key_file_one_report(live, db):
    """With an Idempotency-Key the insert runs in a transaction with the key's row."""
    client = live
    headers = {**await bearer(client, "guardian.hansen"), "Idempotency-Key": "morning-1"}
    body = {"first_day": DAY.isoformat(), "reason": "sick"}
    url = f"/api/v1/pupils/{OLA}/absence-reports"
    results = await asyncio.gather(*(client.post(url, headers=headers, json=body) for _ in range(3)))
    assert [r.status_code for r in results] == [201, 201, 201]
    assert len({r.json()["id"] for r in results}) == 1
    assert sum(r.headers.get("idempotent-replayed") == "true" for r in results) == 2
    assert await db.fetchval("SELECT count(*) FROM absence_reports WHERE pupil_id = $1", OLA) == 1
    assert await advisory_locks(db) == 0
