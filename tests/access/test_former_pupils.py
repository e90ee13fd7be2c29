"""A pupil who leaves the school keeps their records for its leaders.

Through the roster import and the HTTP API: the leaders of the school the pupil
left keep reading their absence reports, summary, assessments and past cases,
and may change nothing; the old class's teachers and every other school see
nothing, and the pupil is on no board.
"""

from __future__ import annotations

import uuid

import pytest

from backend.roster.importer import import_roster
from backend.roster.oneroster.csv_reader import read_roster
from tests.support.demo import CLASS_3A, SCHOOL
from tests.support.problems import assert_problem
from tests.support.roster_sets import small_set, write_csv
from tests.support.routine import MONDAY, oslo, pupil_row, roll_call

# These tests move the clock past a token's lifetime: a new token per call.
pytestmark = pytest.mark.fresh_tokens


async def _id(db, table: str, source_id: str) -> uuid.UUID:
    return await db.fetchval(f"SELECT id FROM {table} WHERE source_id = $1", source_id)


async def _history(client, tokens, db, clock, tmp_path):
    """Lia skule with three pupils; u-p1 is reported sick, assessed, and missed at roll call."""
    clock.set(oslo(MONDAY, 8, 40))
    await import_roster(db, read_roster(write_csv(small_set(), tmp_path / "bulk")), now=clock.now())
    pupil = await _id(db, "people", "u-p1")
    cls = await _id(db, "classes", "cls-a")
    group = await _id(db, "teaching_groups", "grp-mat")
    teacher = await tokens.headers("lia.teacher")
    r = await client.post(
        f"/api/v1/pupils/{pupil}/absence-reports",
        headers=await tokens.headers("lia.g1"),
        json={"first_day": "2026-11-24", "last_day": "2026-11-24", "reason": "sick"},
    )
    assert r.status_code == 201, r.text
    r = await client.post(
        f"/api/v1/groups/{group}/assessments",
        headers=teacher,
        json={"pupil_id": str(pupil), "kind": "formative", "comment": "Leser godt."},
    )
    assert r.status_code == 201, r.text
    r = await roll_call(client, teacher, db, cls, MONDAY, {pupil})
    assert r.status_code == 200, r.text
    case_id = pupil_row(r.json(), pupil)["missing_case_id"]
    assert case_id is not None
    return pupil, cls, case_id


async def _leave(db, clock, tmp_path, *, how: str) -> None:
    if how == "tobedeleted":
        # A delta that deletes the pupil: deactivated, enrollments and relations gone.
        delta = {"users": [{"sourcedId": "u-p1", "status": "tobedeleted", "dateLastModified": "2026-11-23"}]}
        folder = write_csv(delta, tmp_path / "delta", modes={"users": "delta"})
    else:
        # The next bulk export no longer enrolls the pupil (moved to a school we do not hold).
        tables = small_set()
        tables["enrollments"] = [e for e in tables["enrollments"] if e["userSourcedId"] != "u-p1"]
        folder = write_csv(tables, tmp_path / "moved")
    await import_roster(db, read_roster(folder), now=clock.now())
    left = await _id(db, "people", "u-p1")
    assert await db.fetchval("SELECT count(*) FROM class_enrollments WHERE pupil_id = $1", left) == 0


async def _reads(client, headers, pupil) -> list[int]:
    return [
        (await client.get(f"/api/v1/pupils/{pupil}/{what}", headers=headers)).status_code
        for what in ("absence-reports", "absence-summary", "assessments")
    ]


async def test_a_deleted_pupil_stays_readable_for_the_leader_and_no_one_else(
    client, tokens, db, clock, tmp_path
):
    pupil, cls, case_id = await _history(client, tokens, db, clock, tmp_path)
    await _leave(db, clock, tmp_path, how="tobedeleted")
    leader = await tokens.headers("lia.rektor")

    assert await _reads(client, leader, pupil) == [200, 200, 200]
    reports = (await client.get(f"/api/v1/pupils/{pupil}/absence-reports", headers=leader)).json()
    assert [x["first_day"] for x in reports["items"]] == ["2026-11-24"]
    marks = (await client.get(f"/api/v1/pupils/{pupil}/assessments", headers=leader)).json()
    assert [a["comment"] for s in marks for a in s["items"]] == ["Leser godt."]
    r = await client.get(f"/api/v1/missing-cases/{case_id}", headers=leader)
    assert r.status_code == 200 and r.json()["pupil_id"] == str(pupil)
    cases = (await client.get("/api/v1/missing-cases", headers=leader)).json()
    assert case_id in [c["id"] for c in cases["items"]]

    # The old class's teacher, and the leader and teacher of another school: not found.
    for outsider in ("lia.teacher", "leader.other", "teacher.other"):
        assert await _reads(client, await tokens.headers(outsider), pupil) == [404, 404, 404], outsider
    # The pupil is on no board.
    board = (await client.get(f"/api/v1/classes/{cls}/attendance/", headers=leader)).json()
    assert str(pupil) not in [p["pupil_id"] for p in board["pupils"]]


async def test_the_leader_of_a_school_the_pupil_left_may_change_nothing(client, tokens, db, clock, tmp_path):
    pupil, _, case_id = await _history(client, tokens, db, clock, tmp_path)
    await _leave(db, clock, tmp_path, how="moved")
    leader = await tokens.headers("lia.rektor")
    assert await _reads(client, leader, pupil) == [200, 200, 200]

    r = await client.post(
        f"/api/v1/pupils/{pupil}/absence-reports",
        headers=leader,
        json={"first_day": "2026-11-25", "last_day": "2026-11-25", "reason": "sick"},
    )
    assert r.status_code == 403, r.text
    r = await client.post(
        "/api/v1/threads",
        headers=leader,
        json={"pupil_id": str(pupil), "subject": "Hei", "body": "Hei", "recipients": [{"kind": "guardians"}]},
    )
    assert_problem(r, 403, "access.former_pupil")
    r = await client.post(
        f"/api/v1/missing-cases/{case_id}/resolve", headers=leader, json={"outcome": "arrived"}
    )
    assert_problem(r, 403, "access.former_pupil")
    assert await db.fetchval("SELECT count(*) FROM absence_reports WHERE pupil_id = $1", pupil) == 1
    assert await db.fetchval("SELECT count(*) FROM message_threads WHERE pupil_id = $1", pupil) == 0
    assert (
        await db.fetchval("SELECT status FROM missing_cases WHERE id = $1", uuid.UUID(case_id)) != "resolved"
    )
    # The old class's teacher no longer sees the pupil.
    assert await _reads(client, await tokens.headers("lia.teacher"), pupil) == [404, 404, 404]


async def test_the_leader_of_the_old_school_reads_only_its_records_when_the_pupil_moved_to_another_of_ours(
    client, tokens, db, clock, tmp_path
):
    pupil, _cls, _case = await _history(client, tokens, db, clock, tmp_path)
    lia_school = await _id(db, "schools", "org-lia")
    await _leave(db, clock, tmp_path, how="moved")
    # Another school we serve enrolls the pupil (its own roster: the demo school's 3A),
    # and the guardian reports Wednesday there.
    await db.execute(
        "INSERT INTO class_enrollments (class_id, pupil_id, school_id) VALUES ($1, $2, $3)",
        CLASS_3A,
        pupil,
        SCHOOL,
    )
    r = await client.post(
        f"/api/v1/pupils/{pupil}/absence-reports",
        headers=await tokens.headers("lia.g1"),
        json={"first_day": "2026-11-25", "reason": "sick"},
    )
    assert r.status_code == 201, r.text

    old = await tokens.headers("lia.rektor")
    reports = (await client.get(f"/api/v1/pupils/{pupil}/absence-reports", headers=old)).json()
    assert [x["first_day"] for x in reports["items"]] == ["2026-11-24"]
    marks = (await client.get(f"/api/v1/pupils/{pupil}/assessments", headers=old)).json()
    assert [a["comment"] for s in marks for a in s["items"]] == ["Leser godt."]
    r = await client.post(
        f"/api/v1/pupils/{pupil}/absence-reports",
        headers=old,
        json={"first_day": "2026-11-26", "reason": "sick"},
    )
    assert_problem(r, 403, "absence.read_only")
    # The old school's leader's reads are in the old school's audit log, not the new one's.
    schools = await db.fetch(
        "SELECT DISTINCT school_id FROM audit_log WHERE actor_id = $1", await _id(db, "people", "u-rektor")
    )
    assert [s["school_id"] for s in schools] == [lia_school]

    # The new school's leader sees the pupil's history as before: both reports.
    new = (
        await client.get(f"/api/v1/pupils/{pupil}/absence-reports", headers=await tokens.headers("leader"))
    ).json()
    assert [x["first_day"] for x in new["items"]] == ["2026-11-25", "2026-11-24"]
