"""The Me endpoints for push devices, push preferences and the inbox; device housekeeping."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from notifications.devices import prune_stale_devices
from notifications.outbox import notify
from tests.support.demo import person
from tests.support.push import add_device, deliveries_of, make_dispatcher

HANSEN = person("guardian.hansen")
NILSEN = person("guardian.nilsen")
OLA = person("pupil.ola")

# Everyone who is not guardian.hansen, for "someone else's device/notification".
OUTSIDERS = [
    "guardian.nilsen",
    "guardian.blocked",
    "guardian.readonly",
    "teacher.3a",
    "teacher.other",
    "leader",
    "leader.other",
    "pupil.ola",
    "pupil.other",
]


async def _register(client, tokens, username="guardian.hansen", **body):
    payload = {"token": "tok-phone-1", "platform": "ios", **body}
    return await client.post("/api/v1/me/devices", json=payload, headers=await tokens.headers(username))


# --- devices -------------------------------------------------------------------


async def test_register_then_refresh_a_device(client, tokens, db, clock):
    r = await _register(client, tokens, locale="nn", app_version="1.2.0")
    assert r.status_code == 201, r.text
    first = r.json()
    assert first["platform"] == "ios" and first["locale"] == "nn"
    assert first["app_version"] == "1.2.0"

    clock.set(clock.now() + timedelta(days=3))
    tokens.forget()  # three days on, the app signs in again
    r = await _register(client, tokens, app_version="1.3.0")
    assert r.status_code == 200
    again = r.json()
    assert again["id"] == first["id"]
    assert again["app_version"] == "1.3.0" and again["locale"] == "nn"
    assert datetime.fromisoformat(again["last_seen_at"]) > datetime.fromisoformat(first["last_seen_at"])
    assert await db.fetchval("SELECT count(*) FROM devices WHERE person_id = $1", HANSEN) == 1


async def test_a_token_registered_by_another_user_moves_to_them(
    client, tokens, db, clock, pool, transport, fcm
):
    old = (await _register(client, tokens, token="tok-shared")).json()
    # Something is queued for Hansen's phone when Nilsen signs in on it.
    await notify(
        db,
        recipients=[HANSEN],
        kind="still_sick",
        data={"pupil_id": OLA},
        params={"pupil": "Ola"},
        now=clock.now(),
    )
    r = await _register(client, tokens, "guardian.nilsen", token="tok-shared")
    assert r.status_code == 201
    moved = r.json()
    assert moved["id"] != old["id"]
    owner = await db.fetchval("SELECT person_id FROM devices WHERE token = 'tok-shared'")
    assert owner == NILSEN
    # Hansen's old id is no longer his to delete.
    r = await client.delete(
        f"/api/v1/me/devices/{old['id']}", headers=await tokens.headers("guardian.hansen")
    )
    assert r.status_code == 404

    await notify(
        db,
        recipients=[NILSEN],
        kind="still_sick",
        data={"pupil_id": OLA},
        params={"pupil": "Ola"},
        now=clock.now(),
    )
    await make_dispatcher(pool, transport, clock).run_once()
    pushes = fcm.received("tok-shared")
    # Only Nilsen's push reached the phone; Hansen's was dropped with the move.
    assert len(pushes) == 1
    nid = uuid.UUID(pushes[0].message["data"]["notification_id"])
    assert await db.fetchval("SELECT person_id FROM notifications WHERE id = $1", nid) == NILSEN


async def test_unregister_a_device(client, tokens, db, clock):
    device = (await _register(client, tokens)).json()
    await notify(
        db,
        recipients=[HANSEN],
        kind="still_sick",
        data={"pupil_id": OLA},
        params={"pupil": "Ola"},
        now=clock.now(),
    )
    headers = await tokens.headers("guardian.hansen")
    r = await client.delete(f"/api/v1/me/devices/{device['id']}", headers=headers)
    assert r.status_code == 204
    assert await db.fetchval("SELECT count(*) FROM devices") == 0
    [row] = await deliveries_of(db, "tok-phone-1")
    assert row["status"] == "dropped"  # never pushed to a phone that signed out
    r = await client.delete(f"/api/v1/me/devices/{device['id']}", headers=headers)
    assert r.status_code == 404


@pytest.mark.parametrize("outsider", OUTSIDERS)
async def test_someone_elses_device_is_404(client, tokens, db, outsider):
    device = (await _register(client, tokens)).json()
    r = await client.delete(f"/api/v1/me/devices/{device['id']}", headers=await tokens.headers(outsider))
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    assert await db.fetchval("SELECT count(*) FROM devices WHERE id = $1", uuid.UUID(device["id"])) == 1


async def test_logout_with_the_device_id_unregisters_it(client, tokens, db):
    login = await client.post("/api/v1/auth/dev-login", json={"username": "guardian.hansen", "client": "app"})
    auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
    device = (
        await client.post("/api/v1/me/devices", headers=auth, json={"token": "tok-x", "platform": "android"})
    ).json()
    await notify(
        db,
        recipients=[HANSEN],
        kind="still_sick",
        data={"pupil_id": OLA},
        params={"pupil": "Ola"},
        now=datetime.now(UTC),
    )
    r = await client.post(
        "/api/v1/auth/logout",
        headers=auth,
        json={"refresh_token": login.json()["refresh_token"], "device_id": device["id"]},
    )
    assert r.status_code in (200, 204)
    assert await db.fetchval("SELECT count(*) FROM devices") == 0
    assert [r["status"] for r in await deliveries_of(db, "tok-x")] == ["dropped"]


@pytest.mark.parametrize(
    "body",
    [
        {"token": "t", "platform": "windows"},
        {"token": "", "platform": "ios"},
        {"token": "has space", "platform": "ios"},
        {"platform": "ios"},
        {"token": "t", "platform": "ios", "locale": "de"},
        {"token": "t", "platform": "ios", "app_version": "x" * 65},
        {"token": "t", "platform": "ios", "extra": 1},
    ],
)
async def test_bad_device_registrations_are_422_and_write_nothing(client, tokens, db, body):
    r = await client.post("/api/v1/me/devices", json=body, headers=await tokens.headers("guardian.hansen"))
    assert r.status_code == 422, r.text
    assert r.json()["errors"]
    assert await db.fetchval("SELECT count(*) FROM devices") == 0


async def test_malformed_json_is_400(client, tokens, db):
    headers = {**await tokens.headers("guardian.hansen"), "content-type": "application/json"}
    r = await client.post("/api/v1/me/devices", content=b"{not json", headers=headers)
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("application/problem+json")
    assert await db.fetchval("SELECT count(*) FROM devices") == 0


async def test_idempotent_registration(client, tokens, db):
    headers = {**await tokens.headers("guardian.hansen"), "Idempotency-Key": "k-1"}
    body = {"token": "tok-idem", "platform": "android"}
    first = await client.post("/api/v1/me/devices", json=body, headers=headers)
    again = await client.post("/api/v1/me/devices", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    other = await client.post(
        "/api/v1/me/devices", headers=headers, json={"token": "tok-other", "platform": "android"}
    )
    assert other.status_code == 422
    assert await db.fetchval("SELECT count(*) FROM devices") == 1


async def test_devices_are_pruned_after_270_days_unused(db, clock):
    now = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    stale = await add_device(db, HANSEN, last_seen=now - timedelta(days=271))
    fresh = await add_device(db, HANSEN, last_seen=now - timedelta(days=269))
    await notify(
        db, recipients=[HANSEN], kind="still_sick", data={"pupil_id": OLA}, params={"pupil": "Ola"}, now=now
    )
    assert await prune_stale_devices(db, now) == 1
    left = [r["token"] for r in await db.fetch("SELECT token FROM devices")]
    assert left == [fresh]
    assert [r["status"] for r in await deliveries_of(db, stale)] == ["dropped"]
    assert [r["status"] for r in await deliveries_of(db, fresh)] == ["pending"]
    assert await prune_stale_devices(db, now) == 0  # safe to run again


# --- preferences ---------------------------------------------------------------


async def test_preferences_default_to_everything_pushed(client, tokens):
    r = await client.get(
        "/api/v1/me/notification-preferences", headers=await tokens.headers("guardian.hansen")
    )
    assert r.status_code == 200
    assert r.json() == {
        "push": {"messages": True, "grades": True, "absence": True, "reminders": True},
        "quiet_hours": None,
        "locale": "nb",
    }


async def test_preferences_are_saved_and_the_language_follows(client, tokens):
    headers = await tokens.headers("guardian.hansen")
    body = {
        "push": {"messages": False, "grades": True, "absence": True, "reminders": False},
        "quiet_hours": {"start": "22:00", "end": "06:30"},
        "locale": "nn",
    }
    r = await client.put("/api/v1/me/notification-preferences", json=body, headers=headers)
    assert r.status_code == 200 and r.json() == body
    assert (await client.get("/api/v1/me/notification-preferences", headers=headers)).json() == body
    assert (await client.get("/api/v1/me", headers=headers)).json()["locale"] == "nn"
    # Problems now come in Nynorsk for this user's app too (texts by locale).
    body["quiet_hours"] = None
    r = await client.put("/api/v1/me/notification-preferences", json=body, headers=headers)
    assert r.json()["quiet_hours"] is None


async def test_a_new_locale_changes_the_language_of_later_notifications(client, tokens, db, clock):
    headers = await tokens.headers("guardian.hansen")
    body = {
        "push": {"messages": True, "grades": True, "absence": True, "reminders": True},
        "quiet_hours": None,
        "locale": "en",
    }
    await client.put("/api/v1/me/notification-preferences", json=body, headers=headers)
    await notify(
        db,
        recipients=[HANSEN],
        kind="still_sick",
        data={"pupil_id": OLA},
        params={"pupil": "Ola"},
        now=clock.now(),
    )
    items = (await client.get("/api/v1/me/notifications", headers=headers)).json()["items"]
    assert items[0]["title"] == "Is Ola still sick?"


@pytest.mark.parametrize(
    "change",
    [
        {"quiet_hours": {"start": "22:00", "end": "22:00"}},
        {"quiet_hours": {"start": "25:00", "end": "06:00"}},
        {"quiet_hours": {"start": "7:00", "end": "08:00"}},
        {"locale": "sv"},
        {"push": {"messages": True}},
        {"push": {"messages": "yes", "grades": True, "absence": True, "reminders": True}},
        {"surprise": True},
    ],
)
async def test_bad_preferences_are_422_and_change_nothing(client, tokens, db, change):
    headers = await tokens.headers("guardian.hansen")
    body = {
        "push": {"messages": False, "grades": True, "absence": True, "reminders": True},
        "quiet_hours": None,
        "locale": "en",
        **change,
    }
    r = await client.put("/api/v1/me/notification-preferences", json=body, headers=headers)
    assert r.status_code == 422, r.text
    assert await db.fetchval("SELECT count(*) FROM notification_preferences") == 0
    assert await db.fetchval("SELECT locale FROM people WHERE id = $1", HANSEN) == "nb"


# --- inbox ---------------------------------------------------------------------


async def _inbox_items(db, clock, count: int, who=HANSEN) -> list[uuid.UUID]:
    ids = []
    start = clock.now()
    for i in range(count):
        [nid] = await notify(
            db,
            recipients=[who],
            kind="missing_pupil" if i == 0 else "still_sick",
            data={"pupil_id": OLA},
            params={"pupil": "Ola"},
            urgent=i == 0,
            now=start + timedelta(minutes=i),
        )
        ids.append(nid)
    return ids


async def test_the_inbox_is_newest_first_and_paginated(client, tokens, db, clock):
    ids = await _inbox_items(db, clock, 5)
    headers = await tokens.headers("guardian.hansen")
    r = await client.get("/api/v1/me/notifications?limit=2", headers=headers)
    assert r.status_code == 200
    page = r.json()
    seen = [i["id"] for i in page["items"]]
    while page["next_cursor"]:
        page = (
            await client.get(
                f"/api/v1/me/notifications?limit=2&cursor={page['next_cursor']}", headers=headers
            )
        ).json()
        seen += [i["id"] for i in page["items"]]
    assert seen == [str(i) for i in reversed(ids)]
    first = (await client.get("/api/v1/me/notifications", headers=headers)).json()["items"]
    oldest = first[-1]
    assert oldest["kind"] == "missing_pupil" and oldest["urgent"] is True
    assert oldest["data"] == {"pupil_id": str(OLA)} and oldest["read_at"] is None
    assert set(oldest) == {"id", "kind", "title", "body", "data", "urgent", "created_at", "read_at"}


async def test_mark_read(client, tokens, db, clock):
    [nid] = await _inbox_items(db, clock, 1)
    headers = await tokens.headers("guardian.hansen")
    r = await client.post(f"/api/v1/me/notifications/{nid}/read", headers=headers)
    assert r.status_code == 204
    first = await db.fetchval("SELECT read_at FROM notifications WHERE id = $1", nid)
    assert first is not None
    clock.set(clock.now() + timedelta(minutes=5))
    r = await client.post(f"/api/v1/me/notifications/{nid}/read", headers=headers)
    assert r.status_code == 204
    assert await db.fetchval("SELECT read_at FROM notifications WHERE id = $1", nid) == first
    items = (await client.get("/api/v1/me/notifications", headers=headers)).json()["items"]
    assert items[0]["read_at"] is not None


async def test_reading_in_the_app_cancels_a_push_not_yet_sent(client, tokens, db, clock):
    token = await add_device(db, HANSEN)
    await db.execute(
        "INSERT INTO notification_preferences (person_id, quiet_start, quiet_end)"
        " VALUES ($1, '00:00', '23:59')",
        HANSEN,
    )
    [nid] = await notify(
        db,
        recipients=[HANSEN],
        kind="message",
        data={"thread_id": OLA},
        params={"sender": "Lærer"},
        now=clock.now(),
    )
    r = await client.post(
        f"/api/v1/me/notifications/{nid}/read", headers=await tokens.headers("guardian.hansen")
    )
    assert r.status_code == 204
    assert [r["status"] for r in await deliveries_of(db, token)] == ["dropped"]


@pytest.mark.parametrize("outsider", OUTSIDERS)
async def test_someone_elses_notification_is_404_and_invisible(client, tokens, db, clock, outsider):
    [nid] = await _inbox_items(db, clock, 1)
    headers = await tokens.headers(outsider)
    r = await client.post(f"/api/v1/me/notifications/{nid}/read", headers=headers)
    assert r.status_code == 404
    assert await db.fetchval("SELECT read_at FROM notifications WHERE id = $1", nid) is None
    items = (await client.get("/api/v1/me/notifications", headers=headers)).json()["items"]
    assert str(nid) not in {i["id"] for i in items}


async def test_unknown_notification_is_404(client, tokens):
    r = await client.post(
        f"/api/v1/me/notifications/{uuid.uuid4()}/read", headers=await tokens.headers("guardian.hansen")
    )
    assert r.status_code == 404


@pytest.mark.parametrize("query", ["limit=0", "limit=201", "cursor=!!!", "limit=x"])
async def test_bad_inbox_queries_are_rejected(client, tokens, query):
    r = await client.get(f"/api/v1/me/notifications?{query}", headers=await tokens.headers("guardian.hansen"))
    assert r.status_code in (400, 422)
    assert r.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/me/devices"),
        ("DELETE", f"/api/v1/me/devices/{uuid.uuid4()}"),
        ("GET", "/api/v1/me/notification-preferences"),
        ("PUT", "/api/v1/me/notification-preferences"),
        ("GET", "/api/v1/me/notifications"),
        ("POST", f"/api/v1/me/notifications/{uuid.uuid4()}/read"),
    ],
)
async def test_no_token_is_401(client, method, path):
    r = await client.request(method, path, json={} if method in ("POST", "PUT") else None)
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")


async def test_the_contract_is_in_the_openapi_document(client):
    spec = (await client.get("/schema/openapi.json")).json()
    paths = spec["paths"]
    assert {"200", "201", "422"} <= set(paths["/api/v1/me/devices"]["post"]["responses"])
    assert {"delete"} <= set(paths["/api/v1/me/devices/{device_id}"])
    assert {"get", "put"} <= set(paths["/api/v1/me/notification-preferences"])
    assert {"get"} <= set(paths["/api/v1/me/notifications"])
    assert {"post"} <= set(paths["/api/v1/me/notifications/{notification_id}/read"])


async def test_daily_job_prunes_devices_unused_for_270_days_once_a_day(client, tokens, db):
    from datetime import timedelta

    from tests.support.demo import DEFAULT_NOW, person

    for owner, seen, token in (
        (person("guardian.hansen"), DEFAULT_NOW - timedelta(days=271), "old-token"),
        (person("guardian.nilsen"), DEFAULT_NOW - timedelta(days=269), "fresh-token"),
    ):
        await db.execute(
            "INSERT INTO devices (id, person_id, token, platform, created_at, last_seen_at)"
            " VALUES (gen_random_uuid(), $1, $2, 'ios', $3, $3)",
            owner,
            token,
            seen,
        )
    headers = await tokens.headers("leader")

    async def run() -> dict[str, int]:
        r = await client.post("/api/v1/dev/jobs/prune-devices/run", headers=headers)
        assert r.status_code == 200, r.text
        return r.json()["effects"]  # type: ignore[no-any-return]

    assert await run() == {"devices_removed": 1}
    assert {r["token"] for r in await db.fetch("SELECT token FROM devices")} == {"fresh-token"}
    # Claimed for the day: a second replica or a re-run does nothing more.
    assert await run() == {"devices_removed": 0}
