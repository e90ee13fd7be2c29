"""Upper secondary from autumn 2025, over HTTP on the demo's Sunnfjord vidaregåande
skule: the counting (health and undocumented absence together against the subject's
annual hours, exempt documentation not counted), documented absence, written
warnings (drafted, sent, delivered, recorded) and grade_protected."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from backend.absence.jobs import absence_warnings
from backend.roster.demo import demo_id, vg_school_id
from notifications.mail import MailOutcome
from tests.support.demo import KARI, person
from tests.support.factories import create_person, relate
from tests.support.problems import assert_problem

NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)  # Monday 07:00 in Oslo
VG = person("pupil.vg")
GUARDIAN_VG = person("guardian.vg")
VGS = vg_school_id()
MATHS = demo_id("group:VG1A:matematikk")  # 140 annual hours
NORSK = demo_id("group:VG1A:norsk")  # 112 annual hours


class Mailbox:
    name = "test"

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def send(self, to, mail):
        self.sent.append((to, mail.subject))
        return MailOutcome(sent=True)


def school_days_before(last: date, count: int) -> list[date]:
    days, day = [], last
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day -= timedelta(days=1)
    return sorted(days)


async def missed(db, group, day, start="08:30", end="09:30", pupil=VG, school=VGS):
    await db.execute(
        "INSERT INTO subject_absences (id, school_id, group_id, pupil_id, day, starts_at, ends_at,"
        " recorded_at) VALUES ($1, $2, $3, $4, $5, $6::text::time, $7::text::time, $8)",
        uuid.uuid4(),
        school,
        group,
        pupil,
        day,
        start,
        end,
        NOW,
    )


async def self_reported(db, day, reason="sick", pupil=VG):
    """A past absence report (the pupil's own, for a health reason)."""
    await db.execute(
        "INSERT INTO absence_reports (id, school_id, pupil_id, submitted_by, first_day, last_day,"
        " reason, submitted_at, deadline, late) VALUES ($1, $2, $3, $3, $4, $4, $5, $6, $6, true)",
        uuid.uuid4(),
        VGS,
        pupil,
        day,
        reason,
        NOW,
    )


async def maths(client, tokens, username="teacher.vg1a"):
    r = await client.get(f"/api/v1/pupils/{VG}/absence-summary", headers=await tokens.headers(username))
    assert r.status_code == 200, r.text
    return next(s for s in r.json()["subjects"] if s["subject"] == "Matematikk 1T")


async def warnings_of(client, tokens, username, pupil=VG):
    r = await client.get(f"/api/v1/pupils/{pupil}/absence-warnings", headers=await tokens.headers(username))
    assert r.status_code == 200, r.text
    return r.json()["items"]


async def send(client, tokens, username, warning_id, pupil=VG):
    return await client.post(
        f"/api/v1/pupils/{pupil}/absence-warnings/{warning_id}/send", headers=await tokens.headers(username)
    )


async def document(client, tokens, username="teacher.vg1a", pupil=VG, **body):
    return await client.post(
        f"/api/v1/pupils/{pupil}/absence-documentation", headers=await tokens.headers(username), json=body
    )


# --- the demo -----------------------------------------------------------------


async def test_the_demo_has_the_upper_secondary_school(client, tokens, db):
    row = await db.fetchrow(
        "SELECT s.name, c.name AS class_name, c.grade, p.birth_date FROM class_enrollments ce"
        " JOIN classes c ON c.id = ce.class_id JOIN schools s ON s.id = c.school_id"
        " JOIN people p ON p.id = ce.pupil_id WHERE ce.pupil_id = $1",
        VG,
    )
    assert tuple(row) == ("Sunnfjord vidaregåande skule", "VG1A", 11, date(2009, 3, 14))
    r = await client.get(f"/api/v1/pupils/{VG}/absence-summary", headers=await tokens.headers("guardian.vg"))
    subjects = {s["subject"]: s["annual_hours"] for s in r.json()["subjects"]}
    assert len(subjects) == 12
    assert (subjects["Norsk"], subjects["Matematikk 1T"], subjects["Engelsk"]) == (112, 140, 140)


# --- the 2025 counting --------------------------------------------------------


async def test_140_hours_reach_the_limit_at_14_counted_hours_with_self_reported_health(client, tokens, db):
    days = school_days_before(date(2026, 11, 20), 14)
    for day in days[:10]:
        await missed(db, MATHS, day)  # undocumented
    for day in days[10:13]:
        await self_reported(db, day)  # the pupil (17) reported herself sick
        await missed(db, MATHS, day)
    m = await maths(client, tokens)
    assert (m["undocumented_hours"], m["health_hours"], m["counted_hours"]) == (10.0, 3.0, 13.0)
    assert (m["percent"], m["warning"], m["over_limit"]) == (9.3, True, False)

    await self_reported(db, days[13], reason="doctor")
    await missed(db, MATHS, days[13])
    m = await maths(client, tokens)
    assert (m["annual_hours"], m["counted_hours"], m["percent"]) == (140, 14.0, 10.0)
    assert (m["health_hours"], m["over_limit"], m["grade_protected"]) == (4.0, True, True)


async def test_a_documented_class_b_driving_test_does_not_count(client, tokens, db):
    day = date(2026, 11, 18)
    await missed(db, MATHS, day, "08:30", "09:30")
    await missed(db, MATHS, day, "12:00", "13:00")
    await missed(db, MATHS, date(2026, 11, 19))
    r = await document(
        client, tokens, kind="driving_test_b", first_day="2026-11-18", from_time="08:00", to_time="10:00"
    )
    assert r.status_code == 201, r.text
    doc = r.json()
    assert (doc["kind"], doc["exempt"], doc["from_time"], doc["to_time"]) == (
        "driving_test_b",
        True,
        "08:00",
        "10:00",
    )
    m = await maths(client, tokens)
    # The test's two hours (08:30–09:30) are not counted; the lesson after it is.
    assert (m["absent_hours"], m["counted_hours"], m["undocumented_hours"]) == (3.0, 2.0, 2.0)

    r = await document(client, tokens, "leader.vg", kind="health_personnel", first_day="2026-11-19")
    assert r.status_code == 201, r.text
    m = await maths(client, tokens)
    assert (m["counted_hours"], m["health_hours"], m["undocumented_hours"]) == (2.0, 1.0, 1.0)

    r = await client.get(
        f"/api/v1/pupils/{VG}/absence-documentation", headers=await tokens.headers("teacher.vg1a")
    )
    assert [d["kind"] for d in r.json()["items"]] == ["health_personnel", "driving_test_b"]
    actions = await db.fetch("SELECT action FROM audit_log WHERE pupil_id = $1 ORDER BY id", VG)
    assert [a["action"] for a in actions][:3] == [
        "absence_documentation.recorded",
        "absence_summary.read",
        "absence_documentation.recorded",
    ]

    removed = await client.delete(
        f"/api/v1/pupils/{VG}/absence-documentation/{doc['id']}", headers=await tokens.headers("teacher.vg1a")
    )
    assert removed.status_code == 204
    assert (await maths(client, tokens))["counted_hours"] == 3.0


async def test_annual_hours_from_the_school_setting_where_the_roster_has_none(client, tokens, db):
    await db.execute("UPDATE teaching_groups SET planned_hours = NULL WHERE id = $1", MATHS)
    assert (await maths(client, tokens))["annual_hours"] is None
    r = await client.put(
        f"/api/v1/schools/{VGS}/settings",
        headers=await tokens.headers("leader.vg"),
        json={"absence_annual_hours": {"Matematikk 1T": 100}},
    )
    assert r.status_code == 200, r.text
    await missed(db, MATHS, date(2026, 11, 20))
    m = await maths(client, tokens)
    assert (m["annual_hours"], m["percent"]) == (100, 1.0)


# --- written warnings ---------------------------------------------------------


async def reach_warning_level(db, hours=12):
    """12 of 140 hours of maths: 8.6 %, past the warning level of 8 %."""
    for day in school_days_before(date(2026, 11, 20), hours):
        await missed(db, MATHS, day)


async def test_a_17_year_olds_warning_reaches_the_pupil_and_both_guardians_with_access(client, tokens, db):
    second = await create_person(db, "foresatt2.vg", "Hilde Sunde")
    blocked = await create_person(db, "sperret.vg", "Bjarne Sunde")
    await relate(db, second, VG)
    await relate(db, blocked, VG, access="none")
    await reach_warning_level(db)
    mailbox = Mailbox()
    assert await absence_warnings(db, NOW, mail=mailbox) == {
        "drafted": 1,
        "sent": 0,
        "emails_sent": 0,
        "emails_failed": 0,
        "emails_retried": 0,
    }
    assert await warnings_of(client, tokens, "guardian.vg") == []  # a draft is staff's
    [draft] = await warnings_of(client, tokens, "teacher.vg1a")
    assert (draft["subject"], draft["status"], draft["percent"], draft["sent_at"]) == (
        "Matematikk 1T",
        "draft",
        8.6,
        None,
    )
    assert draft["group_id"] == str(MATHS)

    assert_problem(await send(client, tokens, "faglaerer.vg1a", draft["id"]), 404)  # subject teacher
    assert_problem(await send(client, tokens, "guardian.vg", draft["id"]), 403, "absence_warning.not_sender")
    r = await send(client, tokens, "teacher.vg1a", draft["id"])
    assert r.status_code == 200, r.text
    sent = r.json()
    assert sent["status"] == "sent" and sent["sent_by"] == str(person("teacher.vg1a"))
    assert {(x["person_id"], x["role"]) for x in sent["recipients"]} == {
        (str(VG), "pupil"),
        (str(GUARDIAN_VG), "guardian"),
        (str(second), "guardian"),
    }
    pushed = await db.fetch(
        "SELECT person_id FROM notifications WHERE kind = 'absence_warning' AND data->>'warning_id' = $1",
        draft["id"],
    )
    assert {p["person_id"] for p in pushed} == {VG, GUARDIAN_VG, second}  # never the blocked one
    effects = await absence_warnings(db, NOW, mail=mailbox)
    assert effects["emails_sent"] == 1  # only guardian.vg has an e-mail address
    assert mailbox.sent == [("sunde@example.no", "Varsel om fravær i Matematikk 1T")]
    assert (await absence_warnings(db, NOW, mail=mailbox))["emails_sent"] == 0

    seen = await warnings_of(client, tokens, "guardian.vg")
    assert [w["id"] for w in seen] == [draft["id"]] and seen[0]["sent_at"]
    assert [w["status"] for w in await warnings_of(client, tokens, "pupil.vg")] == ["sent"]
    assert_problem(await send(client, tokens, "leader.vg", draft["id"]), 409, "absence_warning.already_sent")
    m = await maths(client, tokens)
    assert m["warning_sent_at"] and m["grade_protected"] is False

    # Passing the limit after a warning in time: the grade is at risk, not protected.
    for day in school_days_before(date(2026, 11, 6), 3):
        await missed(db, MATHS, day, "13:00", "14:00")
    m = await maths(client, tokens)
    assert (m["over_limit"], m["grade_protected"]) == (True, False)


async def test_an_18_year_olds_warning_reaches_only_the_pupil_unless_consent(client, tokens, db):
    await db.execute("UPDATE people SET birth_date = '2008-01-05' WHERE id = $1", VG)
    await reach_warning_level(db)
    await absence_warnings(db, NOW, mail=Mailbox())
    [draft] = await warnings_of(client, tokens, "teacher.vg1a")
    sent = (await send(client, tokens, "teacher.vg1a", draft["id"])).json()
    assert [x["person_id"] for x in sent["recipients"]] == [str(VG)]

    await db.execute("UPDATE guardian_relations SET adult_consent = true WHERE pupil_id = $1", VG)
    for day in school_days_before(date(2026, 11, 20), 10):
        await missed(db, NORSK, day, "10:00", "11:00")  # 10 of 112 hours: 8.9 %
    await absence_warnings(db, NOW, mail=Mailbox())
    norsk = next(w for w in await warnings_of(client, tokens, "leader.vg") if w["subject"] == "Norsk")
    sent = (await send(client, tokens, "leader.vg", norsk["id"])).json()
    assert {x["person_id"] for x in sent["recipients"]} == {str(VG), str(GUARDIAN_VG)}


async def test_passing_the_limit_with_no_warning_sets_grade_protected(client, tokens, db):
    await reach_warning_level(db, 15)  # 10.7 %, no warning drafted nor sent yet
    m = await maths(client, tokens)
    assert (m["over_limit"], m["warning_sent_at"], m["grade_protected"]) == (True, None, True)
    # A warning sent only once the limit is passed comes too late: still protected.
    await absence_warnings(db, NOW, mail=Mailbox())
    [draft] = await warnings_of(client, tokens, "teacher.vg1a")
    assert (await send(client, tokens, "teacher.vg1a", draft["id"])).status_code == 200
    m = await maths(client, tokens)
    assert m["warning_sent_at"] is not None and m["grade_protected"] is True


async def test_a_school_with_automatic_warnings_sends_them_at_once(client, tokens, db):
    r = await client.put(
        f"/api/v1/schools/{VGS}/settings",
        headers=await tokens.headers("leader.vg"),
        json={"absence_warnings_automatic": True, "absence_warning_percent": 5, "absence_limit_percent": 12},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert (
        body["absence_warnings_automatic"],
        body["absence_warning_percent"],
        body["absence_limit_percent"],
    ) == (
        True,
        5.0,
        12.0,
    )
    await reach_warning_level(db, 8)  # 5.7 %
    effects = await absence_warnings(db, NOW, mail=Mailbox())
    assert (effects["drafted"], effects["sent"], effects["emails_sent"]) == (1, 1, 1)
    [w] = await warnings_of(client, tokens, "guardian.vg")
    assert (w["status"], w["sent_by"]) == ("sent", None)
    assert await absence_warnings(db, NOW + timedelta(days=1), mail=Mailbox()) == {
        "drafted": 0,
        "sent": 0,
        "emails_sent": 0,
        "emails_failed": 0,
        "emails_retried": 0,
    }


# --- bad input ----------------------------------------------------------------


async def test_settings_are_validated(client, tokens, db):
    url = f"/api/v1/schools/{VGS}/settings"
    headers = await tokens.headers("leader.vg")
    before = await db.fetchrow("SELECT * FROM schools WHERE id = $1", VGS)
    body = assert_problem(
        await client.put(url, headers=headers, json={"absence_warning_percent": 10}),
        422,
        "settings.absence_levels",
    )
    assert body["errors"][0]["field"] == "absence_warning_percent"
    for bad in (
        {"absence_limit_percent": 0},
        {"absence_limit_percent": 51},
        {"absence_warning_percent": "x"},
        {"absence_warnings_automatic": "yes"},
        {"absence_annual_hours": {"Norsk": 0}},
        {"absence_annual_hours": ["Norsk"]},
    ):
        r = await client.put(url, headers=headers, json=bad)
        assert r.status_code in (400, 422), (bad, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    assert await db.fetchrow("SELECT * FROM schools WHERE id = $1", VGS) == before
    r = await client.get(url, headers=headers)
    assert (r.json()["absence_limit_percent"], r.json()["absence_warning_percent"]) == (10.0, 8.0)
    assert r.json()["absence_warnings_automatic"] is False


async def test_documentation_input_is_validated(client, tokens, db):
    cases = [
        ({"kind": "dentist", "first_day": "2026-11-20"}, 400, None),
        ({"kind": "driving_test_b"}, 400, None),
        (
            {"kind": "driving_test_b", "first_day": "2026-11-20", "last_day": "2026-11-19"},
            422,
            "absence.last_before_first",
        ),
        (
            {"kind": "driving_test_b", "first_day": "2026-11-20", "from_time": "08:00"},
            422,
            "absence.times_together",
        ),
        (
            {"kind": "driving_test_b", "first_day": "2026-11-20", "from_time": "10:00", "to_time": "09:00"},
            422,
            "absence.times_order",
        ),
        (
            {
                "kind": "driving_test_b",
                "first_day": "2026-11-19",
                "last_day": "2026-11-20",
                "from_time": "08:00",
                "to_time": "09:00",
            },
            422,
            "absence.times_single_day",
        ),
        (
            {"kind": "political_work", "first_day": "2025-08-01", "last_day": "2026-11-20"},
            422,
            "absence_documentation.span_too_long",
        ),
        (
            {"kind": "religious_holiday", "first_day": "2026-11-18", "last_day": "2026-11-20"},
            422,
            "absence_documentation.religious_days",
        ),
        ({"kind": "driving_test_b", "first_day": "2026-11-20", "note": "x"}, 400, None),
    ]
    for body, status, code in cases:
        r = await document(client, tokens, **body)
        if status == 400:
            assert r.status_code in (400, 422), (body, r.text)
            assert r.headers["content-type"].startswith("application/problem+json")
        else:
            assert_problem(r, status, code)
    assert await db.fetchval("SELECT count(*) FROM absence_documentation") == 0
    assert (
        await document(
            client, tokens, kind="religious_holiday", first_day="2026-11-19", last_day="2026-11-20"
        )
    ).status_code == 201
    assert_problem(
        await document(client, tokens, kind="religious_holiday", first_day="2026-11-23"),
        422,
        "absence_documentation.religious_days",
    )
    # Lower secondary: no limit to document against.
    assert_problem(
        await document(
            client, tokens, "teacher.9b", pupil=KARI, kind="driving_test_b", first_day="2026-11-20"
        ),
        409,
        "absence_documentation.not_upper_secondary",
    )
    # The pupil, a guardian and the rest of the staff may not record it.
    assert_problem(
        await document(client, tokens, "guardian.vg", kind="driving_test_b", first_day="2026-11-20"), 403
    )
    assert_problem(
        await document(client, tokens, "faglaerer.vg1a", kind="driving_test_b", first_day="2026-11-20"), 404
    )
    r = await client.delete(
        f"/api/v1/pupils/{VG}/absence-documentation/{uuid.uuid4()}",
        headers=await tokens.headers("teacher.vg1a"),
    )
    assert_problem(r, 404)


async def test_unknown_warnings_are_not_found(client, tokens):
    assert_problem(await send(client, tokens, "teacher.vg1a", uuid.uuid4()), 404)
    r = await client.post(
        f"/api/v1/pupils/{VG}/absence-warnings/not-a-uuid/send", headers=await tokens.headers("teacher.vg1a")
    )
    assert r.status_code in (400, 404)
