"""Missing-pupil cases: opened by roll call, sought, escalated, resolved (product.md 3–4)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.support.demo import CLASS_3A, CLASS_9B, KARI, OLA, person
from tests.support.routine import MONDAY, inbox, kinds_by_user, oslo, pupil_row, roll_call, run_job

# These tests move the clock past a token's lifetime: a new token per call.
pytestmark = pytest.mark.fresh_tokens


async def _open_case(client, tokens, db, clock, class_id, pupil, teacher, hh=8, mm=40):
    clock.set(oslo(MONDAY, hh, mm))
    r = await roll_call(client, await tokens.headers(teacher), db, class_id, MONDAY, {pupil})
    assert r.status_code == 200, r.text
    row = pupil_row(r.json(), pupil)
    assert row["status"] == "absent"
    return row["missing_case_id"]


async def test_grade3_absent_during_first_lesson_is_sought_at_once(client, tokens, db, clock):
    case_id = await _open_case(client, tokens, db, clock, CLASS_3A, OLA, "teacher.3a")
    assert case_id is not None
    # Both guardians with access get the urgent alert at once; the blocked one nothing.
    for guardian in ("guardian.hansen", "guardian.nilsen"):
        alerts = await inbox(db, guardian, "missing_pupil")
        assert len(alerts) == 1
        assert alerts[0]["urgent"] is True
        assert alerts[0]["data"]["case_id"] == case_id
        assert "Ola Hansen" in alerts[0]["title"]
    assert await inbox(db, "guardian.blocked") == []
    r = await client.get(f"/api/v1/missing-cases/{case_id}", headers=await tokens.headers("teacher.3a"))
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "sought"
    assert body["pupil_name"] == "Ola Hansen"
    assert body["sought_at"].startswith("2026-11-23T08:40")
    assert [e["event"] for e in body["events"]] == ["opened", "sought"]
    assert body["events"][0]["actor_name"] == "Ingrid Lærar"
    assert body["events"][1]["actor_id"] is None


async def test_grade3_absent_before_first_lesson_is_sought_when_it_starts(client, tokens, db, clock):
    await _open_case(client, tokens, db, clock, CLASS_3A, OLA, "teacher.3a", 8, 20)
    assert await inbox(db, "guardian.hansen", "missing_pupil") == []
    clock.set(oslo(MONDAY, 8, 29))
    assert (await run_job(client, tokens, "missing-pupil-sweep"))["sought"] == 0
    clock.set(oslo(MONDAY, 8, 30))
    assert (await run_job(client, tokens, "missing-pupil-sweep"))["sought"] == 1
    assert len(await inbox(db, "guardian.hansen", "missing_pupil")) == 1


async def test_grade9_is_sought_at_first_recess_not_before(client, tokens, db, clock):
    case_id = await _open_case(client, tokens, db, clock, CLASS_9B, KARI, "teacher.9b")
    assert await kinds_by_user(db, "missing_pupil") == {}
    # A pending case is the school's business: guardians do not see it yet.
    r = await client.get(f"/api/v1/missing-cases/{case_id}", headers=await tokens.headers("guardian.hansen"))
    assert r.status_code == 404
    clock.set(oslo(MONDAY, 9, 59))
    assert (await run_job(client, tokens, "missing-pupil-sweep"))["sought"] == 0
    assert await kinds_by_user(db, "missing_pupil") == {}
    clock.set(oslo(MONDAY, 10, 0))
    assert (await run_job(client, tokens, "missing-pupil-sweep"))["sought"] == 1
    # Read-only guardians have the child: they are told too.
    assert await kinds_by_user(db, "missing_pupil") == {"guardian.hansen": 1, "guardian.readonly": 1}
    # Sweeping again changes nothing.
    clock.set(oslo(MONDAY, 10, 1))
    assert (await run_job(client, tokens, "missing-pupil-sweep"))["sought"] == 0
    assert await kinds_by_user(db, "missing_pupil") == {"guardian.hansen": 1, "guardian.readonly": 1}
    r = await client.get(
        f"/api/v1/missing-cases/{case_id}", headers=await tokens.headers("guardian.readonly")
    )
    assert r.status_code == 200
    assert r.json()["status"] == "sought"


async def test_escalation_exactly_after_the_school_limit(client, tokens, db, clock):
    case_id = await _open_case(client, tokens, db, clock, CLASS_3A, OLA, "teacher.3a")
    clock.set(oslo(MONDAY, 9, 9))  # 29 minutes after seeking
    assert (await run_job(client, tokens, "missing-pupil-sweep"))["escalated"] == 0
    assert await kinds_by_user(db, "missing_pupil_escalation") == {}
    clock.set(oslo(MONDAY, 9, 11))  # 31 minutes
    assert (await run_job(client, tokens, "missing-pupil-sweep"))["escalated"] == 1
    assert await kinds_by_user(db, "missing_pupil_escalation") == {
        "guardian.hansen": 1,
        "guardian.nilsen": 1,
    }
    # Leaders get one summary per sweep with the count.
    assert await kinds_by_user(db, "missing_pupil_summary") == {"leader": 1}
    alert = (await inbox(db, "guardian.nilsen", "missing_pupil_escalation"))[0]
    assert alert["urgent"] is True
    assert "02800" in alert["body"]
    clock.set(oslo(MONDAY, 9, 12))
    assert (await run_job(client, tokens, "missing-pupil-sweep"))["escalated"] == 0
    r = await client.get(f"/api/v1/missing-cases/{case_id}", headers=await tokens.headers("leader"))
    assert r.json()["status"] == "escalated"
    assert r.json()["escalated_at"].startswith("2026-11-23T09:11")


async def test_escalation_follows_the_school_setting(client, tokens, db, clock):
    await _open_case(client, tokens, db, clock, CLASS_3A, OLA, "teacher.3a")
    r = await client.put(
        f"/api/v1/schools/{(await _school(db))}/settings",
        headers=await tokens.headers("leader"),
        json={"escalate_after_minutes": 45},
    )
    assert r.status_code == 200, r.text
    clock.set(oslo(MONDAY, 9, 11))  # 31 minutes
    assert (await run_job(client, tokens, "missing-pupil-sweep"))["escalated"] == 0
    clock.set(oslo(MONDAY, 9, 24))  # 44 minutes
    assert (await run_job(client, tokens, "missing-pupil-sweep"))["escalated"] == 0
    clock.set(oslo(MONDAY, 9, 26))
    assert (await run_job(client, tokens, "missing-pupil-sweep"))["escalated"] == 1


async def _school(db):
    return await db.fetchval("SELECT school_id FROM classes WHERE id = $1", CLASS_3A)


async def test_guardian_answers_sick_at_home_files_the_report(client, tokens, db, clock):
    case_id = await _open_case(client, tokens, db, clock, CLASS_3A, OLA, "teacher.3a")
    clock.set(oslo(MONDAY, 8, 50))
    h = await tokens.headers("guardian.hansen")
    r = await client.post(
        f"/api/v1/missing-cases/{case_id}/resolve",
        headers=h,
        json={"outcome": "sick_at_home", "note": "Feber i natt"},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "resolved"
    assert body["resolution"]["outcome"] == "sick_at_home"
    assert body["resolution"]["resolved_by"] == str(person("guardian.hansen"))
    # The sick report is on file for today, and the board says so.
    reports = (await client.get(f"/api/v1/pupils/{OLA}/absence-reports", headers=h)).json()
    assert [(x["first_day"], x["reason"], x["late"]) for x in reports["items"]] == [
        ("2026-11-23", "sick", True)
    ]
    board = (
        await client.get(f"/api/v1/classes/{CLASS_3A}/attendance", headers=await tokens.headers("teacher.3a"))
    ).json()
    assert pupil_row(board, OLA)["status"] == "reported"
    assert pupil_row(board, OLA)["reason"] == "sick"
    # The class team and the other guardian are told; the one who answered is not.
    assert await kinds_by_user(db, "missing_pupil_resolved") == {
        "teacher.3a": 1,
        "team.3a": 1,
        "guardian.nilsen": 1,
    }
    # Nobody escalates a resolved case.
    clock.set(oslo(MONDAY, 9, 30))
    assert (await run_job(client, tokens, "missing-pupil-sweep"))["escalated"] == 0
    # Answering twice is a conflict.
    r = await client.post(
        f"/api/v1/missing-cases/{case_id}/resolve",
        headers=await tokens.headers("guardian.nilsen"),
        json={"outcome": "on_the_way"},
    )
    assert r.status_code == 409
    assert r.json()["code"] == "missing.already_resolved"


async def test_staff_resolve_after_escalation_tells_everyone_alerted(client, tokens, db, clock):
    case_id = await _open_case(client, tokens, db, clock, CLASS_3A, OLA, "teacher.3a")
    clock.set(oslo(MONDAY, 9, 15))
    await run_job(client, tokens, "missing-pupil-sweep")
    clock.set(oslo(MONDAY, 9, 20))
    r = await client.post(
        f"/api/v1/missing-cases/{case_id}/resolve",
        headers=await tokens.headers("teacher.3a"),
        json={"outcome": "other", "note": "Hentet av bestemor"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["resolution"]["outcome"] == "other"
    assert [e["event"] for e in r.json()["events"]] == ["opened", "sought", "escalated", "resolved"]
    assert await kinds_by_user(db, "missing_pupil_resolved") == {
        "team.3a": 1,
        "guardian.hansen": 1,
        "guardian.nilsen": 1,
        "leader": 1,
    }
    # The board still says absent: staff closing a case explains nothing by itself.
    board = (
        await client.get(f"/api/v1/classes/{CLASS_3A}/attendance", headers=await tokens.headers("teacher.3a"))
    ).json()
    assert pupil_row(board, OLA)["status"] == "absent"


async def test_outcomes_belong_to_roles(client, tokens, db, clock):
    case_id = await _open_case(client, tokens, db, clock, CLASS_3A, OLA, "teacher.3a")
    r = await client.post(
        f"/api/v1/missing-cases/{case_id}/resolve",
        headers=await tokens.headers("guardian.hansen"),
        json={"outcome": "arrived"},
    )
    assert r.status_code == 422
    assert r.json()["code"] == "missing.outcome_not_allowed"
    r = await client.post(
        f"/api/v1/missing-cases/{case_id}/resolve",
        headers=await tokens.headers("teacher.3a"),
        json={"outcome": "sick_at_home"},
    )
    assert r.status_code == 422
    r = await client.post(
        f"/api/v1/missing-cases/{case_id}/resolve",
        headers=await tokens.headers("teacher.3a"),
        json={"outcome": "nowhere"},
    )
    assert r.status_code == 422
    r = await client.post(
        f"/api/v1/missing-cases/{case_id}/resolve",
        headers=await tokens.headers("teacher.3a"),
        content=b"{oops",
    )
    assert r.status_code == 400
    assert (
        await db.fetchval("SELECT status FROM missing_cases WHERE id = $1", __import__("uuid").UUID(case_id))
        == "sought"
    )


async def test_report_before_deadline_means_no_case(client, tokens, db, clock):
    clock.set(oslo(MONDAY, 7, 45))
    r = await client.post(
        f"/api/v1/pupils/{OLA}/absence-reports",
        headers=await tokens.headers("guardian.nilsen"),
        json={"first_day": "2026-11-23", "reason": "sick", "note": "Omgangssyke"},
    )
    assert r.status_code == 201
    clock.set(oslo(MONDAY, 8, 40))
    r = await roll_call(client, await tokens.headers("teacher.3a"), db, CLASS_3A, MONDAY, {OLA})
    row = pupil_row(r.json(), OLA)
    assert row["status"] == "reported"
    assert row["reason"] == "sick"
    assert "note" not in row
    assert "missing_case_id" not in row
    assert await db.fetchval("SELECT count(*) FROM missing_cases") == 0
    assert await kinds_by_user(db, "missing_pupil") == {}


async def test_report_after_mark_before_seeking_closes_silently(client, tokens, db, clock):
    case_id = await _open_case(client, tokens, db, clock, CLASS_9B, KARI, "teacher.9b")
    clock.set(oslo(MONDAY, 9, 5))
    r = await client.post(
        f"/api/v1/pupils/{KARI}/absence-reports",
        headers=await tokens.headers("guardian.hansen"),
        json={"first_day": "2026-11-23", "reason": "doctor"},
    )
    assert r.status_code == 201
    assert r.json()["late"] is True
    clock.set(oslo(MONDAY, 10, 0))
    effects = await run_job(client, tokens, "missing-pupil-sweep")
    assert effects["sought"] == 0
    assert await kinds_by_user(db, "missing_pupil") == {}
    assert await kinds_by_user(db, "late_absence_report") == {}
    r = await client.get(f"/api/v1/missing-cases/{case_id}", headers=await tokens.headers("teacher.9b"))
    assert r.json()["status"] == "resolved"
    assert r.json()["resolution"]["outcome"] == "reported"
    assert r.json()["sought_at"] is None


async def test_late_report_calls_off_the_search_and_tells_the_class_team(client, tokens, db, clock):
    case_id = await _open_case(client, tokens, db, clock, CLASS_3A, OLA, "teacher.3a")
    clock.set(oslo(MONDAY, 8, 55))
    r = await client.post(
        f"/api/v1/pupils/{OLA}/absence-reports",
        headers=await tokens.headers("guardian.nilsen"),
        json={"first_day": "2026-11-23", "reason": "sick"},
    )
    assert r.status_code == 201
    assert await kinds_by_user(db, "late_absence_report") == {"teacher.3a": 1, "team.3a": 1}
    late = (await inbox(db, "teacher.3a", "late_absence_report"))[0]
    assert late["data"]["case_id"] == case_id
    assert "sick" not in late["body"].lower() and "syk" not in late["body"].lower()
    # The other guardian, who was alerted, hears the case is closed.
    assert await kinds_by_user(db, "missing_pupil_resolved") == {"guardian.hansen": 1}
    case = (
        await client.get(f"/api/v1/missing-cases/{case_id}", headers=await tokens.headers("guardian.hansen"))
    ).json()
    assert case["status"] == "resolved"
    assert case["resolution"]["outcome"] == "reported"


async def test_pupil_marked_present_closes_the_case_at_any_time(client, tokens, db, clock):
    case_id = await _open_case(client, tokens, db, clock, CLASS_3A, OLA, "teacher.3a")
    clock.set(oslo(MONDAY, 9, 30))
    await run_job(client, tokens, "missing-pupil-sweep")  # escalated
    clock.set(oslo(MONDAY, 9, 40))
    r = await roll_call(
        client, await tokens.headers("team.3a"), db, CLASS_3A, MONDAY, set(), late=frozenset({OLA})
    )
    assert pupil_row(r.json(), OLA)["status"] == "late"
    case = (
        await client.get(f"/api/v1/missing-cases/{case_id}", headers=await tokens.headers("teacher.3a"))
    ).json()
    assert case["status"] == "resolved"
    assert case["resolution"]["outcome"] == "arrived"
    assert case["resolution"]["resolved_by_name"] is not None
    assert await kinds_by_user(db, "missing_pupil_resolved") == {
        "teacher.3a": 1,
        "guardian.hansen": 1,
        "guardian.nilsen": 1,
        "leader": 1,
    }


async def test_present_before_seeking_closes_silently(client, tokens, db, clock):
    await _open_case(client, tokens, db, clock, CLASS_9B, KARI, "teacher.9b")
    clock.set(oslo(MONDAY, 9, 0))
    await roll_call(client, await tokens.headers("teacher.9b"), db, CLASS_9B, MONDAY, set())
    clock.set(oslo(MONDAY, 10, 0))
    assert (await run_job(client, tokens, "missing-pupil-sweep"))["sought"] == 0
    assert await db.fetchval("SELECT count(*) FROM notifications") == 0


async def test_approved_leave_accounts_for_the_absence(client, tokens, db, clock):
    await db.execute(
        "INSERT INTO leave_requests (id, school_id, pupil_id, requested_by, first_day, last_day,"
        " reason, school_days, status, created_at)"
        " SELECT gen_random_uuid(), school_id, $1, $2, $3, $3, 'Bryllup', 1, 'approved', now()"
        " FROM classes WHERE id = $4",
        KARI,
        person("guardian.hansen"),
        MONDAY,
        CLASS_9B,
    )
    clock.set(oslo(MONDAY, 8, 40))
    r = await roll_call(client, await tokens.headers("teacher.9b"), db, CLASS_9B, MONDAY, {KARI})
    assert pupil_row(r.json(), KARI)["status"] == "leave"
    assert await db.fetchval("SELECT count(*) FROM missing_cases") == 0


async def test_leave_approved_while_pending_prevents_seeking(client, tokens, db, clock):
    await _open_case(client, tokens, db, clock, CLASS_9B, KARI, "teacher.9b")
    await db.execute(
        "INSERT INTO leave_requests (id, school_id, pupil_id, requested_by, first_day, last_day,"
        " reason, school_days, status, created_at)"
        " SELECT gen_random_uuid(), school_id, $1, $2, $3, $3, 'Bryllup', 1, 'approved', now()"
        " FROM classes WHERE id = $4",
        KARI,
        person("guardian.hansen"),
        MONDAY,
        CLASS_9B,
    )
    clock.set(oslo(MONDAY, 10, 0))
    effects = await run_job(client, tokens, "missing-pupil-sweep")
    assert {k: effects[k] for k in ("sought", "closed_before_seeking", "escalated", "notifications")} == {
        "sought": 0,
        "closed_before_seeking": 1,
        "escalated": 0,
        "notifications": 0,
    }
    assert await db.fetchval("SELECT outcome FROM missing_cases") == "leave"


async def test_timed_report_for_later_does_not_explain_morning_absence(client, tokens, db, clock):
    clock.set(oslo(MONDAY, 7, 0))
    r = await client.post(
        f"/api/v1/pupils/{OLA}/absence-reports",
        headers=await tokens.headers("guardian.hansen"),
        json={"first_day": "2026-11-23", "reason": "dentist", "from_time": "12:00", "to_time": "13:00"},
    )
    assert r.status_code == 201
    case_id = await _open_case(client, tokens, db, clock, CLASS_3A, OLA, "teacher.3a")
    assert case_id is not None
    assert len(await inbox(db, "guardian.hansen", "missing_pupil")) == 1


async def test_adult_pupil_guardians_only_with_consent(client, tokens, db, clock):
    # Kari turns 18: guardians without her consent are no longer told.
    await db.execute("UPDATE people SET birth_date = '2008-01-01' WHERE id = $1", KARI)
    await _open_case(client, tokens, db, clock, CLASS_9B, KARI, "teacher.9b")
    clock.set(oslo(MONDAY, 10, 0))
    await run_job(client, tokens, "missing-pupil-sweep")
    assert await kinds_by_user(db, "missing_pupil") == {}


async def test_adult_pupil_guardian_with_consent_is_told(client, tokens, db, clock):
    await db.execute("UPDATE people SET birth_date = '2008-01-01' WHERE id = $1", KARI)
    await db.execute(
        "UPDATE guardian_relations SET adult_consent = true WHERE pupil_id = $1 AND guardian_id = $2",
        KARI,
        person("guardian.hansen"),
    )
    await _open_case(client, tokens, db, clock, CLASS_9B, KARI, "teacher.9b")
    clock.set(oslo(MONDAY, 10, 0))
    await run_job(client, tokens, "missing-pupil-sweep")
    assert await kinds_by_user(db, "missing_pupil") == {"guardian.hansen": 1}


async def test_case_lists(client, tokens, db, clock):
    ola_case = await _open_case(client, tokens, db, clock, CLASS_3A, OLA, "teacher.3a")
    kari_case = await _open_case(client, tokens, db, clock, CLASS_9B, KARI, "teacher.9b")

    async def ids(username, query=""):
        r = await client.get(f"/api/v1/missing-cases{query}", headers=await tokens.headers(username))
        assert r.status_code == 200, r.text
        return [c["id"] for c in r.json()["items"]]

    assert await ids("teacher.3a") == [ola_case]
    assert await ids("teacher.9b") == [kari_case]
    assert set(await ids("leader")) == {ola_case, kari_case}
    # Kari's case is still pending: her guardians do not see it yet.
    assert await ids("guardian.hansen") == [ola_case]
    assert await ids("guardian.readonly") == []
    assert await ids("guardian.blocked") == []
    assert await ids("teacher.math9b") == []
    assert await ids("leader.other") == []
    assert await ids("leader", "?status=resolved") == []
    assert set(await ids("leader", "?status=open&date=2026-11-23")) == {ola_case, kari_case}
    assert await ids("leader", "?date=2026-11-24") == []
    r = await client.get("/api/v1/missing-cases?limit=1", headers=await tokens.headers("leader"))
    page = r.json()
    assert len(page["items"]) == 1 and page["next_cursor"]
    r = await client.get(
        f"/api/v1/missing-cases?limit=1&cursor={page['next_cursor']}", headers=await tokens.headers("leader")
    )
    assert len(r.json()["items"]) == 1
    assert r.json()["items"][0]["id"] != page["items"][0]["id"]
    r = await client.get("/api/v1/missing-cases?status=lost", headers=await tokens.headers("leader"))
    assert r.status_code == 422
    # Staff reading cases is audited.
    assert (
        await db.fetchval(
            "SELECT count(*) FROM audit_log WHERE action = 'missing_cases.read' AND actor_id = $1",
            person("leader"),
        )
        >= 2
    )


async def test_yesterdays_unsought_case_is_not_sought_today(client, tokens, db, clock):
    await _open_case(client, tokens, db, clock, CLASS_9B, KARI, "teacher.9b")
    clock.set(oslo(MONDAY + timedelta(days=1), 10, 0))
    assert (await run_job(client, tokens, "missing-pupil-sweep"))["sought"] == 0
    assert await kinds_by_user(db, "missing_pupil") == {}


async def test_changed_seek_policy_takes_effect_the_same_day(client, tokens, db, clock):
    await _open_case(client, tokens, db, clock, CLASS_9B, KARI, "teacher.9b")
    clock.set(oslo(MONDAY, 8, 45))
    r = await client.put(
        f"/api/v1/schools/{await _school(db)}/settings",
        headers=await tokens.headers("leader"),
        json={"seek_policy": {"1-7": "first_lesson", "8-10": "09:00", "11-13": "first_recess"}},
    )
    assert r.status_code == 200, r.text
    clock.set(oslo(MONDAY, 8, 59))
    assert (await run_job(client, tokens, "missing-pupil-sweep"))["sought"] == 0
    clock.set(oslo(MONDAY, 9, 0))
    assert (await run_job(client, tokens, "missing-pupil-sweep"))["sought"] == 1
    assert await kinds_by_user(db, "missing_pupil") == {"guardian.hansen": 1, "guardian.readonly": 1}


async def test_guardian_answers_on_the_way_then_pupil_arrives(client, tokens, db, clock):
    case_id = await _open_case(client, tokens, db, clock, CLASS_3A, OLA, "teacher.3a")
    clock.set(oslo(MONDAY, 8, 45))
    r = await client.post(
        f"/api/v1/missing-cases/{case_id}/resolve",
        headers=await tokens.headers("guardian.nilsen"),
        json={"outcome": "on_the_way"},
    )
    assert r.status_code == 200
    assert await kinds_by_user(db, "missing_pupil_resolved") == {
        "teacher.3a": 1,
        "team.3a": 1,
        "guardian.hansen": 1,
    }
    resolved = (await inbox(db, "teacher.3a", "missing_pupil_resolved"))[0]
    assert resolved["data"]["outcome"] == "on_the_way"
    # No report was filed for "on the way"; the late mark later needs no new case.
    assert await db.fetchval("SELECT count(*) FROM absence_reports") == 0
    clock.set(oslo(MONDAY, 9, 5))
    r = await roll_call(
        client, await tokens.headers("teacher.3a"), db, CLASS_3A, MONDAY, set(), late=frozenset({OLA})
    )
    assert pupil_row(r.json(), OLA)["status"] == "late"
    assert await db.fetchval("SELECT count(*) FROM missing_cases") == 1


async def test_resolve_is_idempotent_with_a_key(client, tokens, db, clock):
    case_id = await _open_case(client, tokens, db, clock, CLASS_3A, OLA, "teacher.3a")
    h = {**await tokens.headers("guardian.hansen"), "Idempotency-Key": "answer-1"}
    first = await client.post(
        f"/api/v1/missing-cases/{case_id}/resolve", headers=h, json={"outcome": "sick_at_home"}
    )
    again = await client.post(
        f"/api/v1/missing-cases/{case_id}/resolve", headers=h, json={"outcome": "sick_at_home"}
    )
    assert (first.status_code, again.status_code) == (200, 200)
    assert await db.fetchval("SELECT count(*) FROM absence_reports") == 1
    assert await kinds_by_user(db, "missing_pupil_resolved") == {
        "teacher.3a": 1,
        "team.3a": 1,
        "guardian.nilsen": 1,
    }


async def test_leave_approved_for_a_sought_case_closes_it(client, tokens, db, clock):
    from backend.missing.hooks import leave_approved

    case_id = await _open_case(client, tokens, db, clock, CLASS_3A, OLA, "teacher.3a")
    async with db.transaction():
        await leave_approved(
            db,
            pupil_id=OLA,
            first_day=MONDAY,
            last_day=MONDAY,
            actor=person("leader"),
            now=oslo(MONDAY, 8, 50),
        )
    case = (
        await client.get(f"/api/v1/missing-cases/{case_id}", headers=await tokens.headers("guardian.hansen"))
    ).json()
    assert case["status"] == "resolved"
    assert case["resolution"]["outcome"] == "leave"
    assert await kinds_by_user(db, "missing_pupil_resolved") == {
        "teacher.3a": 1,
        "team.3a": 1,
        "guardian.hansen": 1,
        "guardian.nilsen": 1,
    }


async def test_leave_approved_through_the_api_closes_the_sought_case(client, tokens, db, clock):
    # The guardian applies on the web early in the morning; the teacher marks Ola
    # absent (sought at once); the contact teacher then approves the leave.
    clock.set(oslo(MONDAY, 7, 0))
    r = await client.post(
        f"/api/v1/pupils/{OLA}/leave-requests",
        headers=await tokens.headers("guardian.hansen", "web"),
        json={
            "first_day": MONDAY.isoformat(),
            "last_day": MONDAY.isoformat(),
            "reason": "Tannregulering i Bergen",
        },
    )
    assert r.status_code == 201, r.text
    request_id = r.json()["id"]
    case_id = await _open_case(client, tokens, db, clock, CLASS_3A, OLA, "teacher.3a")
    assert (
        await client.get(f"/api/v1/missing-cases/{case_id}", headers=await tokens.headers("teacher.3a"))
    ).json()["status"] == "sought"
    clock.set(oslo(MONDAY, 8, 50))
    r = await client.post(
        f"/api/v1/leave-requests/{request_id}/decision",
        headers=await tokens.headers("teacher.3a"),
        json={"approved": True},
    )
    assert r.status_code == 200, r.text
    case = (
        await client.get(f"/api/v1/missing-cases/{case_id}", headers=await tokens.headers("guardian.hansen"))
    ).json()
    assert case["status"] == "resolved"
    assert case["resolution"]["outcome"] == "leave"


async def test_answer_note_reaches_staff_but_not_the_other_guardian_and_is_erased(client, tokens, db, clock):
    case_id = await _open_case(client, tokens, db, clock, CLASS_3A, OLA, "teacher.3a")
    clock.set(oslo(MONDAY, 8, 50))
    r = await client.post(
        f"/api/v1/missing-cases/{case_id}/resolve",
        headers=await tokens.headers("guardian.hansen"),
        json={"outcome": "sick_at_home", "note": "Oppkast og feber"},
    )
    assert r.status_code == 200, r.text

    async def note_seen_by(username: str) -> str | None:
        r = await client.get(f"/api/v1/missing-cases/{case_id}", headers=await tokens.headers(username))
        assert r.status_code == 200, r.text
        return r.json()["resolution"].get("note")  # type: ignore[no-any-return]

    assert await note_seen_by("guardian.hansen") == "Oppkast og feber"
    assert await note_seen_by("teacher.3a") == "Oppkast og feber"
    assert await note_seen_by("leader") == "Oppkast og feber"
    assert await note_seen_by("guardian.nilsen") is None
    # After the school's retention period the note is gone; the coded answer stays.
    clock.set(oslo(date(2027, 1, 4), 3, 0))
    await run_job(client, tokens, "note-retention")
    assert await note_seen_by("teacher.3a") is None
    assert await db.fetchval("SELECT count(*) FROM missing_case_events WHERE note IS NOT NULL") == 0
    assert await db.fetchval("SELECT outcome FROM missing_cases") == "sick_at_home"
