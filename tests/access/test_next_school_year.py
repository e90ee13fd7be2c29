"""Staff assigned only for a school year that has not started (README: Who may see what).

The roster for next school year arrives before it starts: Ola is already placed
in next year's 4A, with a new contact teacher and a new leader. Until the year
starts, neither sees a pupil, a board, a case or a leave request — before this
was fixed the teacher got 200 on 4A's board, with today's coded absence
reasons. The leader of next year may plan: read and change the school's
settings and closed days.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.support import factories as f
from tests.support.demo import CLASS_3A, OLA, SCHOOL
from tests.support.problems import assert_problem


@pytest.fixture
async def next_year(db) -> dict[str, uuid.UUID]:
    year = uuid.uuid4()
    await db.execute(
        "INSERT INTO school_years (id, school_id, name, starts_on, ends_on)"
        " VALUES ($1, $2, '2027-2028', '2027-08-15', '2028-06-20')",
        year,
        SCHOOL,
    )
    school = f.School(SCHOOL, year, "demo")
    class_4a = await f.create_class(db, school, "4A", 4)
    group = await f.create_group(db, school, "4A norsk", "Norsk", class_4a)
    await f.enroll(db, school, OLA, class_4a, group)
    teacher = await f.create_person(db, "teacher.next", "Nina Neste")
    leader = await f.create_person(db, "leader.next", "Lars Neste")
    await f.assign(db, school, teacher, "contact_teacher", class_id=class_4a)
    await f.assign(db, school, teacher, "subject_teacher", group_id=group)
    await f.assign(db, school, leader, "school_leader")
    # Ola is reported sick today: what the defect leaked (a coded reason on a board).
    r = await db.execute(
        "INSERT INTO absence_reports (id, school_id, pupil_id, first_day, last_day, reason,"
        " submitted_at, submitted_by, deadline, late)"
        " VALUES ($1, $2, $3, $4, $4, 'sick', now(), $3, now(), false)",
        uuid.uuid4(),
        SCHOOL,
        OLA,
        date(2026, 11, 23),
    )
    assert r == "INSERT 0 1"
    return {"class": class_4a, "group": group, "year": year}


@pytest.mark.parametrize("who", ["teacher.next", "leader.next"])
async def test_staff_of_next_year_see_no_board_and_no_pupil(client, tokens, next_year, who):
    h = await tokens.headers(who)
    for class_id in (next_year["class"], CLASS_3A):
        assert_problem(await client.get(f"/api/v1/classes/{class_id}/attendance/", headers=h), 404)
    for path in ("absence-reports", "absence-summary", "assessments"):
        assert_problem(await client.get(f"/api/v1/pupils/{OLA}/{path}", headers=h), 404)
    r = await client.get("/api/v1/messaging/recipients", params={"pupil_id": str(OLA)}, headers=h)
    assert_problem(r, 404)
    for path in ("/api/v1/missing-cases", "/api/v1/leave-requests"):
        r = await client.get(path, headers=h)
        assert r.status_code == 200, r.text
        assert r.json()["items"] == []
    body = (await client.get("/api/v1/me", headers=h)).json()
    assert body["classes"] == [] and body["groups"] == [] and body["schools"] == []


async def test_leader_of_next_year_plans_settings_and_closed_days(client, tokens, next_year):
    h = await tokens.headers("leader.next")
    r = await client.get(f"/api/v1/schools/{SCHOOL}/settings", headers=h)
    assert r.status_code == 200, r.text
    r = await client.put(f"/api/v1/schools/{SCHOOL}/settings", json={"report_deadline": "08:15"}, headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["report_deadline"] == "08:15"
    r = await client.post(
        f"/api/v1/schools/{SCHOOL}/closed-days",
        json={"date": "2027-08-16", "label": "Planleggingsdag"},
        headers={**h, "Idempotency-Key": "plan-1"},
    )
    assert r.status_code == 201, r.text
    r = await client.get(f"/api/v1/schools/{SCHOOL}/closed-days", headers=h)
    assert [d["date"] for d in r.json()["items"]][-1] == "2027-08-16"
    # The audit log is pupil data: not before the year starts.
    assert_problem(await client.get(f"/api/v1/schools/{SCHOOL}/audit-log", headers=h), 404)


async def test_teacher_of_next_year_does_not_plan(client, tokens, next_year):
    h = await tokens.headers("teacher.next")
    assert_problem(await client.get(f"/api/v1/schools/{SCHOOL}/settings", headers=h), 404)
    assert_problem(await client.get(f"/api/v1/schools/{SCHOOL}/closed-days", headers=h), 404)


async def test_when_the_year_starts_they_take_over(client, tokens, clock, next_year):
    clock.set(datetime(2027, 8, 16, 9, 0, tzinfo=ZoneInfo("Europe/Oslo")))
    h = await tokens.headers("teacher.next")
    r = await client.get(f"/api/v1/classes/{next_year['class']}/attendance/", headers=h)
    assert r.status_code == 200, r.text
    assert [p["pupil_id"] for p in r.json()["pupils"]] == [str(OLA)]
    r = await client.get(f"/api/v1/pupils/{OLA}/absence-reports", headers=h)
    assert r.status_code == 200, r.text
    # Last year's contact teacher has handed over.
    old = await tokens.headers("teacher.3a")
    assert_problem(await client.get(f"/api/v1/pupils/{OLA}/absence-reports", headers=old), 404)
    r = await client.get(f"/api/v1/schools/{SCHOOL}/audit-log", headers=await tokens.headers("leader.next"))
    assert r.status_code == 200, r.text
