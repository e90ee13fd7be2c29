"""The morning board, roll call and the class team's check (api.md: Morning check)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.support.demo import CLASS_3A, CLASS_9B, KARI, OLA, person
from tests.support.routine import MONDAY, oslo, pupil_row, roll_call

# These tests move the clock past a token's lifetime: a new token per call.
pytestmark = pytest.mark.fresh_tokens

BOARD = f"/api/v1/classes/{CLASS_3A}/attendance"


async def test_board_before_roll_call(client, tokens, clock):
    clock.set(oslo(MONDAY, 7, 40))
    await client.post(
        f"/api/v1/pupils/{OLA}/absence-reports",
        headers=await tokens.headers("guardian.hansen"),
        json={"first_day": "2026-11-23", "last_day": "2026-11-24", "reason": "hospital", "note": "Operasjon"},
    )
    r = await client.get(BOARD, headers=await tokens.headers("teacher.3a"))
    assert r.status_code == 200
    board = r.json()
    assert board["date"] == "2026-11-23"
    assert board["check_completed_at"] is None
    assert len(board["pupils"]) == 20
    ola = pupil_row(board, OLA)
    assert ola["status"] == "reported"
    assert ola["reason"] == "hospital"
    assert ola["report_id"]
    assert "note" not in ola  # the board never shows the note
    others = {p["status"] for p in board["pupils"] if p["pupil_id"] != str(OLA)}
    assert others == {"unregistered"}
    # The next day, by ?date=, the report still shows.
    r = await client.get(f"{BOARD}?date=2026-11-24", headers=await tokens.headers("leader"))
    assert pupil_row(r.json(), OLA)["status"] == "reported"
    r = await client.get(f"{BOARD}?date=2026-11-25", headers=await tokens.headers("leader"))
    assert pupil_row(r.json(), OLA)["status"] == "unregistered"


async def test_roll_call_statuses_and_corrections(client, tokens, db, clock):
    clock.set(oslo(MONDAY, 8, 35))
    h = await tokens.headers("teacher.3a")
    pupils = [
        r["pupil_id"]
        for r in await db.fetch(
            "SELECT pupil_id FROM class_enrollments WHERE class_id = $1 AND pupil_id <> $2 ORDER BY pupil_id",
            CLASS_3A,
            OLA,
        )
    ]
    late, absent = pupils[0], pupils[1]
    r = await roll_call(client, h, db, CLASS_3A, MONDAY, {absent}, late=frozenset({late}))
    assert r.status_code == 200, r.text
    board = r.json()
    assert pupil_row(board, late)["status"] == "late"
    assert pupil_row(board, absent)["status"] == "absent"
    assert pupil_row(board, absent)["missing_case_id"]
    assert pupil_row(board, OLA)["status"] == "present"
    # A correction: the absent pupil was in the toilet. Only that pupil is sent.
    clock.set(oslo(MONDAY, 8, 38))
    r = await client.put(
        f"{BOARD}/2026-11-23", headers=h, json={"marks": [{"pupil_id": str(absent), "status": "present"}]}
    )
    assert r.status_code == 200
    assert pupil_row(r.json(), absent)["status"] == "present"
    assert pupil_row(r.json(), late)["status"] == "late"
    # The same roll call again changes nothing and opens nothing new.
    await roll_call(client, h, db, CLASS_3A, MONDAY, set(), late=frozenset({late}))
    assert await db.fetchval("SELECT count(*) FROM missing_cases") == 1
    assert await db.fetchval("SELECT status FROM missing_cases") == "resolved"
    row = await db.fetchrow(
        "SELECT marked_by, status FROM attendance_marks WHERE pupil_id = $1 AND day = $2", absent, MONDAY
    )
    assert (row["marked_by"], row["status"]) == (person("teacher.3a"), "present")


async def test_leader_may_take_the_roll_call(client, tokens, db, clock):
    clock.set(oslo(MONDAY, 8, 35))
    r = await roll_call(client, await tokens.headers("leader"), db, CLASS_9B, MONDAY, set())
    assert r.status_code == 200
    assert pupil_row(r.json(), KARI)["status"] == "present"


async def test_complete_the_check(client, tokens, db, clock):
    clock.set(oslo(MONDAY, 8, 50))
    h = await tokens.headers("team.3a")
    r = await client.post(f"{BOARD}/2026-11-23/complete", headers=h)
    assert r.status_code == 200
    assert r.json()["check_completed_at"].startswith("2026-11-23T08:50")
    clock.set(oslo(MONDAY, 8, 55))
    r = await client.post(f"{BOARD}/2026-11-23/complete", headers=await tokens.headers("teacher.3a"))
    assert r.json()["check_completed_at"].startswith("2026-11-23T08:50")
    r = await client.get(BOARD, headers=h)
    assert r.json()["check_completed_at"].startswith("2026-11-23T08:50")
    row = await db.fetchrow("SELECT completed_by FROM class_checks WHERE class_id = $1", CLASS_3A)
    assert row["completed_by"] == person("team.3a")


@pytest.mark.parametrize(
    ("day", "code"),
    [
        (date(2026, 11, 28), "attendance.not_school_day"),  # Saturday
        (date(2026, 12, 25), "attendance.not_school_day"),  # Christmas Day
        (date(2027, 5, 17), "attendance.future_day"),
        (MONDAY + timedelta(days=1), "attendance.future_day"),
    ],
)
async def test_no_roll_call_without_school(client, tokens, db, clock, day, code):
    clock.set(oslo(max(day, MONDAY) if code != "attendance.future_day" else MONDAY, 9, 0))
    r = await client.put(
        f"{BOARD}/{day.isoformat()}",
        headers=await tokens.headers("teacher.3a"),
        json={"marks": [{"pupil_id": str(OLA), "status": "absent"}]},
    )
    assert r.status_code == 422
    assert r.json()["code"] == code
    r = await client.post(f"{BOARD}/{day.isoformat()}/complete", headers=await tokens.headers("teacher.3a"))
    assert r.status_code == 422
    assert await db.fetchval("SELECT count(*) FROM attendance_marks") == 0
    assert await db.fetchval("SELECT count(*) FROM class_checks") == 0


async def test_holiday_roll_call_refused_on_the_day(client, tokens, clock):
    clock.set(oslo(date(2027, 5, 17), 8, 40))
    r = await client.put(
        f"{BOARD}/2027-05-17",
        headers=await tokens.headers("teacher.3a"),
        json={"marks": [{"pupil_id": str(OLA), "status": "absent"}]},
    )
    assert r.status_code == 422
    assert r.json()["code"] == "attendance.not_school_day"


async def test_earlier_day_can_be_corrected_without_a_search(client, tokens, db, clock):
    clock.set(oslo(MONDAY + timedelta(days=1), 8, 40))
    r = await client.put(
        f"{BOARD}/2026-11-23",
        headers=await tokens.headers("teacher.3a"),
        json={"marks": [{"pupil_id": str(OLA), "status": "absent"}]},
    )
    assert r.status_code == 200
    assert pupil_row(r.json(), OLA)["status"] == "absent"
    assert await db.fetchval("SELECT count(*) FROM missing_cases") == 0


@pytest.mark.parametrize(
    "marks",
    [
        [{"pupil_id": str(KARI), "status": "absent"}],  # not in 3A
        [{"pupil_id": str(OLA), "status": "away"}],  # not a status
        [{"pupil_id": "not-a-uuid", "status": "absent"}],
        [{"pupil_id": str(OLA), "status": "absent"}, {"pupil_id": str(OLA), "status": "present"}],
        [{"pupil_id": str(OLA), "status": "absent", "why": "?"}],
    ],
)
async def test_bad_roll_calls_write_nothing(client, tokens, db, clock, marks):
    clock.set(oslo(MONDAY, 8, 40))
    r = await client.put(
        f"{BOARD}/2026-11-23", headers=await tokens.headers("teacher.3a"), json={"marks": marks}
    )
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert await db.fetchval("SELECT count(*) FROM attendance_marks") == 0
    assert await db.fetchval("SELECT count(*) FROM missing_cases") == 0


async def test_malformed_roll_call_is_400(client, tokens, clock):
    clock.set(oslo(MONDAY, 8, 40))
    r = await client.put(f"{BOARD}/2026-11-23", headers=await tokens.headers("teacher.3a"), content=b"[")
    assert r.status_code == 400


async def test_board_reads_are_audited(client, tokens, db, clock):
    clock.set(oslo(MONDAY, 8, 40))
    await roll_call(client, await tokens.headers("teacher.3a"), db, CLASS_3A, MONDAY, {OLA})
    rows = await db.fetch("SELECT pupil_id, action FROM audit_log WHERE actor_id = $1", person("teacher.3a"))
    assert {(r["pupil_id"], r["action"]) for r in rows} == {(OLA, "attendance.board")}


async def test_english_problem_text(client, tokens, clock):
    clock.set(oslo(date(2026, 11, 28), 9, 0))
    r = await client.put(
        f"{BOARD}/2026-11-28",
        headers={**await tokens.headers("teacher.3a"), "Accept-Language": "en"},
        json={"marks": []},
    )
    assert r.json()["title"] == "Not a school day"
