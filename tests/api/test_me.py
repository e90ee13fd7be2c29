"""GET /api/v1/me for every kind of demo user, and roles that end with the school year."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from tests.support import factories as f
from tests.support.demo import CLASS_3A, CLASS_9B, KARI, OLA, SCHOOL, person
from tests.support.problems import assert_problem


async def me(client: Any, tokens: Any, username: str) -> dict[str, Any]:
    r = await client.get("/api/v1/me", headers=await tokens.headers(username))
    assert r.status_code == 200, r.text
    return r.json()


def _only(body: dict[str, Any], **expected: Any) -> None:
    for key in ("children", "classes", "groups", "schools"):
        assert body[key] == expected.get(key, []), key


async def test_guardian_with_two_children(client, tokens):
    body = await me(client, tokens, "guardian.hansen")
    assert body["id"] == str(person("guardian.hansen"))
    assert body["name"] == "Kari Nordmann Hansen" and body["locale"] == "nb"
    assert body["roles"] == ["guardian"]
    _only(
        body,
        children=[
            {"pupil_id": str(KARI), "name": "Kari Hansen", "class_name": "9B", "grade": 9, "access": "full"},
            {"pupil_id": str(OLA), "name": "Ola Hansen", "class_name": "3A", "grade": 3, "access": "full"},
        ],
    )


async def test_read_only_guardian(client, tokens):
    body = await me(client, tokens, "guardian.readonly")
    assert body["roles"] == ["guardian"]
    assert [(c["name"], c["access"]) for c in body["children"]] == [("Kari Hansen", "read_only")]


async def test_blocked_guardian_does_not_see_the_child(client, tokens):
    body = await me(client, tokens, "guardian.blocked")
    assert body["roles"] == []
    _only(body)


async def test_pupil(client, tokens):
    body = await me(client, tokens, "pupil.ola")
    assert body["roles"] == ["pupil"]
    _only(body, schools=[{"school_id": str(SCHOOL), "name": "Vassenden skule", "role": "pupil"}])


async def test_contact_teacher(client, tokens):
    body = await me(client, tokens, "teacher.3a")
    assert body["roles"] == ["teacher"]
    assert body["classes"] == [
        {"class_id": str(CLASS_3A), "name": "3A", "grade": 3, "is_contact_teacher": True}
    ]
    assert sorted((g["subject"], g["class_id"]) for g in body["groups"]) == [
        ("Matematikk", str(CLASS_3A)),
        ("Norsk", str(CLASS_3A)),
    ]
    assert body["schools"] == [{"school_id": str(SCHOOL), "name": "Vassenden skule", "role": "teacher"}]
    assert body["children"] == []


async def test_class_team_member_is_not_contact_teacher(client, tokens):
    body = await me(client, tokens, "team.3a")
    assert body["classes"] == [
        {"class_id": str(CLASS_3A), "name": "3A", "grade": 3, "is_contact_teacher": False}
    ]


async def test_subject_teacher(client, tokens):
    body = await me(client, tokens, "teacher.math9b")
    assert body["roles"] == ["teacher"]
    assert body["classes"] == []
    assert [(g["name"], g["subject"], g["class_id"]) for g in body["groups"]] == [
        ("9B matematikk", "Matematikk", str(CLASS_9B))
    ]


async def test_contact_teacher_who_teaches_a_subject(client, tokens):
    body = await me(client, tokens, "teacher.9b")
    assert [c["name"] for c in body["classes"] if c["is_contact_teacher"]] == ["9B"]
    assert [g["subject"] for g in body["groups"]] == ["Norsk"]


async def test_school_leader(client, tokens):
    body = await me(client, tokens, "leader")
    assert body["roles"] == ["school_leader"]
    assert body["schools"] == [{"school_id": str(SCHOOL), "name": "Vassenden skule", "role": "school_leader"}]
    assert body["children"] == [] and body["groups"] == []
    # a leader is not anyone's contact teacher
    assert not any(c["is_contact_teacher"] for c in body["classes"])


async def test_leader_of_another_school_sees_only_that_school(client, tokens):
    body = await me(client, tokens, "leader.other")
    assert [s["name"] for s in body["schools"]] == ["Fjellheim skule"]
    assert all(c["class_id"] != str(CLASS_3A) for c in body["classes"])


async def test_roles_end_with_the_school_year(client, tokens, clock):
    clock.set(datetime(2027, 7, 1, 9, 0, tzinfo=ZoneInfo("Europe/Oslo")))
    for who in ("teacher.3a", "teacher.math9b", "leader"):
        body = await me(client, tokens, who)
        assert body["roles"] == [], who
        _only(body)


async def test_roles_still_hold_on_the_last_day(client, tokens, clock):
    clock.set(datetime(2027, 6, 20, 12, 0, tzinfo=ZoneInfo("Europe/Oslo")))
    assert (await me(client, tokens, "teacher.3a"))["roles"] == ["teacher"]


async def test_adult_child_is_listed_only_with_consent_and_read_only(client, tokens, db):
    school = await f.create_school(db, "Vassenden vidaregåande")
    cls = await f.create_class(db, school, "3STA", 13)
    adult = await f.create_person(db, "elev.vaksen", "Vilde Vaksen", date(2008, 11, 23))
    minor = await f.create_person(db, "elev.ung", "Ulrik Ung", date(2008, 11, 24))
    other_adult = await f.create_person(db, "elev.samtykke", "Siri Samtykke", date(2008, 1, 1))
    guardian = await f.create_person(db, "foresatt.vgs", "Vidar Vgs")
    for p in (adult, minor, other_adult):
        await f.enroll(db, school, p, cls)
    await f.relate(db, guardian, adult)
    await f.relate(db, guardian, minor)
    await f.relate(db, guardian, other_adult, adult_consent=True)
    body = await me(client, tokens, "foresatt.vgs")
    assert [(c["name"], c["access"]) for c in body["children"]] == [
        ("Siri Samtykke", "read_only"),
        ("Ulrik Ung", "full"),
    ]


async def test_me_in_english_locale_person(client, tokens, db):
    await db.execute("UPDATE people SET locale = 'en' WHERE id = $1", person("guardian.nilsen"))
    assert (await me(client, tokens, "guardian.nilsen"))["locale"] == "en"


async def test_me_needs_a_token(client):
    assert_problem(await client.get("/api/v1/me"), 401, "auth.missing_token")


async def test_token_of_removed_person_is_401(client, tokens, db):
    h = await tokens.headers("guardian.nilsen")
    await db.execute("DELETE FROM people WHERE id = $1", person("guardian.nilsen"))
    assert_problem(await client.get("/api/v1/me", headers=h), 401)
