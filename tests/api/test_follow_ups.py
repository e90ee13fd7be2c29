"""Absence follow-up: the nightly job, the rules, the coded actions and closing."""

from __future__ import annotations

from datetime import date

import pytest

from tests.support.demo import CLASS_3A, OLA, SCHOOL, person
from tests.support.factories import School, assign, create_person
from tests.support.follow_ups import (
    EVENING,
    MONDAYS,
    absent_mark,
    approved_leave,
    past_report,
    run_follow_up_job,
)
from tests.support.problems import assert_problem
from tests.support.routine import oslo

pytestmark = pytest.mark.fresh_tokens


async def _maths_teacher_of_3a(db) -> None:
    """A subject teacher of 3A's maths group (the demo's contact teacher teaches it)."""
    year = await db.fetchval("SELECT school_year_id FROM classes WHERE id = $1", CLASS_3A)
    group = await db.fetchval(
        "SELECT id FROM teaching_groups WHERE class_id = $1 AND subject = 'Matematikk'", CLASS_3A
    )
    teacher = await create_person(db, "teacher.math3a", "Mona Matte")
    await assign(db, School(SCHOOL, year, "Vassenden skule"), teacher, "subject_teacher", group_id=group)


async def _sick_three_mondays(db) -> None:
    for day in MONDAYS:
        await past_report(db, OLA, day)


async def test_sick_three_mondays_opens_one_follow_up_for_the_contact_teacher(client, tokens, db, clock):
    await _maths_teacher_of_3a(db)
    await _sick_three_mondays(db)
    clock.set(EVENING)
    effects = await run_follow_up_job(client, tokens)
    assert effects["opened"] == 1

    r = await client.get("/api/v1/follow-ups", headers=await tokens.headers("teacher.3a"))
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert len(items) == 1
    item = items[0]
    assert item["pupil_id"] == str(OLA) and item["class_id"] == str(CLASS_3A)
    assert item["status"] == "open" and item["owner_id"] == str(person("teacher.3a"))
    rules = {rule["rule"]: rule["days"] for rule in item["rules"]}
    assert rules["same_weekday"] == [d.isoformat() for d in MONDAYS]

    # The contact teacher is told, nobody else.
    told = await db.fetch("SELECT person_id FROM notifications WHERE kind = 'follow_up_opened'")
    assert [t["person_id"] for t in told] == [person("teacher.3a")]

    for outsider in (
        "teacher.math3a",
        "teacher.9b",
        "team.3a",
        "guardian.hansen",
        "pupil.ola",
        "leader.other",
    ):
        r = await client.get("/api/v1/follow-ups", headers=await tokens.headers(outsider))
        assert r.status_code == 200 and r.json()["items"] == [], outsider
        r = await client.get(f"/api/v1/follow-ups/{item['id']}", headers=await tokens.headers(outsider))
        assert r.status_code == 404, outsider

    # The leader sees the school's; the detail read is audited.
    r = await client.get(f"/api/v1/follow-ups/{item['id']}", headers=await tokens.headers("leader"))
    assert r.status_code == 200 and r.json()["actions"] == []
    assert (
        await db.fetchval(
            "SELECT count(*) FROM audit_log WHERE action = 'follow_ups.read'"
            " AND actor_id = $1 AND pupil_id = $2",
            person("leader"),
            OLA,
        )
        == 1
    )

    # A second run the same night opens nothing more, and tells nobody again.
    again = await run_follow_up_job(client, tokens)
    assert again["opened"] == 0
    assert await db.fetchval("SELECT count(*) FROM follow_ups") == 1
    assert await db.fetchval("SELECT count(*) FROM notifications WHERE kind = 'follow_up_opened'") == 1
    # Even the next night: one open follow-up per pupil.
    clock.set(oslo(date(2026, 11, 24), 20))
    await past_report(db, OLA, date(2026, 11, 24))
    assert (await run_follow_up_job(client, tokens))["opened"] == 0


async def test_closing_needs_an_action_and_a_closed_one_returns_only_for_later_absence(
    client, tokens, db, clock
):
    await _sick_three_mondays(db)
    clock.set(EVENING)
    await run_follow_up_job(client, tokens)
    fid = await db.fetchval("SELECT id FROM follow_ups WHERE pupil_id = $1", OLA)
    h = await tokens.headers("teacher.3a")

    r = await client.post(f"/api/v1/follow-ups/{fid}/close", headers=h)
    assert_problem(r, 409, "follow_up.no_action")

    r = await client.post(
        f"/api/v1/follow-ups/{fid}/actions", headers=h, json={"kind": "called_guardians", "on": "2026-11-23"}
    )
    assert r.status_code == 201, r.text
    assert r.json()["kind"] == "called_guardians" and r.json()["by_name"]
    r = await client.post(f"/api/v1/follow-ups/{fid}/close", headers=await tokens.headers("teacher.3a"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "closed" and body["closed_at"] and len(body["actions"]) == 1

    # Closed is closed.
    r = await client.post(
        f"/api/v1/follow-ups/{fid}/actions",
        headers=await tokens.headers("teacher.3a"),
        json={"kind": "meeting", "on": "2026-11-23"},
    )
    assert_problem(r, 409, "follow_up.closed")

    # The same Mondays do not open a new one the next night.
    clock.set(oslo(date(2026, 11, 24), 20))
    assert (await run_follow_up_job(client, tokens))["opened"] == 0
    # Three Tuesdays after the closing do.
    for day in (date(2026, 11, 24), date(2026, 12, 1), date(2026, 12, 8)):
        await past_report(db, OLA, day)
    clock.set(oslo(date(2026, 12, 8), 20))
    assert (await run_follow_up_job(client, tokens))["opened"] == 1
    rows = await db.fetch("SELECT status, rules FROM follow_ups WHERE pupil_id = $1 ORDER BY opened_at", OLA)
    assert [r["status"] for r in rows] == ["closed", "open"]
    days = {d for rule in rows[1]["rules"] for d in rule["days"]}
    assert min(days) > "2026-11-23"


async def test_leave_days_do_not_count(client, tokens, db, clock):
    for day in MONDAYS:
        await approved_leave(db, OLA, day, day)
        await absent_mark(db, OLA, CLASS_3A, day)
    clock.set(EVENING)
    assert (await run_follow_up_job(client, tokens))["opened"] == 0
    assert await db.fetchval("SELECT count(*) FROM follow_ups") == 0


async def test_unexplained_roll_call_absence_counts(client, tokens, db, clock):
    # Three single unexplained days in the term, not on one weekday and far apart.
    for day in (date(2026, 9, 1), date(2026, 10, 7), date(2026, 11, 19)):
        await absent_mark(db, OLA, CLASS_3A, day)
    clock.set(EVENING)
    assert (await run_follow_up_job(client, tokens))["opened"] == 1
    rules = await db.fetchval("SELECT rules FROM follow_ups WHERE pupil_id = $1", OLA)
    assert [r["rule"] for r in rules] == ["unexplained"]


async def test_a_school_that_raises_the_threshold_gets_no_follow_up(client, tokens, db, clock):
    await _sick_three_mondays(db)
    r = await client.put(
        f"/api/v1/schools/{SCHOOL}/settings",
        headers=await tokens.headers("leader"),
        json={"follow_up": {"days_share_percent": 25, "same_weekday": 4, "spells": 4}},
    )
    assert r.status_code == 200, r.text
    assert r.json()["follow_up"] == {
        "days_share_percent": 25,
        "window_days": 28,
        "spells": 4,
        "same_weekday": 4,
        "same_weekday_window_days": 42,
        "unexplained_per_term": 3,
    }
    clock.set(EVENING)
    assert (await run_follow_up_job(client, tokens))["opened"] == 0


async def test_the_job_is_not_due_before_the_evening(client, tokens, db, clock):
    await _sick_three_mondays(db)
    clock.set(oslo(date(2026, 11, 23), 12))
    assert (await run_follow_up_job(client, tokens))["opened"] == 0
    clock.set(EVENING)
    assert (await run_follow_up_job(client, tokens))["opened"] == 1


# --- bad input ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rules", "code", "field"),
    [
        ({"days_share_percent": 0}, "request.invalid", "follow_up.days_share_percent"),
        ({"days_share_percent": 101}, "request.invalid", "follow_up.days_share_percent"),
        ({"window_days": 3}, "request.invalid", "follow_up.window_days"),
        ({"spells": "three"}, "request.invalid", "follow_up.spells"),
        ({"colour": 1}, "request.invalid", None),
        ({"same_weekday": 5, "same_weekday_window_days": 14}, "settings.follow_up_rules", None),
    ],
)
async def test_bad_rules_are_refused_with_a_text_and_change_nothing(client, tokens, db, rules, code, field):
    before = await db.fetchval("SELECT follow_up FROM schools WHERE id = $1", SCHOOL)
    for locale in ("nb", "nn", "en"):
        r = await client.put(
            f"/api/v1/schools/{SCHOOL}/settings",
            headers={**await tokens.headers("leader"), "Accept-Language": locale},
            json={"follow_up": rules},
        )
        assert r.status_code in (400, 422), r.text
        body = r.json()
        assert body["code"] == code and body["title"] and body["detail"]
        if field:
            assert any(field in (e.get("field") or "") for e in body.get("errors", [])), body
    assert await db.fetchval("SELECT follow_up FROM schools WHERE id = $1", SCHOOL) == before


async def test_bad_actions_are_refused(client, tokens, db, clock):
    await _sick_three_mondays(db)
    clock.set(EVENING)
    await run_follow_up_job(client, tokens)
    fid = await db.fetchval("SELECT id FROM follow_ups WHERE pupil_id = $1", OLA)
    h = await tokens.headers("teacher.3a")
    for body in (
        {"kind": "chat_over_coffee", "on": "2026-11-23"},
        {"kind": "meeting"},
        {"kind": "meeting", "on": "23.11.2026"},
        {"kind": "meeting", "on": "2026-11-23", "note": "sick again"},
    ):
        r = await client.post(f"/api/v1/follow-ups/{fid}/actions", headers=h, json=body)
        assert r.status_code in (400, 422), (body, r.text)
        assert r.json()["code"]
    r = await client.post(
        f"/api/v1/follow-ups/{fid}/actions", headers=h, json={"kind": "meeting", "on": "2026-12-24"}
    )
    assert_problem(r, 422, "follow_up.action_day")
    r = await client.get("/api/v1/follow-ups?status=maybe", headers=h)
    assert r.status_code in (400, 422)
    r = await client.get("/api/v1/follow-ups?cursor=nonsense", headers=h)
    assert r.status_code in (400, 422)
    assert await db.fetchval("SELECT count(*) FROM follow_up_actions") == 0
