"""Assessments and grades: who may post, what is valid, who sees what, and pushes."""

from __future__ import annotations

from datetime import UTC, date, datetime

from backend.assessments.jobs import publish_due_assessments
from backend.roster.demo import demo_id
from tests.support.demo import KARI, OLA, person
from tests.support.factories import (
    assign,
    create_class,
    create_group,
    create_person,
    create_school,
    enroll,
    relate,
)

MATHS_9B = demo_id("group:9B:matematikk")
NORSK_9B = demo_id("group:9B:norsk")
NORSK_3A = demo_id("group:3A:norsk")
HANSEN, NILSEN = person("guardian.hansen"), person("guardian.nilsen")
READONLY, BLOCKED = person("guardian.readonly"), person("guardian.blocked")


async def post(client, tokens, username, group, body, **headers):
    h = {**await tokens.headers(username), **headers}
    return await client.post(f"/api/v1/groups/{group}/assessments", headers=h, json=body)


async def listing(client, tokens, username, pupil, query=""):
    r = await client.get(f"/api/v1/pupils/{pupil}/assessments{query}", headers=await tokens.headers(username))
    assert r.status_code == 200, r.text
    return {s["subject"]: s["items"] for s in r.json()}


async def pushed(db, kind="assessment_published"):
    rows = await db.fetch("SELECT person_id, data FROM notifications WHERE kind = $1", kind)
    return [(r["person_id"], r["data"]) for r in rows]


async def test_grade_is_published_at_once_and_pushed_to_pupil_and_guardians(client, tokens, db):
    r = await post(
        client,
        tokens,
        "teacher.math9b",
        MATHS_9B,
        {"pupil_id": str(KARI), "kind": "half_year", "grade": "5", "comment": "Solid arbeid med algebra."},
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["published"] is True and body["subject"] == "Matematikk"
    assert body["teacher_name"] == "Sigrid Matematikk"

    notes = await pushed(db)
    # Kari and both guardians with access (read-only reads too), nobody else.
    assert sorted(p for p, _ in notes) == sorted([KARI, HANSEN, READONLY])
    assert all(d == {"pupil_id": str(KARI), "assessment_id": body["id"]} for _, d in notes)
    title = await db.fetchval(
        "SELECT title FROM notifications WHERE person_id = $1 AND kind = 'assessment_published'", KARI
    )
    assert "Matematikk" in title

    items = (await listing(client, tokens, "pupil.kari", KARI))["Matematikk"]
    assert [(i["kind"], i["grade"], i["teacher_name"]) for i in items] == [
        ("half_year", "5", "Sigrid Matematikk")
    ]


async def test_blocked_guardian_is_never_pushed(client, tokens, db):
    r = await post(
        client,
        tokens,
        "teacher.3a",
        NORSK_3A,
        {"pupil_id": str(OLA), "kind": "formative", "comment": "Leser godt høyt."},
    )
    assert r.status_code == 201, r.text
    assert sorted(p for p, _ in await pushed(db)) == sorted([OLA, HANSEN, NILSEN])


async def test_scheduled_item_is_hidden_from_pupil_and_guardians_until_published(client, tokens, db, clock):
    # Monday 23 Nov 07:00 Oslo; publish at 14:00 Oslo (13:00 UTC).
    r = await post(
        client,
        tokens,
        "teacher.math9b",
        MATHS_9B,
        {
            "pupil_id": str(KARI),
            "kind": "formative",
            "comment": "Bra innsats",
            "publish_at": "2026-11-23T14:00:00+01:00",
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["published"] is False
    for viewer in ("pupil.kari", "guardian.hansen", "guardian.readonly"):
        assert await listing(client, tokens, viewer, KARI) == {}, viewer
    teacher_view = (await listing(client, tokens, "teacher.math9b", KARI))["Matematikk"]
    assert [(i["comment"], i["published"]) for i in teacher_view] == [("Bra innsats", False)]
    assert await pushed(db) == []

    clock.set(datetime(2026, 11, 23, 13, 0, tzinfo=UTC))
    tokens.forget()  # access tokens live 15 minutes
    items = (await listing(client, tokens, "guardian.hansen", KARI))["Matematikk"]
    assert [i["comment"] for i in items] == ["Bra innsats"]
    assert items[0]["published_at"] == "2026-11-23T14:00:00+01:00"


async def test_scheduled_publication_pushes_once_over_two_job_runs(client, tokens, db):
    r = await post(
        client,
        tokens,
        "teacher.math9b",
        MATHS_9B,
        {"pupil_id": str(KARI), "kind": "final", "grade": "4", "publish_at": "2026-11-24T08:00:00+01:00"},
    )
    assert r.status_code == 201, r.text

    before = datetime(2026, 11, 24, 6, 59, tzinfo=UTC)
    assert (await publish_due_assessments(db, before))["published"] == 0
    assert await pushed(db) == []

    due = datetime(2026, 11, 24, 7, 1, tzinfo=UTC)
    assert await publish_due_assessments(db, due) == {"published": 1, "notified": 3}
    assert await publish_due_assessments(db, due) == {"published": 0, "notified": 0}
    later = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)
    assert (await publish_due_assessments(db, later))["published"] == 0
    assert sorted(p for p, _ in await pushed(db)) == sorted([KARI, HANSEN, READONLY])


async def test_immediate_publication_is_not_pushed_again_by_the_job(client, tokens, db):
    r = await post(
        client,
        tokens,
        "teacher.math9b",
        MATHS_9B,
        {"pupil_id": str(KARI), "kind": "exam", "grade": "6", "publish_at": "2026-11-01T08:00:00+01:00"},
    )  # in the past = at once
    assert r.status_code == 201 and r.json()["published"] is True
    assert len(await pushed(db)) == 3
    assert (await publish_due_assessments(db, datetime(2026, 11, 24, tzinfo=UTC)))["published"] == 0
    assert len(await pushed(db)) == 3


async def test_subject_teacher_sees_own_subject_contact_teacher_and_leader_all(client, tokens):
    for teacher, group, grade in (("teacher.9b", NORSK_9B, "3"), ("teacher.math9b", MATHS_9B, "5")):
        r = await post(
            client, tokens, teacher, group, {"pupil_id": str(KARI), "kind": "half_year", "grade": grade}
        )
        assert r.status_code == 201, r.text

    maths_teacher = await listing(client, tokens, "teacher.math9b", KARI)
    assert set(maths_teacher) == {"Matematikk"}  # no Norwegian grade for the maths teacher
    for viewer in ("teacher.9b", "leader", "pupil.kari", "guardian.readonly"):
        seen = await listing(client, tokens, viewer, KARI)
        assert {s: [i["grade"] for i in items] for s, items in seen.items()} == {
            "Norsk": ["3"],
            "Matematikk": ["5"],
        }, viewer


async def test_class_team_member_without_a_subject_sees_no_grades(client, tokens):
    r = await post(
        client, tokens, "teacher.math9b", MATHS_9B, {"pupil_id": str(KARI), "kind": "half_year", "grade": "5"}
    )
    assert r.status_code == 201
    assert await listing(client, tokens, "team.9b", KARI) == {}


async def test_staff_reads_are_audit_logged_pupil_reads_are_not(client, tokens, db):
    await listing(client, tokens, "teacher.math9b", KARI)
    await listing(client, tokens, "pupil.kari", KARI)
    await listing(client, tokens, "guardian.hansen", KARI)
    rows = await db.fetch("SELECT actor_id, pupil_id, action FROM audit_log")
    assert [(r["actor_id"], r["pupil_id"], r["action"]) for r in rows] == [
        (person("teacher.math9b"), KARI, "assessments.read")
    ]


async def test_no_grades_below_grade_8(client, tokens, db):
    r = await post(
        client,
        tokens,
        "teacher.3a",
        NORSK_3A,
        {"pupil_id": str(OLA), "kind": "half_year", "grade": "4", "comment": "Fin utvikling"},
    )
    assert r.status_code == 422
    assert r.json()["code"] == "assessment.grade_not_allowed"
    assert "3" in r.json()["detail"]
    assert await db.fetchval("SELECT count(*) FROM assessments") == 0
    assert await pushed(db) == []

    r = await post(
        client,
        tokens,
        "teacher.3a",
        NORSK_3A,
        {"pupil_id": str(OLA), "kind": "half_year", "comment": "Fin utvikling"},
    )
    assert r.status_code == 201, r.text
    r = await post(client, tokens, "teacher.3a", NORSK_3A, {"pupil_id": str(OLA), "kind": "half_year"})
    assert r.json()["code"] == "assessment.comment_required"


async def test_iv_and_fritatt_are_grades(client, tokens):
    for grade in ("IV", "fritatt", "1", "6"):
        r = await post(
            client,
            tokens,
            "teacher.math9b",
            MATHS_9B,
            {"pupil_id": str(KARI), "kind": "final", "grade": grade},
        )
        assert r.status_code == 201, (grade, r.text)
    grades = [i["grade"] for i in (await listing(client, tokens, "pupil.kari", KARI))["Matematikk"]]
    assert sorted(grades) == sorted(["IV", "fritatt", "1", "6"])


async def test_invalid_values_are_422_and_write_nothing(client, tokens, db):
    cases = [
        ({"pupil_id": str(KARI), "kind": "final", "grade": "7"}, "grade"),
        ({"pupil_id": str(KARI), "kind": "final", "grade": "0"}, "grade"),
        ({"pupil_id": str(KARI), "kind": "quiz", "comment": "x"}, "kind"),
        ({"pupil_id": str(KARI), "kind": "formative", "comment": "x" * 2001}, "comment"),
        ({"pupil_id": "not-a-uuid", "kind": "formative", "comment": "x"}, "pupil_id"),
        ({"pupil_id": str(KARI), "kind": "formative", "comment": "x", "extra": 1}, "extra"),
    ]
    for body, field in cases:
        r = await post(client, tokens, "teacher.math9b", MATHS_9B, body)
        assert r.status_code == 422, (body, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert field in " ".join(e["field"] + e["message"] for e in r.json()["errors"]), r.text
    r = await client.post(
        f"/api/v1/groups/{MATHS_9B}/assessments",
        content=b"{nope",
        headers={**await tokens.headers("teacher.math9b"), "content-type": "application/json"},
    )
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("application/problem+json")
    assert await db.fetchval("SELECT count(*) FROM assessments") == 0


async def test_kind_rules_from_grade_8(client, tokens):
    r = await post(
        client, tokens, "teacher.math9b", MATHS_9B, {"pupil_id": str(KARI), "kind": "formative", "grade": "4"}
    )
    assert r.status_code == 422 and r.json()["code"] == "assessment.comment_required"
    r = await post(
        client,
        tokens,
        "teacher.math9b",
        MATHS_9B,
        {"pupil_id": str(KARI), "kind": "formative", "comment": "   "},
    )
    assert r.status_code == 422 and r.json()["code"] == "assessment.comment_required"
    for kind in ("half_year", "final", "exam"):
        r = await post(
            client,
            tokens,
            "teacher.math9b",
            MATHS_9B,
            {"pupil_id": str(KARI), "kind": kind, "comment": "Godt"},
        )
        assert r.status_code == 422 and r.json()["code"] == "assessment.grade_required", kind
    r = await post(
        client,
        tokens,
        "teacher.math9b",
        MATHS_9B,
        {"pupil_id": str(KARI), "kind": "formative", "grade": "4", "comment": "Prøve"},
    )
    assert r.status_code == 201


async def test_publish_at_needs_an_offset_and_is_at_most_a_year_ahead(client, tokens):
    r = await post(
        client,
        tokens,
        "teacher.math9b",
        MATHS_9B,
        {"pupil_id": str(KARI), "kind": "final", "grade": "4", "publish_at": "2026-12-01T08:00:00"},
    )
    assert r.status_code == 422 and r.json()["code"] == "assessment.publish_at_offset"
    r = await post(
        client,
        tokens,
        "teacher.math9b",
        MATHS_9B,
        {"pupil_id": str(KARI), "kind": "final", "grade": "4", "publish_at": "2028-12-01T08:00:00+01:00"},
    )
    assert r.status_code == 422 and r.json()["code"] == "assessment.publish_too_far"


async def test_pupil_not_in_the_group_is_422(client, tokens, db):
    # The group is the teacher's own (visible); the body names a pupil outside it.
    r = await post(
        client, tokens, "teacher.math9b", MATHS_9B, {"pupil_id": str(OLA), "kind": "final", "grade": "4"}
    )
    assert r.status_code == 422
    assert r.json()["code"] == "assessment.pupil_not_in_group"
    assert await db.fetchval("SELECT count(*) FROM assessments") == 0


async def test_only_the_group_teacher_may_post(client, tokens):
    # Norwegian in 9B is taught by the contact teacher, not the maths teacher.
    r = await post(
        client, tokens, "teacher.math9b", NORSK_9B, {"pupil_id": str(KARI), "kind": "final", "grade": "4"}
    )
    assert r.status_code == 403 and r.json()["code"] == "assessment.not_group_teacher"
    # Nor the school leader: assessment is the teacher's job.
    r = await post(client, tokens, "leader", MATHS_9B, {"pupil_id": str(KARI), "kind": "final", "grade": "4"})
    assert r.status_code == 403


async def test_idempotency_key_returns_the_first_answer(client, tokens, db):
    body = {"pupil_id": str(KARI), "kind": "final", "grade": "4"}
    first = await post(client, tokens, "teacher.math9b", MATHS_9B, body, **{"Idempotency-Key": "k-1"})
    again = await post(client, tokens, "teacher.math9b", MATHS_9B, body, **{"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert await db.fetchval("SELECT count(*) FROM assessments") == 1
    assert len(await pushed(db)) == 3
    other = await post(
        client, tokens, "teacher.math9b", MATHS_9B, {**body, "grade": "5"}, **{"Idempotency-Key": "k-1"}
    )
    assert other.status_code == 422 and other.json()["code"] == "idempotency.key_reused"


async def test_school_year_filter(client, tokens):
    r = await post(
        client, tokens, "teacher.math9b", MATHS_9B, {"pupil_id": str(KARI), "kind": "final", "grade": "4"}
    )
    assert r.status_code == 201
    assert set(await listing(client, tokens, "pupil.kari", KARI, "?school_year=2026-2027")) == {"Matematikk"}
    assert await listing(client, tokens, "pupil.kari", KARI, "?school_year=2025-2026") == {}
    for bad in ("2026-2028", "2026"):
        r = await client.get(
            f"/api/v1/pupils/{KARI}/assessments?school_year={bad}", headers=await tokens.headers("pupil.kari")
        )
        assert r.status_code == 422, bad


async def test_adult_pupils_guardians_hear_only_with_consent(client, tokens, db):
    school = await create_school(db, "Bjørkelia vgs")
    class_id = await create_class(db, school, "3STA", 13)
    group = await create_group(db, school, "3STA historie", "Historie", class_id)
    pupil = await create_person(db, "elev.vgs18", "Jonas Voksen", date(2008, 1, 5))
    consenting = await create_person(db, "foresatt.samtykke")
    other = await create_person(db, "foresatt.uten")
    teacher = await create_person(db, "laerer.historie")
    await enroll(db, school, pupil, class_id, group)
    await relate(db, consenting, pupil, adult_consent=True)
    await relate(db, other, pupil)
    await assign(db, school, teacher, "subject_teacher", group_id=group)

    r = await post(
        client, tokens, "laerer.historie", group, {"pupil_id": str(pupil), "kind": "final", "grade": "5"}
    )
    assert r.status_code == 201, r.text
    assert sorted(p for p, _ in await pushed(db)) == sorted([pupil, consenting])
    assert (await listing(client, tokens, "foresatt.samtykke", pupil))["Historie"]
    r = await client.get(f"/api/v1/pupils/{pupil}/assessments", headers=await tokens.headers("foresatt.uten"))
    assert r.status_code == 404
