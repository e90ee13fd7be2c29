"""The push dispatcher against a fake FCM (HTTP/2 over TLS) driven by the real firebase-admin."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import asyncpg

from backend.lib.clock import Clock
from notifications.dispatcher import DispatcherConfig
from notifications.outbox import notify
from notifications.transports import LogTransport
from tests.fakes.fcm import FakeFCM
from tests.support.demo import person
from tests.support.push import FAST, add_device, deliveries_of, make_dispatcher
from tests.support.waiting import eventually

ROOT = Path(__file__).resolve().parents[2]

HANSEN = person("guardian.hansen")
NILSEN = person("guardian.nilsen")
OLA = person("pupil.ola")


async def _notify_one(
    db: asyncpg.Connection,
    clock: Clock,
    *,
    kind: str = "still_sick",
    urgent: bool = False,
    recipient: uuid.UUID = HANSEN,
    collapse_key: str | None = None,
) -> uuid.UUID:
    [nid] = await notify(
        db,
        recipients=[recipient],
        kind=kind,
        data={"pupil_id": OLA, "case_id": uuid.UUID(int=7)},
        params={"pupil": "Ola", "subject": "Matematikk"},
        urgent=urgent,
        now=clock.now(),
        collapse_key=collapse_key,
    )
    return nid


async def test_a_push_reaches_fcm_with_the_inbox_text_and_ids(db, clock, pool, transport, fcm):
    token = await add_device(db, HANSEN)
    nid = await _notify_one(db, clock, kind="missing_pupil", urgent=True, collapse_key="missing_case:7")
    stats = await make_dispatcher(pool, transport, clock).run_once()

    assert stats.sent == 1
    [got] = fcm.received(token)
    inbox = await db.fetchrow("SELECT title, body FROM notifications WHERE id = $1", nid)
    message = got.message
    # The FCM path: firebase-admin's encoding over our HTTP/1.1 pool.
    assert got.http_version == "1.1"
    assert message["notification"] == {"title": inbox["title"], "body": inbox["body"]}
    assert message["data"] == {
        "pupil_id": str(OLA),
        "case_id": str(uuid.UUID(int=7)),
        "kind": "missing_pupil",
        "notification_id": str(nid),
    }
    # Urgent: high priority everywhere, time-sensitive on iOS, short TTL, one per case.
    assert message["android"]["priority"] == "high"
    assert message["android"]["ttl"] == "3600s"
    assert message["android"]["collapse_key"] == "missing_case:7"
    assert message["apns"]["headers"]["apns-priority"] == "10"
    assert message["apns"]["headers"]["apns-collapse-id"] == "missing_case:7"
    assert message["apns"]["payload"]["aps"]["interruption-level"] == "time-sensitive"
    assert message["webpush"]["headers"]["Urgency"] == "high"
    [row] = await deliveries_of(db, token)
    assert row["status"] == "sent" and row["attempts"] == 1 and row["sent_at"] is not None


async def test_an_ordinary_push_is_normal_priority_and_lives_a_day(db, clock, pool, transport, fcm):
    token = await add_device(db, HANSEN)
    await _notify_one(db, clock, kind="assessment_published")
    await make_dispatcher(pool, transport, clock).run_once()
    [got] = fcm.received(token)
    assert got.message["android"]["priority"] == "normal"
    assert got.message["android"]["ttl"] == "86400s"
    assert got.message["apns"]["headers"]["apns-priority"] == "5"
    assert "interruption-level" not in got.message["apns"]["payload"]["aps"]


async def test_urgent_deliveries_are_claimed_first(db, clock, pool, transport, fcm):
    ordinary = await add_device(db, NILSEN)
    urgent = await add_device(db, HANSEN)
    await _notify_one(db, clock, recipient=NILSEN)
    await _notify_one(db, clock, kind="missing_pupil", urgent=True)
    config = DispatcherConfig(batch_size=1, workers=1)
    await make_dispatcher(pool, transport, clock, config).dispatch_round()
    assert [r.token for r in fcm.received()] == [urgent]
    await make_dispatcher(pool, transport, clock, config).dispatch_round()
    assert [r.token for r in fcm.received()] == [urgent, ordinary]


async def test_unregistered_token_deletes_the_device_and_its_queue(db, clock, pool, transport, fcm):
    token = await add_device(db, HANSEN, f"unregistered-{uuid.uuid4().hex}")
    await _notify_one(db, clock)
    # A second push for the same phone, held back (office hours) until later.
    await notify(
        db,
        recipients=[HANSEN],
        kind="message",
        data={"thread_id": uuid.uuid4()},
        params={"sender": "Kontaktlærer"},
        now=clock.now(),
        push_after={HANSEN: clock.now() + timedelta(hours=2)},
    )
    stats = await make_dispatcher(pool, transport, clock).run_once()

    assert stats.tokens_removed == 1
    assert await db.fetchval("SELECT count(*) FROM devices WHERE token = $1", token) == 0
    rows = await deliveries_of(db, token)
    assert [r["status"] for r in rows] == ["dropped", "dropped"]
    assert "UNREGISTERED" in rows[0]["last_error"] or "NOT_FOUND" in rows[0]["last_error"]
    clock.set(clock.now() + timedelta(hours=3))
    await make_dispatcher(pool, transport, clock).run_once()
    assert len(fcm.received(token)) == 1  # the held push never went


async def test_invalid_token_deletes_the_device(db, clock, pool, transport, fcm):
    token = await add_device(db, HANSEN, f"invalid-{uuid.uuid4().hex}")
    await _notify_one(db, clock)
    await make_dispatcher(pool, transport, clock).run_once()
    assert await db.fetchval("SELECT count(*) FROM devices WHERE token = $1", token) == 0
    [row] = await deliveries_of(db, token)
    assert row["status"] == "dropped" and "INVALID_ARGUMENT" in row["last_error"]


async def test_a_message_fcm_refuses_fails_but_keeps_the_device(db, clock, pool, transport, fcm, caplog):
    token = await add_device(db, HANSEN, f"badmessage-{uuid.uuid4().hex}")
    await _notify_one(db, clock)
    with caplog.at_level(logging.ERROR, logger="skolebro.push"):
        await make_dispatcher(pool, transport, clock).run_once()
    [row] = await deliveries_of(db, token)
    assert row["status"] == "failed"
    assert await db.fetchval("SELECT count(*) FROM devices WHERE token = $1", token) == 1
    assert any("failed for good" in r.getMessage() for r in caplog.records)


async def test_429_waits_for_retry_after(db, clock, pool, transport, fcm):
    token = await add_device(db, HANSEN)
    fcm.retry_after = 30
    fcm.script(token, "QUOTA_EXCEEDED", "ok")
    await _notify_one(db, clock)
    start = clock.now()
    stats = await make_dispatcher(pool, transport, clock).run_once()
    assert stats.rate_limited == 1
    [row] = await deliveries_of(db, token)
    assert row["status"] == "pending"
    assert timedelta(seconds=29) <= row["due_at"] - start <= timedelta(seconds=32)

    clock.set(start + timedelta(seconds=25))
    await make_dispatcher(pool, transport, clock).run_once()
    assert len(fcm.received(token)) == 1  # not retried before Retry-After

    clock.set(start + timedelta(seconds=35))
    await make_dispatcher(pool, transport, clock).run_once()
    assert [r.answer for r in fcm.received(token)] == ["QUOTA_EXCEEDED", "ok"]
    [row] = await deliveries_of(db, token)
    assert row["status"] == "sent"


async def test_503_is_retried_with_growing_backoff_then_sent_once(db, clock, pool, transport, fcm):
    token = await add_device(db, HANSEN)
    fcm.script(token, "UNAVAILABLE", "INTERNAL", "ok")
    await _notify_one(db, clock)
    dispatcher = make_dispatcher(pool, transport, clock)
    t0 = clock.now()
    await dispatcher.run_once()
    [row] = await deliveries_of(db, token)
    first_wait = row["due_at"] - t0
    # Equal jitter on a 10 s base: between 5 and 10 seconds.
    assert row["status"] == "pending"
    assert timedelta(seconds=4.9) <= first_wait <= timedelta(seconds=10.1)

    await dispatcher.run_once()  # not due yet: nothing is sent
    assert len(fcm.received(token)) == 1

    t1 = row["due_at"] + timedelta(seconds=0.1)
    clock.set(t1)
    await dispatcher.run_once()
    [row] = await deliveries_of(db, token)
    second_wait = row["due_at"] - t1
    assert timedelta(seconds=9.9) <= second_wait <= timedelta(seconds=20.1)

    clock.set(row["due_at"] + timedelta(seconds=0.1))
    await dispatcher.run_once()
    assert [r.answer for r in fcm.received(token)] == ["UNAVAILABLE", "INTERNAL", "ok"]
    [row] = await deliveries_of(db, token)
    assert row["status"] == "sent" and row["attempts"] == 3
    assert fcm.delivered(token) == 1


async def test_gives_up_after_the_last_attempt(db, clock, pool, transport, fcm, caplog):
    token = await add_device(db, HANSEN, f"unavailable-{uuid.uuid4().hex}")
    await _notify_one(db, clock)
    dispatcher = make_dispatcher(pool, transport, clock)
    with caplog.at_level(logging.ERROR, logger="skolebro.push"):
        for _ in range(FAST.max_attempts + 2):
            await dispatcher.run_once()
            clock.set(clock.now() + timedelta(seconds=FAST.backoff_max))
    [row] = await deliveries_of(db, token)
    assert row["status"] == "failed" and row["attempts"] == FAST.max_attempts
    assert len(fcm.received(token)) == FAST.max_attempts
    assert any("failed for good" in r.getMessage() for r in caplog.records)


async def test_a_transport_failure_is_retried(db, clock, pool, fcm):
    from notifications.transports import FcmTransport

    token = await add_device(db, HANSEN)
    await _notify_one(db, clock)
    # Nothing listens on this port: the connection itself fails.
    dead = FcmTransport(
        fcm.service_account(), endpoint="https://127.0.0.1:9", ca_file=fcm.ca_file, timeout=2.0
    )
    try:
        stats = await make_dispatcher(pool, dead, clock).run_once()
    finally:
        await dead.close()
    assert stats.retried == 1
    [row] = await deliveries_of(db, token)
    assert row["status"] == "pending" and row["due_at"] > clock.now()


async def test_no_row_lock_is_held_while_fcm_answers(db, clock, pool, transport, fcm):
    token = await add_device(db, HANSEN)
    await _notify_one(db, clock)
    fcm.paused.set()
    run = asyncio.create_task(make_dispatcher(pool, transport, clock).run_once())
    await asyncio.to_thread(fcm.first_send.wait, 10)
    async with db.transaction():
        # NOWAIT fails at once if anyone still holds a lock on the row.
        row = await db.fetchrow("SELECT status FROM deliveries WHERE token = $1 FOR UPDATE NOWAIT", token)
    assert row["status"] == "sending"
    fcm.paused.clear()
    await run
    assert (await deliveries_of(db, token))[0]["status"] == "sent"


async def _count(db: asyncpg.Connection, status: str) -> bool:
    return bool(await db.fetchval("SELECT count(*) FROM deliveries WHERE status = $1", status))


async def _many(db: asyncpg.Connection, clock: Clock, count: int, *, kind: str = "still_sick") -> list[str]:
    people = [uuid.uuid4() for _ in range(count)]
    tokens = [f"tok-{i}-{uuid.uuid4().hex[:8]}" for i in range(count)]
    await db.executemany(
        "INSERT INTO people (id, name) VALUES ($1, $2)", [(p, f"Person {i}") for i, p in enumerate(people)]
    )
    await db.executemany(
        "INSERT INTO devices (id, person_id, token, platform, created_at, last_seen_at)"
        " VALUES ($1, $2, $3, 'android', $4, $4)",
        [(uuid.uuid4(), p, t, clock.now()) for p, t in zip(people, tokens, strict=True)],
    )
    async with db.transaction():
        await notify(
            db,
            recipients=people,
            kind=kind,
            data={"pupil_id": OLA},
            params={"pupil": "Ola"},
            now=clock.now(),
        )
    return tokens


async def test_two_dispatchers_send_each_delivery_exactly_once(db, clock, pool, db_dsn, fcm):
    from notifications.transports import FcmTransport

    tokens = await _many(db, clock, 1000)
    transports = [
        FcmTransport(fcm.service_account(), endpoint=fcm.endpoint, ca_file=fcm.ca_file) for _ in range(2)
    ]
    config = DispatcherConfig(batch_size=100, chunk_size=25, max_in_flight=50)
    try:
        results = await asyncio.gather(
            *(make_dispatcher(pool, t, clock, config).run_once() for t in transports)
        )
    finally:
        for t in transports:
            await t.close()
    assert sum(r.sent for r in results) == 1000
    assert all(r.sent > 0 for r in results), "both dispatchers took a share"
    assert all(fcm.delivered(t) == 1 for t in tokens)
    assert len(fcm.received()) == 1000
    assert await db.fetchval("SELECT count(*) FROM deliveries WHERE status = 'sent'") == 1000


async def test_a_dispatcher_stopped_mid_batch_is_finished_by_the_next(db, clock, pool, transport, fcm):
    from notifications.transports import FcmTransport

    tokens = await _many(db, clock, 300)
    config = DispatcherConfig(
        batch_size=300,
        chunk_size=50,
        max_in_flight=50,
        workers=1,
        lease=timedelta(seconds=60),
        shutdown_grace=0.2,
    )
    first = make_dispatcher(pool, transport, clock, config)
    fcm.latency = 0.05
    run = asyncio.create_task(first.run_once())
    # Let the first chunk be answered and recorded, then hold FCM's answers
    # and stop the dispatcher while the next chunk is on the wire.
    await eventually(lambda: _count(db, "sent"))
    fcm.paused.set()
    fcm.first_send.clear()
    await asyncio.to_thread(fcm.first_send.wait, 10)
    run.cancel()
    await asyncio.gather(run, return_exceptions=True)
    fcm.paused.clear()
    fcm.latency = 0.0

    counts = dict(await db.fetch("SELECT status, count(*) FROM deliveries GROUP BY status"))
    assert 0 < counts.get("sent", 0) < 300
    # Chunks never handed to FCM went straight back to the queue.
    assert counts.get("pending", 0) >= 100

    # The restarted dispatcher (a new process would have a new connection).
    fresh = FcmTransport(fcm.service_account(), endpoint=fcm.endpoint, ca_file=fcm.ca_file)
    try:
        second = make_dispatcher(pool, fresh, clock, config)
        await second.run_once()
        # Rows on the wire at the stop wait for their lease (or, if their
        # answer came back as an error, for their backoff): never lost.
        left = await db.fetch("SELECT status, due_at FROM deliveries WHERE status <> 'sent'")
        assert all(r["due_at"] > clock.now() for r in left)
        assert len(left) <= 2 * config.chunk_size

        clock.set(clock.now() + config.lease + timedelta(seconds=1))
        await second.run_once()
    finally:
        await fresh.close()
    assert await db.fetchval("SELECT count(*) FROM deliveries WHERE status = 'sent'") == 300
    assert all(fcm.delivered(t) >= 1 for t in tokens), "nothing lost"
    # Only chunks whose answers never came back can have gone twice.
    assert sum(fcm.delivered(t) for t in tokens) - 300 <= 2 * config.chunk_size


async def _kill_a_dispatcher_process_mid_batch(db_dsn, clock, fcm, tmp_path, *, settle: float = 0.0) -> None:
    """Run `skolebro dispatcher` until FCM has 100 pushes, wait ``settle`` seconds, then
    SIGKILL it: no goodbye, so the rows it holds stay claimed."""
    env = {
        **os.environ,
        "DATABASE_URL": db_dsn,
        "SKOLEBRO_ENV": "test",
        "SKOLEBRO_DATA_DIR": str(tmp_path),
        "SKOLEBRO_NOW": clock.now().isoformat(),
        "SKOLEBRO_FCM_CREDENTIALS": fcm.service_account(tmp_path / "sa.json"),
        "SKOLEBRO_FCM_ENDPOINT": fcm.endpoint,
        "SKOLEBRO_FCM_CA_FILE": fcm.ca_file,
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "backend.app.cli",
        "dispatcher",
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await eventually(lambda: len(fcm.received()) >= 100 or proc.returncode is not None, within=60)
        assert proc.returncode is None, "the dispatcher process died on its own"
        await asyncio.sleep(settle)
        proc.send_signal(signal.SIGKILL)
        await proc.wait()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def test_a_killed_dispatcher_process_is_finished_by_the_next(
    db, db_dsn, clock, pool, transport, fcm, tmp_path
):
    tokens = await _many(db, clock, 400)
    fcm.latency = 0.3  # slow answers, so the kill lands mid-batch
    # Killed a moment after the first wave, so it has recorded that wave and sent the next.
    await _kill_a_dispatcher_process_mid_batch(db_dsn, clock, fcm, tmp_path, settle=0.1)
    fcm.latency = 0.0
    sent = await db.fetchval("SELECT count(*) FROM deliveries WHERE status = 'sent'")
    assert sent < 400, "killed mid-batch"

    clock.set(clock.now() + timedelta(minutes=5))  # past the dead one's lease
    await make_dispatcher(pool, transport, clock).run_once()
    assert await db.fetchval("SELECT count(*) FROM deliveries WHERE status = 'sent'") == 400
    assert all(fcm.delivered(t) >= 1 for t in tokens)
    # Whatever was recorded as sent before the kill was not sent again.
    twice = sum(fcm.delivered(t) for t in tokens) - 400
    assert twice <= DispatcherConfig().max_in_flight


async def test_urgent_pushes_of_a_killed_dispatcher_go_within_seconds(
    db, db_dsn, clock, pool, transport, fcm, tmp_path
):
    # Missing-pupil alerts claimed by a dispatcher that is killed must not wait
    # out the 90-second lease: their lease is a few seconds, renewed
    # while the live dispatcher is still sending.
    tokens = await _many(db, clock, 400, kind="missing_pupil")
    fcm.latency = 0.3
    await _kill_a_dispatcher_process_mid_batch(db_dsn, clock, fcm, tmp_path)
    fcm.latency = 0.0
    killed_at = clock.now()
    assert await db.fetchval("SELECT count(*) FROM deliveries WHERE status = 'sent'") < 400
    latest = await db.fetchval("SELECT max(due_at) FROM deliveries WHERE status = 'sending'")
    assert latest is not None and (latest - killed_at).total_seconds() <= 5
    clock.set(killed_at + DispatcherConfig().urgent_lease + timedelta(seconds=1))
    await make_dispatcher(pool, transport, clock).run_once()
    assert await db.fetchval("SELECT count(*) FROM deliveries WHERE status = 'sent'") == 400
    assert all(fcm.delivered(t) >= 1 for t in tokens)


async def test_a_push_read_before_it_goes_is_not_pushed(db, clock, pool, transport, fcm):
    token = await add_device(db, HANSEN)
    nid = await _notify_one(db, clock)
    await db.execute("UPDATE notifications SET read_at = $2 WHERE id = $1", nid, clock.now())
    await make_dispatcher(pool, transport, clock).run_once()
    assert fcm.received(token) == []
    [row] = await deliveries_of(db, token)
    assert row["status"] == "dropped"


async def test_the_dispatcher_wakes_when_work_is_committed(db, db_dsn, clock, pool, transport, fcm):
    token = await add_device(db, HANSEN)
    config = DispatcherConfig(idle_poll=60.0)
    dispatcher = make_dispatcher(pool, transport, clock, config)
    task = asyncio.create_task(dispatcher.run_forever(db_dsn))
    try:
        await asyncio.sleep(0.5)  # idle, listening
        async with db.transaction():
            await _notify_one(db, clock)
            await asyncio.sleep(0.3)
            assert fcm.received(token) == []  # not before the commit
        took = await eventually(lambda: bool(fcm.received(token)), within=5)
        assert took < 2, "woken by NOTIFY, well before the 60 s poll"
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_token_refresh_never_blocks_the_event_loop(db, clock, pool, fcm):
    from notifications.transports import FcmTransport

    fcm.token_latency = 0.5  # a slow OAuth endpoint
    # Inside our 5-minute refresh margin but outside google-auth's own (3 min
    # 45 s): we refresh it ahead (in a thread) before google-auth would (inline).
    fcm.token_lifetime = 270
    t = FcmTransport(fcm.service_account(), endpoint=fcm.endpoint, ca_file=fcm.ca_file)
    token = await add_device(db, HANSEN)
    await _notify_one(db, clock)
    gaps: list[float] = []

    async def ticker() -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(0.01)
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    tick = asyncio.create_task(ticker())
    try:
        await make_dispatcher(pool, t, clock).run_once()
    finally:
        tick.cancel()
        await t.close()
    assert fcm.delivered(token) == 1
    assert len(fcm.token_requests) >= 1
    assert max(gaps) < 0.3, "the loop kept ticking while the token was fetched"


async def test_the_log_transport_only_logs(db, clock, pool, caplog):
    token = await add_device(db, HANSEN)
    await _notify_one(db, clock)
    with caplog.at_level(logging.INFO, logger="skolebro.push"):
        stats = await make_dispatcher(pool, LogTransport(), clock).run_once()
    assert stats.sent == 1
    assert (await deliveries_of(db, token))[0]["status"] == "sent"
    assert any("log transport" in r.getMessage() for r in caplog.records)
    assert not any(token in r.getMessage() for r in caplog.records)


def test_fake_fcm_answers_like_fcm(fcm: FakeFCM) -> None:
    # The stand-in's error documents carry the FCM detail firebase-admin reads.
    import httpx

    with httpx.Client(verify=fcm.ca_file, http2=True) as client:
        r = client.post(
            f"{fcm.endpoint}/v1/projects/{fcm.project}/messages:send", json={"message": {"token": "x"}}
        )
    assert r.status_code == 401 and r.http_version == "HTTP/2"
    assert json.loads(r.text)["error"]["status"] == "UNAUTHENTICATED"


async def test_serve_runs_the_dispatcher_in_the_background(runtime, db, clock):
    from litestar.testing import AsyncTestClient

    from backend.app.background import background_tasks
    from backend.app.factory import create_app

    # No SKOLEBRO_FCM_CREDENTIALS: the log transport, as in development.
    app = create_app(runtime=runtime, background=background_tasks(scheduler=False, dispatcher=True))
    async with AsyncTestClient(app=app) as client:
        login = await client.post(
            "/api/v1/auth/dev-login", json={"username": "guardian.hansen", "client": "app"}
        )
        auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
        r = await client.post(
            "/api/v1/me/devices", headers=auth, json={"token": "tok-serve", "platform": "android"}
        )
        assert r.status_code == 201
        async with db.transaction():
            await _notify_one(db, clock)

        async def sent() -> bool:
            rows = await deliveries_of(db, "tok-serve")
            return bool(rows) and rows[0]["status"] == "sent"

        await eventually(sent, within=10)
    assert background_tasks(scheduler=False, dispatcher=False) == []


def test_push_chunk_and_in_flight_are_settings_with_checked_ranges():
    import pytest

    from backend.app.settings import Settings, SettingsError

    tuned = Settings.from_env({"SKOLEBRO_PUSH_CHUNK_SIZE": "100", "SKOLEBRO_PUSH_IN_FLIGHT": "200"})
    assert (tuned.push.chunk_size, tuned.push.in_flight) == (100, 200)
    default = Settings.from_env({})
    assert (default.push.chunk_size, default.push.in_flight) == (
        DispatcherConfig().chunk_size,
        DispatcherConfig().max_in_flight,
    )
    for env, named in (
        ({"SKOLEBRO_PUSH_CHUNK_SIZE": "501"}, "SKOLEBRO_PUSH_CHUNK_SIZE"),
        ({"SKOLEBRO_PUSH_CHUNK_SIZE": "100", "SKOLEBRO_PUSH_IN_FLIGHT": "50"}, "SKOLEBRO_PUSH_IN_FLIGHT"),
    ):
        with pytest.raises(SettingsError, match=named):
            Settings.from_env(env)
