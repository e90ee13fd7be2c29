"""School owner: the district's statistics, small cells suppressed, no person reachable."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import date

import pytest

from backend.roster.demo import demo_id
from tests.support.demo import CLASS_3A, KARI, OLA, SCHOOL, person
from tests.support.factories import create_class, create_person, create_school, enroll
from tests.support.follow_ups import EVENING, MONDAYS, absent_mark, past_report, run_follow_up_job
from tests.support.problems import assert_problem

pytestmark = pytest.mark.fresh_tokens

DISTRICT = demo_id("district:sunnfjord")


async def _small_school(db) -> uuid.UUID:
    """Another school of the district with a class of 4 pupils, one of them reported sick."""
    school = await create_school(db, "Vesle skule")
    await db.execute("UPDATE schools SET district_id = $2 WHERE id = $1", school.id, DISTRICT)
    class_id = await create_class(db, school, "2A", 2)
    for n in range(4):
        pupil = await create_person(db, f"pupil.vesle.{n}", f"Vesle {n}", date(2019, 1, 1))
        await enroll(db, school, pupil, class_id)
    await db.execute(
        "INSERT INTO absence_reports (id, school_id, pupil_id, first_day, last_day, reason, submitted_at,"
        " submitted_by, deadline, late) VALUES ($1, $2, $3, '2026-11-02', '2026-11-03', 'sick', now(), $3,"
        " now(), false)",
        uuid.uuid4(),
        school.id,
        pupil,
    )
    return school.id


async def test_me_lists_the_owners_districts(client, tokens):
    r = await client.get("/api/v1/me", headers=await tokens.headers("owner"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["roles"] == ["school_owner"]
    assert body["districts"] == [{"district_id": str(DISTRICT), "name": "Sunnfjord kommune"}]
    assert body["children"] == body["classes"] == body["groups"] == body["schools"] == []
    r = await client.get("/api/v1/me", headers=await tokens.headers("leader"))
    assert r.json()["districts"] == [] and "school_owner" not in r.json()["roles"]


async def test_statistics_per_school_grade_and_month_with_a_cell_of_4_suppressed(client, tokens, db, clock):
    small = await _small_school(db)
    for day in MONDAYS:
        await past_report(db, OLA, day)
    await absent_mark(db, OLA, CLASS_3A, date(2026, 11, 4))
    await db.execute(
        "INSERT INTO absence_reports (id, school_id, pupil_id, first_day, last_day, from_time, to_time,"
        " reason, submitted_at, submitted_by, deadline, late) VALUES ($1, $2, $3, '2026-11-10',"
        " '2026-11-10', '10:00', '12:30', 'dentist', now(), $3, now(), false)",
        uuid.uuid4(),
        SCHOOL,
        KARI,
    )
    clock.set(EVENING)
    await run_follow_up_job(client, tokens)

    r = await client.get(
        f"/api/v1/owners/{DISTRICT}/absence-statistics?month=2026-11", headers=await tokens.headers("owner")
    )
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    by_cell = {(i["school_id"], i["grade"]): i for i in items}
    assert {i["month"] for i in items} == {"2026-11"}
    assert len(by_cell) == len(items) == 10 + 1  # Vassenden's ten grades and Vesle's grade 2

    grade3 = by_cell[(str(SCHOOL), 3)]
    assert grade3 == {
        "school_id": str(SCHOOL),
        "school_name": "Vassenden skule",
        "grade": 3,
        "month": "2026-11",
        "pupils": 40,
        "days_reported": 2,  # 9 and 23 November (26 October is another month)
        "days_unexplained": 1,
        "hours_reported": 0.0,
        "hours_unexplained": 0.0,
        "follow_ups_opened": 1,
        "follow_ups_closed": 0,
        "suppressed": False,
    }
    assert by_cell[(str(SCHOOL), 9)]["hours_reported"] == 2.5

    tiny = by_cell[(str(small), 2)]
    assert tiny["suppressed"] is True
    counts = {
        k: v for k, v in tiny.items() if k not in ("school_id", "school_name", "grade", "month", "suppressed")
    }
    assert set(counts.values()) == {None}, tiny

    # No person anywhere in the answer: no pupil's id or name.
    text = r.text
    for pupil in (OLA, KARI):
        assert str(pupil) not in text
    assert "Ola" not in text and "Hansen" not in text

    # The whole year: every month from August to this one.
    r = await client.get(
        f"/api/v1/owners/{DISTRICT}/absence-statistics", headers=await tokens.headers("owner")
    )
    assert {i["month"] for i in r.json()["items"]} == {"2026-08", "2026-09", "2026-10", "2026-11"}

    # The same as CSV.
    r = await client.get(
        f"/api/v1/owners/{DISTRICT}/absence-statistics?month=2026-11&format=csv",
        headers=await tokens.headers("owner"),
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 11
    tiny_row = next(row for row in rows if row["school_id"] == str(small))
    assert tiny_row["suppressed"] == "true" and tiny_row["pupils"] == "" and tiny_row["days_reported"] == ""
    g3 = next(row for row in rows if row["school_id"] == str(SCHOOL) and row["grade"] == "3")
    assert g3["days_reported"] == "2" and g3["suppressed"] == "false"


@pytest.mark.parametrize("who", ["leader", "teacher.3a", "guardian.hansen", "pupil.kari", "leader.other"])
async def test_nobody_else_reads_the_statistics(client, tokens, who):
    r = await client.get(f"/api/v1/owners/{DISTRICT}/absence-statistics", headers=await tokens.headers(who))
    assert_problem(r, 404, "not_found")


async def test_an_unknown_district_is_404_for_the_owner(client, tokens):
    r = await client.get(
        f"/api/v1/owners/{uuid.uuid4()}/absence-statistics", headers=await tokens.headers("owner")
    )
    assert_problem(r, 404, "not_found")


@pytest.mark.parametrize(
    "query",
    [
        "month=2026-13",
        "month=11-2026",
        "school_year=2026",
        "school_year=2026-2028",
        "format=xml",
        "month=2027-09",
    ],
)
async def test_bad_input(client, tokens, query):
    r = await client.get(
        f"/api/v1/owners/{DISTRICT}/absence-statistics?school_year=2026-2027&{query}"
        if query == "month=2027-09"
        else f"/api/v1/owners/{DISTRICT}/absence-statistics?{query}",
        headers=await tokens.headers("owner"),
    )
    assert r.status_code in (400, 422), r.text
    assert r.json()["code"] and r.json()["detail"]
    if query == "month=2027-09":
        assert r.json()["code"] == "statistics.month_outside_year"


# --- no person-level data reachable --------------------------------------------

IDS = {
    "pupil_id": OLA,
    "class_id": CLASS_3A,
    "school_id": SCHOOL,
    "guardian_id": person("guardian.hansen"),
    "group_id": demo_id("group:9B:matematikk"),
}


async def test_the_owner_gets_404_on_every_pupil_class_and_case_endpoint(client, tokens, db, clock):
    for day in MONDAYS:
        await past_report(db, OLA, day)
    clock.set(EVENING)
    await run_follow_up_job(client, tokens)
    ids = dict(IDS)
    ids["follow_up_id"] = await db.fetchval("SELECT id FROM follow_ups")
    schema = (await client.get("/schema/openapi.json")).json()
    h = await tokens.headers("owner")
    checked = 0
    for path, methods in schema["paths"].items():
        params = set(re.findall(r"{(\w+)}", path))
        if not params or "district_id" in params or path.startswith("/api/v1/dev"):
            continue
        if not params <= set(ids) and not params & {"pupil_id", "class_id", "follow_up_id"}:
            continue
        url = path
        for name in params:
            url = url.replace("{" + name + "}", str(ids.get(name, uuid.uuid4())))
        for method in methods:
            if method not in ("get", "post", "put", "delete"):
                continue
            r = await client.request(method.upper(), url, headers=h, json={})
            if method == "get":
                assert r.status_code == 404, (method, path, r.status_code)
            else:
                # A body the schema refuses is refused before anything is looked up; never a 2xx or 403.
                assert r.status_code in (400, 404, 422), (method, path, r.status_code, r.text)
            checked += 1
    assert checked >= 20
    # Lists that are the caller's: empty for the owner.
    for path in ("/api/v1/follow-ups", "/api/v1/leave-requests", "/api/v1/missing-cases"):
        r = await client.get(path, headers=h)
        assert r.status_code == 200 and r.json()["items"] == [], path
    for pupil in (OLA, KARI):
        r = await client.get(f"/api/v1/pupils/{pupil}/absence-summary", headers=h)
        assert r.status_code == 404
