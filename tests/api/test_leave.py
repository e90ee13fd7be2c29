"""Leave requests: web only, who applies, who decides, what is pushed (api.md: Leave)."""

from __future__ import annotations

import uuid
from datetime import date

from tests.support.demo import KARI, OLA, SCHOOL, person

TUE, WED, THU = "2026-11-24", "2026-11-25", "2026-11-26"


def leave_url(pupil: uuid.UUID) -> str:
    return f"/api/v1/pupils/{pupil}/leave-requests"


async def apply(
    client, tokens, username="guardian.hansen", pupil=OLA, first=TUE, last=WED, reason="Familietur", **headers
):
    h = dict(await tokens.headers(username, "web"))
    h.update(headers)
    return await client.post(
        leave_url(pupil), headers=h, json={"first_day": first, "last_day": last, "reason": reason}
    )


async def decide(client, tokens, request_id, username="teacher.3a", approved=True, **body):
    return await client.post(
        f"/api/v1/leave-requests/{request_id}/decision",
        headers=await tokens.headers(username),
        json={"approved": approved, **body},
    )


async def inbox(db, username: str, kind: str) -> list:
    return await db.fetch(
        "SELECT title, body, data FROM notifications WHERE person_id = $1 AND kind = $2",
        person(username),
        kind,
    )


async def test_app_token_is_refused_with_a_pointer_to_the_web_portal(client, tokens, db):
    h = await tokens.headers("guardian.hansen", "app")
    body = {"first_day": TUE, "last_day": WED, "reason": "Familietur"}
    r = await client.post(leave_url(OLA), headers=h, json=body)
    assert r.status_code == 403
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "leave.web_only"
    assert "nettportal" in r.json()["detail"]
    r = await client.post(leave_url(OLA), headers={**h, "Accept-Language": "nn"}, json=body)
    assert "nettportalen" in r.json()["detail"] and "ikkje" in r.json()["detail"]
    r = await client.post(leave_url(OLA), headers={**h, "Accept-Language": "en"}, json=body)
    assert "web portal" in r.json()["detail"]
    assert await db.fetchval("SELECT count(*) FROM leave_requests") == 0


async def test_guardian_applies_on_the_web_and_the_class_team_is_pushed(client, tokens, db):
    r = await apply(client, tokens)
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["status"] == "pending"
    assert got["pupil_id"] == str(OLA)
    assert (got["first_day"], got["last_day"], got["school_days"]) == (TUE, WED, 2)
    assert got["requested_by"] == str(person("guardian.hansen"))
    assert got["class_name"] == "3A"
    for member in ("teacher.3a", "team.3a"):
        items = await inbox(db, member, "leave_request")
        assert len(items) == 1, member
        assert "Ola Hansen" in items[0]["body"] and "3A" in items[0]["body"]
        assert items[0]["data"]["pupil_id"] == str(OLA)
        assert items[0]["data"]["request_id"] == got["id"]
    # Nobody outside the class team hears of it.
    for outsider in ("teacher.9b", "leader", "guardian.nilsen"):
        assert await inbox(db, outsider, "leave_request") == []


async def test_read_only_guardian_gets_403_and_blocked_guardian_404(client, tokens, db):
    r = await apply(client, tokens, "guardian.readonly", KARI)
    assert r.status_code == 403
    assert r.json()["code"] == "leave.read_only"
    r = await apply(client, tokens, "guardian.blocked", OLA)
    assert r.status_code == 404
    assert await db.fetchval("SELECT count(*) FROM leave_requests") == 0


async def test_staff_and_young_pupils_do_not_apply(client, tokens):
    r = await apply(client, tokens, "teacher.3a", OLA)
    assert r.status_code == 403
    assert r.json()["code"] == "leave.not_applicant"
    r = await apply(client, tokens, "pupil.ola", OLA)
    assert r.status_code == 403


async def test_pupil_of_18_applies_and_guardians_without_consent_do_not_see(client, tokens, db):
    await db.execute("UPDATE people SET birth_date = '2008-01-01' WHERE id = $1", KARI)
    r = await apply(client, tokens, "pupil.kari", KARI)
    assert r.status_code == 201, r.text
    r = await apply(client, tokens, "guardian.hansen", KARI, first=THU, last=THU)
    assert r.status_code == 404
    listed = await client.get("/api/v1/leave-requests", headers=await tokens.headers("guardian.hansen"))
    assert listed.json()["items"] == []


async def test_first_day_may_be_today_but_not_in_the_past(client, tokens, clock):
    r = await apply(client, tokens, first="2026-11-20", last="2026-11-24")
    assert r.status_code == 422
    assert r.json()["code"] == "leave.past_day"
    r = await apply(client, tokens, first="2026-11-23", last="2026-11-23")
    assert r.status_code == 201


async def test_the_school_day_count_skips_weekends_holidays_and_closed_days(client, tokens, db):
    await db.execute("INSERT INTO closed_days VALUES ($1, '2026-11-25', 'Planleggingsdag')", SCHOOL)
    # Tue 24 .. Mon 30 November: Tue, Thu, Fri, Mon (Wed closed, weekend skipped).
    r = await apply(client, tokens, first=TUE, last="2026-11-30")
    assert r.status_code == 201, r.text
    assert r.json()["school_days"] == 4
    # Christmas Day (a public holiday) and the weekend after it.
    r = await apply(client, tokens, first="2026-12-25", last="2026-12-27")
    assert r.status_code == 422
    assert r.json()["code"] == "leave.no_school_day"


async def test_last_day_before_first_and_bad_input_write_nothing(client, tokens, db):
    r = await apply(client, tokens, first=WED, last=TUE)
    assert r.status_code == 422
    assert r.json()["code"] == "leave.last_before_first"
    r = await apply(client, tokens, reason="")
    assert r.status_code == 422
    assert r.json()["errors"]
    r = await apply(client, tokens, reason="   ")
    assert r.status_code == 422
    assert r.json()["code"] == "leave.reason_blank"
    r = await apply(client, tokens, reason="x" * 1001)
    assert r.status_code == 422
    h = await tokens.headers("guardian.hansen", "web")
    r = await client.post(
        leave_url(OLA), headers={**h, "content-type": "application/json"}, content=b'{"first_day": '
    )
    assert r.status_code == 400
    r = await client.post(
        leave_url(OLA), headers=h, json={"first_day": TUE, "last_day": WED, "reason": "x", "extra": 1}
    )
    assert r.status_code == 422
    assert await db.fetchval("SELECT count(*) FROM leave_requests") == 0


async def test_overlapping_request_is_409(client, tokens):
    assert (await apply(client, tokens)).status_code == 201
    r = await apply(client, tokens, "guardian.nilsen", first=WED, last=THU)
    assert r.status_code == 409
    assert r.json()["code"] == "leave.overlap"


async def test_idempotency_key_replays_and_creates_nothing_new(client, tokens, db):
    first = await apply(client, tokens, **{"Idempotency-Key": "leave-1"})
    again = await apply(client, tokens, **{"Idempotency-Key": "leave-1"})
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again.headers.get("idempotent-replayed") == "true"
    assert await db.fetchval("SELECT count(*) FROM leave_requests") == 1
    assert len(await inbox(db, "teacher.3a", "leave_request")) == 1
    other = await apply(client, tokens, reason="Annen grunn", **{"Idempotency-Key": "leave-1"})
    assert other.status_code == 422


async def test_contact_teacher_decides_up_to_two_school_days(client, tokens, db):
    short = (await apply(client, tokens)).json()
    r = await decide(client, tokens, short["id"], comment="God tur!")
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["status"] == "approved"
    assert got["comment"] == "God tur!"
    assert got["decided_by"] == str(person("teacher.3a"))
    row = await db.fetchrow("SELECT status, first_day, last_day FROM leave_requests")
    # What the attendance board reads to show `leave`.
    assert (row["status"], row["first_day"], row["last_day"]) == (
        "approved",
        date(2026, 11, 24),
        date(2026, 11, 25),
    )


async def test_longer_requests_need_a_school_leader(client, tokens, db):
    long = (await apply(client, tokens, first=TUE, last=THU)).json()
    assert long["school_days"] == 3
    listed = await client.get(
        "/api/v1/leave-requests?status=pending", headers=await tokens.headers("teacher.3a")
    )
    assert [i["can_decide"] for i in listed.json()["items"]] == [False]
    r = await decide(client, tokens, long["id"], "teacher.3a")
    assert r.status_code == 403
    assert r.json()["code"] == "leave.needs_leader"
    assert "3" in r.json()["detail"]
    r = await decide(client, tokens, long["id"], "leader", approved=False, comment="Nei")
    assert r.status_code == 200
    assert r.json()["status"] == "rejected"


async def test_the_teacher_limit_is_the_school_setting(client, tokens, db):
    await db.execute("UPDATE schools SET leave_teacher_max_days = 3 WHERE id = $1", SCHOOL)
    long = (await apply(client, tokens, first=TUE, last=THU)).json()
    assert (await decide(client, tokens, long["id"])).status_code == 200
    await db.execute("UPDATE schools SET leave_teacher_max_days = 0 WHERE id = $1", SCHOOL)
    one = (await apply(client, tokens, first="2026-11-30", last="2026-11-30")).json()
    r = await decide(client, tokens, one["id"])
    assert r.status_code == 403


async def test_deciding_twice_is_409(client, tokens):
    req = (await apply(client, tokens)).json()
    assert (await decide(client, tokens, req["id"])).status_code == 200
    r = await decide(client, tokens, req["id"], approved=False)
    assert r.status_code == 409
    assert r.json()["code"] == "leave.already_decided"
    r = await decide(client, tokens, req["id"], "leader", approved=False)
    assert r.status_code == 409


async def test_decision_is_pushed_to_guardians_with_access(client, tokens, db):
    req = (await apply(client, tokens)).json()
    await decide(client, tokens, req["id"])
    for guardian in ("guardian.hansen", "guardian.nilsen"):
        items = await inbox(db, guardian, "leave_decision")
        assert len(items) == 1, guardian
        assert "Ola Hansen" in items[0]["body"]
        assert items[0]["data"] == {"pupil_id": str(OLA), "request_id": req["id"]}
    assert await inbox(db, "guardian.blocked", "leave_decision") == []
    assert await inbox(db, "teacher.3a", "leave_decision") == []


async def test_class_team_sees_but_does_not_decide_and_guardians_cannot(client, tokens):
    req = (await apply(client, tokens)).json()
    r = await decide(client, tokens, req["id"], "team.3a")
    assert r.status_code == 403
    assert r.json()["code"] == "leave.not_decider"
    r = await decide(client, tokens, req["id"], "guardian.hansen")
    assert r.status_code == 403
    listed = await client.get("/api/v1/leave-requests", headers=await tokens.headers("team.3a"))
    assert [i["id"] for i in listed.json()["items"]] == [req["id"]]


async def test_subject_teacher_neither_sees_nor_decides(client, tokens):
    req = (await apply(client, tokens, pupil=KARI)).json()
    listed = await client.get("/api/v1/leave-requests", headers=await tokens.headers("teacher.math9b"))
    assert listed.json()["items"] == []
    r = await decide(client, tokens, req["id"], "teacher.math9b")
    assert r.status_code == 404


async def test_lists_by_status_for_guardians_and_staff(client, tokens):
    a = (await apply(client, tokens)).json()
    b = (await apply(client, tokens, pupil=KARI, first=THU, last=THU)).json()
    await decide(client, tokens, a["id"])

    async def ids(username, status=None):
        url = "/api/v1/leave-requests" + (f"?status={status}" if status else "")
        r = await client.get(url, headers=await tokens.headers(username))
        assert r.status_code == 200, r.text
        return {i["id"] for i in r.json()["items"]}

    assert await ids("guardian.hansen") == {a["id"], b["id"]}
    assert await ids("guardian.hansen", "pending") == {b["id"]}
    assert await ids("guardian.hansen", "decided") == {a["id"]}
    assert await ids("guardian.nilsen") == {a["id"]}
    assert await ids("guardian.readonly") == {b["id"]}
    assert await ids("guardian.blocked") == set()
    assert await ids("teacher.3a") == {a["id"]}
    assert await ids("teacher.9b") == {b["id"]}
    assert await ids("leader") == {a["id"], b["id"]}
    assert await ids("leader.other") == set()
    r = await client.get("/api/v1/leave-requests?status=old", headers=await tokens.headers("leader"))
    assert r.status_code == 422


async def test_list_pages_with_a_cursor_and_staff_reads_are_audited(client, tokens, db, clock):
    from datetime import timedelta

    for first in (TUE, THU, "2026-11-30"):
        assert (await apply(client, tokens, first=first, last=first)).status_code == 201
        clock.set(clock.now() + timedelta(seconds=1))
    h = await tokens.headers("leader")
    seen, cursor = [], None
    while True:
        url = "/api/v1/leave-requests?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = (await client.get(url, headers=h)).json()
        seen += [i["first_day"] for i in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == ["2026-11-30", THU, TUE]
    audited = await db.fetchval(
        "SELECT count(*) FROM audit_log WHERE actor_id = $1 AND action = 'leave_requests.read'",
        person("leader"),
    )
    assert audited >= 1
    r = await client.get("/api/v1/leave-requests?cursor=garbage", headers=h)
    assert r.status_code == 422


async def test_decision_idempotency_replays_the_first_answer(client, tokens, db):
    req = (await apply(client, tokens)).json()
    h = {**await tokens.headers("teacher.3a"), "Idempotency-Key": "d-1"}
    url = f"/api/v1/leave-requests/{req['id']}/decision"
    first = await client.post(url, headers=h, json={"approved": True})
    again = await client.post(url, headers=h, json={"approved": True})
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert len(await inbox(db, "guardian.hansen", "leave_decision")) == 1


async def test_unknown_request_is_404(client, tokens):
    r = await decide(client, tokens, uuid.uuid4(), "leader")
    assert r.status_code == 404


async def test_concurrent_decisions_and_applications_do_not_both_win(client, tokens, db):
    import asyncio

    req = (await apply(client, tokens)).json()
    answers = await asyncio.gather(
        decide(client, tokens, req["id"], "teacher.3a", approved=True),
        decide(client, tokens, req["id"], "leader", approved=False),
    )
    assert sorted(a.status_code for a in answers) == [200, 409]
    assert len(await inbox(db, "guardian.hansen", "leave_decision")) == 1
    await tokens.headers("guardian.nilsen", "web")
    answers = await asyncio.gather(
        apply(client, tokens, first="2026-11-30", last="2026-11-30"),
        apply(client, tokens, "guardian.nilsen", first="2026-11-30", last="2026-12-01"),
    )
    assert sorted(a.status_code for a in answers) == [201, 409]


async def test_the_past_is_judged_by_the_schools_local_date(client, tokens, clock):
    from datetime import UTC, datetime

    # 23:30 UTC on Sunday 22 November is already 00:30 on Monday in Oslo.
    clock.set(datetime(2026, 11, 22, 23, 30, tzinfo=UTC))
    r = await apply(client, tokens, first="2026-11-22", last="2026-11-23")
    assert r.status_code == 422
    assert r.json()["code"] == "leave.past_day"
    r = await apply(client, tokens, first="2026-11-23", last="2026-11-23")
    assert r.status_code == 201


async def test_request_beyond_the_teacher_limit_is_pushed_to_the_leaders_too(client, tokens, db):
    # Tuesday to Thursday: three school days, over the default limit of two.
    r = await apply(client, tokens, first=TUE, last="2026-11-26")
    assert r.status_code == 201, r.text
    assert r.json()["school_days"] == 3
    for member in ("teacher.3a", "team.3a", "leader"):
        assert len(await inbox(db, member, "leave_request")) == 1, member
    assert await inbox(db, "leader.other", "leave_request") == []
