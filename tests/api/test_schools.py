"""School settings and closed days (api.md: School settings and calendar)."""

from __future__ import annotations

import pytest

from tests.support.demo import SCHOOL
from tests.support.routine import MONDAY, oslo

# These tests move the clock past a token's lifetime: a new token per call.
pytestmark = pytest.mark.fresh_tokens

DEFAULTS = {
    "timezone": "Europe/Oslo",
    "report_deadline": "08:30",
    "check_reminder_at": "09:00",
    "first_lesson_start": "08:30",
    "first_lesson_end": "09:15",
    "first_recess_start": "10:00",
    "seek_policy": {"1-7": "first_lesson", "8-10": "first_recess", "11-13": "first_recess"},
    "escalate_after_minutes": 30,
    "leave_teacher_max_days": 2,
}
URL = f"/api/v1/schools/{SCHOOL}/settings"


async def test_leader_reads_the_default_settings(client, tokens):
    r = await client.get(URL, headers=await tokens.headers("leader"))
    assert r.status_code == 200
    body = r.json()
    assert {k: body[k] for k in DEFAULTS} == DEFAULTS
    assert body["still_sick_at"] == "07:30"
    assert body["note_retention_days"] == 30


async def test_leader_changes_settings(client, tokens, db):
    h = await tokens.headers("leader")
    new = {
        **DEFAULTS,
        "timezone": "Europe/Berlin",
        "report_deadline": "08:15",
        "seek_policy": {"1-7": "first_lesson", "8-10": "first_lesson", "11-13": "10:30"},
        "escalate_after_minutes": 45,
        "first_recess_start": "09:15",
    }
    r = await client.put(URL, headers=h, json=new)
    assert r.status_code == 200, r.text
    assert {k: r.json()[k] for k in new} == new
    again = (await client.get(URL, headers=h)).json()
    assert {k: again[k] for k in new} == new
    # The report deadline is what the absence rules use.
    row = await db.fetchrow("SELECT report_deadline, timezone FROM schools WHERE id = $1", SCHOOL)
    assert (str(row["report_deadline"]), row["timezone"]) == ("08:15:00", "Europe/Berlin")


async def test_put_changes_only_the_named_fields(client, tokens):
    h = await tokens.headers("leader")
    r = await client.put(URL, headers=h, json={"check_reminder_at": "08:55"})
    assert r.status_code == 200
    body = r.json()
    assert body["check_reminder_at"] == "08:55"
    assert body["first_lesson_start"] == "08:30"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"timezone": "Europe/Vassenden"}, "timezone"),
        ({"timezone": "../../etc/passwd"}, "timezone"),
        ({"escalate_after_minutes": 29}, "escalate_after_minutes"),
        ({"escalate_after_minutes": 46}, "escalate_after_minutes"),
        ({"first_lesson_end": "08:30"}, "first_lesson_end"),
        ({"first_lesson_start": "09:30"}, "first_lesson_end"),
        ({"first_recess_start": "09:00"}, "first_recess_start"),
        ({"report_deadline": "8:30"}, "report_deadline"),
        ({"check_reminder_at": "24:00"}, "check_reminder_at"),
        (
            {"seek_policy": {"1-7": "first_lesson", "8-10": "lunch", "11-13": "first_recess"}},
            "seek_policy.8-10",
        ),
        ({"seek_policy": {"1-7": "first_lesson"}}, "seek_policy"),
        ({"colour": "blue"}, "colour"),
        ({"still_sick_at": "08:45"}, "still_sick_at"),
        ({"check_reminder_at": "22:30"}, "check_reminder_at"),
    ],
)
async def test_invalid_settings_are_refused_and_nothing_changes(client, tokens, change, field):
    h = await tokens.headers("leader")
    r = await client.put(URL, headers=h, json=change)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    errors = r.json()["errors"]
    assert any(field in e["field"] or field in e["message"] for e in errors), errors
    body = (await client.get(URL, headers=h)).json()
    assert {k: body[k] for k in DEFAULTS} == DEFAULTS


async def test_malformed_settings_body_is_400(client, tokens):
    r = await client.put(URL, headers=await tokens.headers("leader"), content=b"{nope")
    assert r.status_code == 400


async def test_error_texts_follow_the_language(client, tokens):
    h = {**await tokens.headers("leader"), "Accept-Language": "nn"}
    r = await client.put(URL, headers=h, json={"first_lesson_end": "08:00"})
    assert r.json()["title"] == "Tidene er i feil rekkjefølgje"
    h["Accept-Language"] = "en"
    r = await client.put(URL, headers=h, json={"timezone": "Mars/Olympus"})
    assert r.json()["title"] == "Unknown time zone"


async def test_closed_days_written_by_leaders_read_by_staff(client, tokens, clock):
    days = f"/api/v1/schools/{SCHOOL}/closed-days"
    leader = await tokens.headers("leader")
    r = await client.post(days, headers=leader, json={"date": "2026-11-27", "label": "Planleggingsdag"})
    assert r.status_code == 201
    assert r.json() == {"date": "2026-11-27", "label": "Planleggingsdag"}
    r = await client.post(days, headers=leader, json={"date": "2026-11-27", "label": "Igjen"})
    assert r.status_code == 409
    assert r.json()["code"] == "schools.closed_day_exists"
    await client.post(days, headers=leader, json={"date": "2026-12-21", "label": "Juleferie"})
    for who in ("leader", "teacher.3a", "teacher.math9b"):
        r = await client.get(days, headers=await tokens.headers(who))
        assert r.status_code == 200
        assert [d["date"] for d in r.json()["items"]] == ["2026-11-27", "2026-12-21"]
    r = await client.get(f"{days}?from=2026-12-01&limit=1", headers=leader)
    assert [d["label"] for d in r.json()["items"]] == ["Juleferie"]
    r = await client.get(f"{days}?limit=1", headers=leader)
    page = r.json()
    assert page["next_cursor"]
    r = await client.get(f"{days}?limit=1&cursor={page['next_cursor']}", headers=leader)
    assert [d["date"] for d in r.json()["items"]] == ["2026-12-21"]
    # Teachers read but do not write.
    teacher = await tokens.headers("teacher.3a")
    r = await client.post(days, headers=teacher, json={"date": "2026-11-30", "label": "Fri"})
    assert r.status_code == 403
    r = await client.delete(f"{days}/2026-11-27", headers=teacher)
    assert r.status_code == 403
    r = await client.delete(f"{days}/2026-11-27", headers=leader)
    assert r.status_code == 204
    r = await client.delete(f"{days}?date=2026-12-21", headers=leader)
    assert r.status_code == 204
    r = await client.delete(f"{days}/2026-12-21", headers=leader)
    assert r.status_code == 404
    assert (await client.get(days, headers=leader)).json()["items"] == []


@pytest.mark.parametrize(
    "body",
    [
        {"date": "2026-11-27"},
        {"date": "2026-11-27", "label": ""},
        {"date": "2026-11-27", "label": "x" * 201},
        {"date": "27.11.2026", "label": "Fri"},
        {"date": "2026-11-27", "label": "Fri", "extra": 1},
    ],
)
async def test_bad_closed_days_are_refused(client, tokens, db, body):
    r = await client.post(
        f"/api/v1/schools/{SCHOOL}/closed-days", headers=await tokens.headers("leader"), json=body
    )
    assert r.status_code == 422
    assert r.json()["errors"]
    assert await db.fetchval("SELECT count(*) FROM closed_days") == 0


async def test_closed_day_post_is_idempotent(client, tokens, db):
    h = {**await tokens.headers("leader"), "Idempotency-Key": "k1"}
    body = {"date": "2026-11-27", "label": "Planleggingsdag"}
    first = await client.post(f"/api/v1/schools/{SCHOOL}/closed-days", headers=h, json=body)
    again = await client.post(f"/api/v1/schools/{SCHOOL}/closed-days", headers=h, json=body)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()


async def test_a_closed_day_is_not_a_school_day_for_roll_call(client, tokens, clock):
    await client.post(
        f"/api/v1/schools/{SCHOOL}/closed-days",
        headers=await tokens.headers("leader"),
        json={"date": MONDAY.isoformat(), "label": "Planleggingsdag"},
    )
    clock.set(oslo(MONDAY, 8, 40))
    from tests.support.demo import CLASS_3A, OLA

    r = await client.put(
        f"/api/v1/classes/{CLASS_3A}/attendance/{MONDAY.isoformat()}",
        headers=await tokens.headers("teacher.3a"),
        json={"marks": [{"pupil_id": str(OLA), "status": "absent"}]},
    )
    assert r.status_code == 422
    assert r.json()["code"] == "attendance.not_school_day"
