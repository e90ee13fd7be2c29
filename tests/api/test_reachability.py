"""What staff and guardians see of reaching: the call list, logged calls, contacts on
the case, one's own contact points, a class's reachability and test alerts
(api.md: Missing-pupil cases, Reachability, Me). No SMS provider or SMTP server is
configured here: texts are only logged, and still recorded on the case."""

from __future__ import annotations

import pytest

from notifications.channels import configure as configure_channels
from notifications.settings import MailSettings, SmsSettings
from tests.support.demo import CLASS_3A, OLA, SCHOOL, person
from tests.support.routine import MONDAY, oslo, pupil_row, roll_call, run_job

# These tests move the clock past a token's lifetime: a new token per call.
pytestmark = pytest.mark.fresh_tokens


async def _open_ola(client, tokens, db, clock):
    clock.set(oslo(MONDAY, 8, 40))
    r = await roll_call(client, await tokens.headers("teacher.3a"), db, CLASS_3A, MONDAY, {OLA})
    return pupil_row(r.json(), OLA)["missing_case_id"]


async def _read(client, tokens, db, username, kind):
    nid = await db.fetchval(
        "SELECT id FROM notifications WHERE person_id = $1 AND kind = $2", person(username), kind
    )
    r = await client.post(f"/api/v1/me/notifications/{nid}/read", headers=await tokens.headers(username))
    assert r.status_code == 204


async def test_call_list_for_the_class_team_not_reached_first_and_audited(client, tokens, db, clock):
    case_id = await _open_ola(client, tokens, db, clock)
    url = f"/api/v1/missing-cases/{case_id}/call-list"
    r = await client.get(url, headers=await tokens.headers("teacher.3a"))
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    # Guardians with access and their numbers; the blocked guardian is not on it.
    assert {(i["name"], i["mobile"], i["reached"]) for i in items} == {
        ("Kari Nordmann Hansen", "+4740000001", False),
        ("Per Nilsen", "+4740000002", False),
    }
    clock.set(oslo(MONDAY, 8, 42))
    await _read(client, tokens, db, "guardian.hansen", "missing_pupil")
    r = await client.get(url, headers=await tokens.headers("leader"))
    assert [(i["name"], i["reached"]) for i in r.json()["items"]] == [
        ("Per Nilsen", False),
        ("Kari Nordmann Hansen", True),
    ]
    reads = await db.fetch(
        "SELECT actor_id, pupil_id FROM audit_log WHERE action = 'missing_cases.call_list' ORDER BY at"
    )
    assert [(r["actor_id"], r["pupil_id"]) for r in reads] == [
        (person("teacher.3a"), OLA),
        (person("leader"), OLA),
    ]
    # Numbers appear nowhere else: not on the case itself.
    case = await client.get(f"/api/v1/missing-cases/{case_id}", headers=await tokens.headers("teacher.3a"))
    assert "+4740000001" not in case.text and "hansen@example.no" not in case.text
    # Closed, the list is gone.
    r = await client.post(
        f"/api/v1/missing-cases/{case_id}/resolve",
        headers=await tokens.headers("teacher.3a"),
        json={"outcome": "arrived"},
    )
    assert r.status_code == 200
    assert (await client.get(url, headers=await tokens.headers("teacher.3a"))).status_code == 404


async def test_a_logged_call_that_reached_someone_stops_the_ladder(client, tokens, db, clock):
    case_id = await _open_ola(client, tokens, db, clock)
    clock.set(oslo(MONDAY, 8, 44))
    h = await tokens.headers("team.3a")
    url = f"/api/v1/missing-cases/{case_id}/contacts"
    r = await client.post(
        url, headers=h, json={"guardian_id": str(person("guardian.hansen")), "outcome": "no_answer"}
    )
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "no_answer" and r.json()["channel"] == "call"
    r = await client.post(
        url,
        headers=h,
        json={"guardian_id": str(person("guardian.nilsen")), "outcome": "reached", "note": "På vei"},
    )
    assert r.status_code == 201
    case = (await client.get(f"/api/v1/missing-cases/{case_id}", headers=h)).json()
    assert case["reached_at"].startswith("2026-11-23T08:44")
    calls = [(c["name"], c["status"]) for c in case["contacts"] if c["channel"] == "call"]
    assert calls == [("Kari Nordmann Hansen", "no_answer"), ("Per Nilsen", "reached")]
    clock.set(oslo(MONDAY, 8, 51))
    effects = await run_job(client, tokens, "missing-pupil-sweep")
    assert effects["sms_steps"] == 0 and effects["call_steps"] == 0
    assert await db.fetchval("SELECT count(*) FROM contact_attempts WHERE channel <> 'call'") == 0


async def test_logging_a_call_to_someone_else_is_refused(client, tokens, db, clock):
    case_id = await _open_ola(client, tokens, db, clock)
    h = await tokens.headers("teacher.3a")
    url = f"/api/v1/missing-cases/{case_id}/contacts"
    for body in (
        {"guardian_id": str(person("guardian.blocked")), "outcome": "reached"},
        {"guardian_id": str(person("guardian.readonly")), "outcome": "reached"},
    ):
        r = await client.post(url, headers=h, json=body)
        assert r.status_code == 422, r.text
        assert r.json()["code"] == "missing.not_a_guardian"
    r = await client.post(
        url, headers=h, json={"guardian_id": str(person("guardian.hansen")), "outcome": "maybe"}
    )
    assert r.status_code == 400 or r.status_code == 422
    assert await db.fetchval("SELECT count(*) FROM contact_attempts") == 0
    assert await db.fetchval("SELECT reached_at FROM missing_cases") is None


async def test_unconfigured_texts_are_logged_and_recorded_and_guardians_see_their_own(
    client, tokens, db, clock
):
    case_id = await _open_ola(client, tokens, db, clock)
    clock.set(oslo(MONDAY, 8, 46))
    effects = await run_job(client, tokens, "missing-pupil-sweep")
    assert effects["sms_sent"] == 2 and effects["emails_sent"] == 2
    staff = (
        await client.get(f"/api/v1/missing-cases/{case_id}", headers=await tokens.headers("leader"))
    ).json()
    assert sorted((c["name"], c["channel"], c["status"]) for c in staff["contacts"]) == [
        ("Kari Nordmann Hansen", "email", "sent"),
        ("Kari Nordmann Hansen", "push", "failed"),  # no device registered: no push possible
        ("Kari Nordmann Hansen", "sms", "sent"),
        ("Per Nilsen", "email", "sent"),
        ("Per Nilsen", "push", "failed"),
        ("Per Nilsen", "sms", "sent"),
    ]
    own = (
        await client.get(f"/api/v1/missing-cases/{case_id}", headers=await tokens.headers("guardian.nilsen"))
    ).json()
    assert {c["name"] for c in own["contacts"]} == {"Per Nilsen"}


async def test_in_production_unconfigured_texts_are_failures_on_the_case_and_staff_still_call(
    client, tokens, db, clock
):
    # As create_app sets the process's channels in production with no SKOLEBRO_SMS_* or
    # SKOLEBRO_SMTP_URL (the client fixture sets them back for the next test).
    configure_channels(SmsSettings(), MailSettings(), production=True)
    case_id = await _open_ola(client, tokens, db, clock)
    clock.set(oslo(MONDAY, 8, 46))
    effects = await run_job(client, tokens, "missing-pupil-sweep")
    assert effects["sms_sent"] == 0 and effects["emails_sent"] == 0 and effects["texts_failed"] == 4
    staff = (
        await client.get(f"/api/v1/missing-cases/{case_id}", headers=await tokens.headers("leader"))
    ).json()
    assert {(c["channel"], c["status"]) for c in staff["contacts"] if c["channel"] != "push"} == {
        ("sms", "failed"),
        ("email", "failed"),
    }
    errors = await db.fetch("SELECT channel, error FROM contact_attempts")
    assert {(r["channel"], r["error"]) for r in errors} == {
        ("sms", "not sent: no SMS provider is configured (SKOLEBRO_SMS_*)"),
        ("email", "not sent: no SMTP server is configured (SKOLEBRO_SMTP_URL)"),
    }
    # Nobody was reached by text, so the class team is told to call at minute ten.
    clock.set(oslo(MONDAY, 8, 51))
    await run_job(client, tokens, "missing-pupil-sweep")
    told = await db.fetchval(
        "SELECT count(*) FROM notifications WHERE person_id = $1 AND kind = 'call_guardians'",
        person("teacher.3a"),
    )
    assert told == 1


async def test_my_contact_points(client, tokens):
    r = await client.get("/api/v1/me/contact", headers=await tokens.headers("guardian.hansen"))
    assert r.json() == {"mobile": "+4740000001", "email": "hansen@example.no"}
    r = await client.get("/api/v1/me/contact", headers=await tokens.headers("teacher.3a"))
    assert r.json() == {"mobile": None, "email": None}
    assert (await client.get("/api/v1/me/contact")).status_code == 401


async def test_reachability_of_a_class_and_a_confirmed_test_alert(client, tokens, db, clock):
    clock.set(oslo(MONDAY, 12, 0))
    # One family with nothing to reach them by; Hansen has the app on a phone.
    lonely = await db.fetchval(
        "SELECT ce.pupil_id FROM class_enrollments ce JOIN people p ON p.id = ce.pupil_id"
        " WHERE ce.class_id = $1 AND p.username = 'elev.3a.02'",
        CLASS_3A,
    )
    await db.execute(
        "UPDATE people SET mobile = NULL, email = NULL WHERE id IN"
        " (SELECT guardian_id FROM guardian_relations WHERE pupil_id = $1)",
        lonely,
    )
    r = await client.post(
        "/api/v1/me/devices",
        headers=await tokens.headers("guardian.hansen"),
        json={"token": "hansen-phone", "platform": "ios"},
    )
    assert r.status_code == 201
    url = f"/api/v1/classes/{CLASS_3A}/reachability"
    body = (await client.get(url, headers=await tokens.headers("teacher.3a"))).json()
    by_pupil = {p["pupil_id"]: p for p in body["pupils"]}
    assert len(by_pupil) == 20
    assert by_pupil[str(OLA)] == {
        "pupil_id": str(OLA),
        "name": "Ola Hansen",
        "push": True,
        "sms": True,
        "email": True,
        "confirmed_at": None,
    }
    assert by_pupil[str(lonely)]["push"] is False and by_pupil[str(lonely)]["sms"] is False
    assert body["unreachable"] == 1

    # A leader's test alert: every guardian with access, never the blocked one.
    r = await client.post(f"/api/v1/schools/{SCHOOL}/test-alerts", headers=await tokens.headers("leader"))
    assert r.status_code == 202, r.text
    sent = r.json()
    assert sent["recipients"] == await db.fetchval(
        "SELECT count(DISTINCT g.guardian_id) FROM guardian_relations g"
        " JOIN class_enrollments ce ON ce.pupil_id = g.pupil_id"
        " WHERE g.access <> 'none' AND ce.school_id = $1",
        SCHOOL,
    )
    assert (
        await db.fetchval(
            "SELECT count(*) FROM notifications WHERE kind = 'test_alert' AND person_id = $1",
            person("guardian.blocked"),
        )
        == 0
    )
    test = await db.fetchrow(
        "SELECT urgent, data FROM notifications WHERE kind = 'test_alert' AND person_id = $1",
        person("guardian.nilsen"),
    )
    assert test["urgent"] is False and test["data"]["test_alert_id"] == sent["id"]
    clock.set(oslo(MONDAY, 12, 30))
    await _read(client, tokens, db, "guardian.nilsen", "test_alert")
    body = (await client.get(url, headers=await tokens.headers("leader"))).json()
    ola = next(p for p in body["pupils"] if p["pupil_id"] == str(OLA))
    assert ola["confirmed_at"].startswith("2026-11-23T12:30")
    # A teacher cannot send one.
    r = await client.post(f"/api/v1/schools/{SCHOOL}/test-alerts", headers=await tokens.headers("teacher.3a"))
    assert r.status_code == 404


async def test_ladder_settings(client, tokens, db):
    url = f"/api/v1/schools/{SCHOOL}/settings"
    h = await tokens.headers("leader")
    body = (await client.get(url, headers=h)).json()
    assert (body["office_phone"], body["sms_after_minutes"], body["call_after_minutes"]) == (
        "+4757000000",
        5,
        10,
    )
    r = await client.put(
        url, headers=h, json={"sms_after_minutes": 3, "call_after_minutes": 8, "office_phone": "+4755000000"}
    )
    assert r.status_code == 200, r.text
    assert (r.json()["sms_after_minutes"], r.json()["call_after_minutes"]) == (3, 8)
    for bad in (
        {"sms_after_minutes": 0},
        {"call_after_minutes": 61},
        {"sms_after_minutes": 9},
        {"office_phone": "ring meg"},
    ):
        r = await client.put(url, headers=h, json=bad)
        assert r.status_code in (400, 422), (bad, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    r = await client.put(url, headers=h, json={"sms_after_minutes": 9})
    assert r.json()["code"] == "settings.ladder_out_of_order"
    row = await db.fetchrow(
        "SELECT sms_after_minutes, call_after_minutes, office_phone FROM schools WHERE id = $1", SCHOOL
    )
    assert tuple(row) == (3, 8, "+4755000000")
