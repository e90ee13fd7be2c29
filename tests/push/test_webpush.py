"""Web Push through the real dispatcher to a local push service that checks VAPID and decrypts."""

from __future__ import annotations

import uuid
from datetime import time, timedelta

import asyncpg
import pytest

from backend.lib.clock import Clock
from notifications.outbox import notify
from tests.fakes.web_push_service import FakeWebPushService
from tests.support.demo import person
from tests.support.push import add_browser, add_device, deliveries_of, make_dispatcher

HANSEN = person("guardian.hansen")
OLA = person("pupil.ola")
CASE = uuid.UUID(int=7)


async def _notify(
    db: asyncpg.Connection, clock: Clock, *, kind: str = "still_sick", urgent: bool = False, **extra: object
) -> uuid.UUID:
    [nid] = await notify(
        db,
        recipients=[HANSEN],
        kind=kind,
        data={"pupil_id": OLA, "case_id": CASE},
        params={"pupil": "Ola", "subject": "Matematikk", "sender": "Kontaktlærer"},
        urgent=urgent,
        now=clock.now(),
        **extra,  # type: ignore[arg-type]
    )
    return nid


async def test_an_urgent_push_arrives_signed_and_decrypts_to_the_inbox_text(
    db, clock, pool, both_transports, web_push_service: FakeWebPushService, vapid_key
):
    sub = web_push_service.subscribe()
    token = await add_browser(db, HANSEN, sub.as_json())
    nid = await _notify(db, clock, kind="missing_pupil", urgent=True, collapse_key="missing_case:7")

    stats = await make_dispatcher(pool, both_transports, clock).run_once()

    assert stats.sent == 1
    [got] = web_push_service.received(sub)
    inbox = await db.fetchrow("SELECT title, body FROM notifications WHERE id = $1", nid)
    # The same text as the app's push (never a reason or a message body), the ids, the page to open.
    assert got.payload["title"] == inbox["title"] and got.payload["body"] == inbox["body"]
    assert got.payload["data"] == {
        "pupil_id": str(OLA),
        "case_id": str(CASE),
        "kind": "missing_pupil",
        "notification_id": str(nid),
    }
    assert got.payload["url"] == f"/web/cases/{CASE}"
    assert got.payload["urgent"] is True
    # RFC 8030 headers; RFC 8292 VAPID signed by our key for this push service.
    assert got.headers["TTL"] == "3600"
    assert got.headers["Urgency"] == "high"
    assert len(got.headers["Topic"]) == 32
    assert got.headers["Authorization"].startswith("vapid t=")
    assert got.vapid_key == vapid_key.public_key
    assert got.claims["aud"] == web_push_service.origin
    assert got.claims["sub"] == "mailto:drift@skolebro.test"
    [row] = await deliveries_of(db, token)
    assert row["status"] == "sent" and row["attempts"] == 1


async def test_an_ordinary_push_is_normal_urgency_and_lives_a_day(
    db, clock, pool, both_transports, web_push_service
):
    sub = web_push_service.subscribe()
    await add_browser(db, HANSEN, sub.as_json())
    await _notify(db, clock, kind="assessment_published")
    await make_dispatcher(pool, both_transports, clock).run_once()
    [got] = web_push_service.received(sub)
    assert got.headers["Urgency"] == "normal"
    assert got.headers["TTL"] == "86400"
    assert "Topic" not in got.headers


async def test_apps_and_browsers_of_one_person_are_sent_in_one_round(
    db, clock, pool, both_transports, web_push_service, fcm
):
    sub = web_push_service.subscribe()
    await add_browser(db, HANSEN, sub.as_json())
    phone = await add_device(db, HANSEN)
    await _notify(db, clock)
    stats = await make_dispatcher(pool, both_transports, clock).run_once()
    assert stats.sent == 2
    assert len(web_push_service.received(sub)) == 1
    assert len(fcm.received(phone)) == 1


@pytest.mark.parametrize("status", [404, 410])
async def test_a_gone_subscription_is_removed_at_once_with_its_queue(
    db, clock, pool, both_transports, web_push_service, status
):
    sub = web_push_service.subscribe()
    token = await add_browser(db, HANSEN, sub.as_json())
    web_push_service.script(sub, status)
    await _notify(db, clock)
    # A second push, held back until later: it must not follow.
    await _notify(db, clock, kind="message", push_after={HANSEN: clock.now() + timedelta(hours=2)})

    stats = await make_dispatcher(pool, both_transports, clock).run_once()

    assert stats.tokens_removed == 1
    assert await db.fetchval("SELECT count(*) FROM devices WHERE token = $1", token) == 0
    assert [r["status"] for r in await deliveries_of(db, token)] == ["dropped", "dropped"]


async def test_server_trouble_is_retried_with_backoff(db, clock, pool, both_transports, web_push_service):
    sub = web_push_service.subscribe()
    token = await add_browser(db, HANSEN, sub.as_json())
    web_push_service.script(sub, 503)
    await _notify(db, clock)

    stats = await make_dispatcher(pool, both_transports, clock).run_once()
    assert stats.retried == 1
    [row] = await deliveries_of(db, token)
    assert row["status"] == "pending" and row["due_at"] > clock.now()

    clock.set(row["due_at"] + timedelta(seconds=0.1))
    stats = await make_dispatcher(pool, both_transports, clock).run_once()
    assert stats.sent == 1
    [row] = await deliveries_of(db, token)
    assert row["status"] == "sent" and row["attempts"] == 2
    assert len(web_push_service.received(sub)) == 1


async def test_too_many_requests_waits_for_retry_after(db, clock, pool, both_transports, web_push_service):
    sub = web_push_service.subscribe()
    token = await add_browser(db, HANSEN, sub.as_json())
    web_push_service.script(sub, 429)
    await _notify(db, clock)
    stats = await make_dispatcher(pool, both_transports, clock).run_once()
    assert stats.rate_limited == 1
    [row] = await deliveries_of(db, token)
    assert row["status"] == "pending"
    assert row["due_at"] - clock.now() >= timedelta(seconds=29)


async def test_preferences_and_quiet_hours_apply_as_for_the_app(
    db, clock, pool, both_transports, web_push_service
):
    sub = web_push_service.subscribe()
    token = await add_browser(db, HANSEN, sub.as_json())
    # Messages switched off; quiet hours 22:00-08:00 Norwegian time (it is 07:00 there).
    await db.execute(
        "INSERT INTO notification_preferences (person_id, push_messages, push_grades, push_absence,"
        " push_reminders, quiet_start, quiet_end) VALUES ($1, false, true, true, true, $2, $3)",
        HANSEN,
        time(22, 0),
        time(8, 0),
    )
    await _notify(db, clock, kind="message")
    await _notify(db, clock, kind="assessment_published")
    await _notify(db, clock, kind="missing_pupil", urgent=True)

    await make_dispatcher(pool, both_transports, clock).run_once()

    # Only the urgent one now; the grade waits for 08:00; the message is not pushed at all.
    assert [r.payload["data"]["kind"] for r in web_push_service.received(sub)] == ["missing_pupil"]
    rows = await deliveries_of(db, token)
    assert sorted((r["kind"], r["status"]) for r in rows) == [
        ("assessment_published", "pending"),
        ("missing_pupil", "sent"),
    ]
    clock.set(clock.now() + timedelta(hours=1, seconds=1))
    await make_dispatcher(pool, both_transports, clock).run_once()
    assert [r.payload["data"]["kind"] for r in web_push_service.received(sub)] == [
        "missing_pupil",
        "assessment_published",
    ]


async def test_a_push_the_service_cannot_verify_is_not_delivered(db, clock, pool, web_push_service, fcm):
    """The fake checks for real: a JWT for another audience is refused (403) and the push fails."""
    from notifications.transports import LogTransport
    from notifications.webpush import PushRouter, WebPushTransport, generate_vapid_key

    sub = web_push_service.subscribe()
    token = await add_browser(db, HANSEN, sub.as_json())
    web = WebPushTransport(generate_vapid_key(), "mailto:drift@skolebro.test", timeout=5.0)
    # Sign for another origin than the endpoint's.
    web._signed[web_push_service.origin] = (
        9e12,
        web._vapid.sign({"sub": "mailto:x@skolebro.test", "aud": "http://127.0.0.1:1", "exp": 2**31}),
    )
    router = PushRouter(LogTransport(), web)
    try:
        await _notify(db, clock)
        stats = await make_dispatcher(pool, router, clock).run_once()
    finally:
        await web.close()
    assert stats.failed == 1
    assert web_push_service.received(sub) == []
    [refused] = web_push_service.received(sub, delivered_only=False)
    assert refused.status == 403
    [row] = await deliveries_of(db, token)
    assert row["status"] == "failed"


async def test_serve_sends_to_a_browser_registered_through_the_api(runtime, db, clock, web_push_service):
    """The whole path as deployed: the API hands out the key, the browser registers, the
    background dispatcher signs with the same key and the push decrypts."""
    from litestar.testing import AsyncTestClient

    from backend.app.background import background_tasks
    from backend.app.factory import create_app
    from tests.support.waiting import eventually

    app = create_app(runtime=runtime, background=background_tasks(scheduler=False, dispatcher=True))
    sub = web_push_service.subscribe()
    async with AsyncTestClient(app=app) as client:
        public_key = (await client.get("/api/v1/webpush/public-key")).json()["public_key"]
        login = await client.post(
            "/api/v1/auth/dev-login", json={"username": "guardian.hansen", "client": "app"}
        )
        auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
        r = await client.post(
            "/api/v1/me/devices",
            headers=auth,
            json={"platform": "webpush", "subscription": sub.as_json()},
        )
        assert r.status_code == 201, r.text
        async with db.transaction():
            await _notify(db, clock, kind="missing_pupil", urgent=True)

        async def delivered() -> bool:
            return bool(web_push_service.received(sub))

        await eventually(delivered, within=10)
    [got] = web_push_service.received(sub)
    assert got.vapid_key == public_key
    assert got.payload["data"]["kind"] == "missing_pupil"
