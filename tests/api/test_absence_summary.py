"""The absence summary: days and hours, reported vs unexplained, and for upper
secondary the per-subject percentage, warning flag and the once-only warning push."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from backend.absence.jobs import absence_warnings
from backend.absence.summary import RollCallAbsence, _tally, _tally_days
from backend.roster.demo import demo_id
from tests.support.demo import KARI, SCHOOL, person
from tests.support.factories import (
    School,
    assign,
    create_class,
    create_group,
    create_person,
    create_school,
    enroll,
    relate,
)

NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)  # Monday 07:00 in Oslo
HANSEN = person("guardian.hansen")


class NoMail:
    """The warning e-mails' transport in these tests: accepts everything."""

    name = "test"

    async def send(self, to, mail):
        from notifications.mail import MailOutcome

        return MailOutcome(sent=True)


async def push_absence_warnings(db, now, pupils=None):
    """The warning job as it was: with automatic warnings, how many were sent."""
    effects = await absence_warnings(db, now, pupils, mail=NoMail())
    return {"warned": effects["sent"]}


# --- an upper secondary school ------------------------------------------------


@dataclass
class Vgs:
    school: School
    class_id: uuid.UUID
    maths: uuid.UUID  # 100 planned hours
    norsk: uuid.UUID  # 50 planned hours
    pupil: uuid.UUID
    guardian: uuid.UUID
    blocked: uuid.UUID
    teacher: uuid.UUID


async def upper_secondary(
    db, *, grade: int = 12, birth: date = date(2009, 5, 1), consent: bool = False, **settings: object
) -> Vgs:
    """Bjørkelia vgs: one class, two subjects with planned hours, one pupil
    (``elev.vgs``) with a guardian (``foresatt.vgs``), a blocked guardian
    (``foresatt.sperret``) and a contact teacher (``kontakt.vgs``) teaching both."""
    school = await create_school(db, "Bjørkelia vgs", **settings)
    class_id = await create_class(db, school, f"{grade - 10}STA", grade)
    maths = await create_group(db, school, "STA matematikk", "Matematikk", class_id)
    norsk = await create_group(db, school, "STA norsk", "Norsk", class_id)
    await db.execute("UPDATE teaching_groups SET planned_hours = 100 WHERE id = $1", maths)
    await db.execute("UPDATE teaching_groups SET planned_hours = 50 WHERE id = $1", norsk)
    pupil = await create_person(db, "elev.vgs", "Emma Vgs", birth)
    guardian = await create_person(db, "foresatt.vgs", "Frida Vgs")
    blocked = await create_person(db, "foresatt.sperret", "Sverre Vgs")
    teacher = await create_person(db, "kontakt.vgs", "Kari Kontakt")
    await enroll(db, school, pupil, class_id, maths, norsk)
    await relate(db, guardian, pupil, adult_consent=consent)
    await relate(db, blocked, pupil, access="none")
    await assign(db, school, teacher, "contact_teacher", class_id=class_id)
    for group in (maths, norsk):
        await assign(db, school, teacher, "subject_teacher", group_id=group)
    return Vgs(school, class_id, maths, norsk, pupil, guardian, blocked, teacher)


async def missed(
    db,
    school_id: uuid.UUID,
    group: uuid.UUID,
    pupil: uuid.UUID,
    day: date,
    start: str = "08:30",
    end: str = "09:30",
    documented: bool = False,
) -> None:
    """A missed lesson, as the lesson's teacher records it."""
    await db.execute(
        "INSERT INTO subject_absences (id, school_id, group_id, pupil_id, day, starts_at,"
        " ends_at, documented, recorded_at) VALUES ($1, $2, $3, $4, $5, $6::text::time,"
        " $7::text::time, $8, $9)",
        uuid.uuid4(),
        school_id,
        group,
        pupil,
        day,
        start,
        end,
        documented,
        NOW,
    )


def school_days_from(first: date, count: int) -> list[date]:
    days, day = [], first
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


async def summary(client, tokens, username, pupil, query=""):
    r = await client.get(
        f"/api/v1/pupils/{pupil}/absence-summary{query}", headers=await tokens.headers(username)
    )
    assert r.status_code == 200, r.text
    return r.json()


async def report(client, tokens, username, pupil, **body):
    r = await client.post(
        f"/api/v1/pupils/{pupil}/absence-reports", headers=await tokens.headers(username), json=body
    )
    assert r.status_code == 201, r.text


def move(clock, tokens, instant: datetime) -> None:
    clock.set(instant)
    tokens.forget()  # access tokens live 15 minutes


# --- days and hours -----------------------------------------------------------


async def test_days_and_hours_count_school_days_up_to_today(client, tokens, clock):
    await report(
        client, tokens, "guardian.hansen", KARI, first_day="2026-11-23", last_day="2026-11-24", reason="sick"
    )
    await report(
        client,
        tokens,
        "guardian.hansen",
        KARI,
        first_day="2026-11-25",
        from_time="10:00",
        to_time="12:00",
        reason="doctor",
    )
    # Friday to Monday: the weekend between is not absence.
    await report(
        client, tokens, "guardian.hansen", KARI, first_day="2026-11-27", last_day="2026-11-30", reason="sick"
    )

    move(clock, tokens, datetime(2026, 11, 26, 12, 0, tzinfo=UTC))
    s = await summary(client, tokens, "guardian.hansen", KARI)
    assert s["days"] == {"total": 2, "reported": 2, "unexplained": 0}  # future days not yet
    assert s["hours"] == {"total": 2.0, "reported": 2.0, "unexplained": 0.0}

    move(clock, tokens, datetime(2026, 11, 30, 14, 0, tzinfo=UTC))
    s = await summary(client, tokens, "guardian.readonly", KARI)
    assert s["school_year"] == "2026-2027"
    assert (s["first_day"], s["last_day"]) == ("2026-08-15", "2026-11-30")
    assert s["days"] == {"total": 4, "reported": 4, "unexplained": 0}
    assert s["hours"] == {"total": 2.0, "reported": 2.0, "unexplained": 0.0}
    assert [(t["term"], t["days"]["total"]) for t in s["terms"]] == [("autumn", 4), ("spring", 0)]
    assert s["subjects"] is None  # per subject only in upper secondary
    assert (s["limit_percent"], s["warning_percent"]) == (10.0, 8.0)


async def test_closed_days_and_approved_leave(client, tokens, db, clock):
    await report(
        client, tokens, "guardian.hansen", KARI, first_day="2026-11-26", last_day="2026-11-27", reason="sick"
    )
    await db.execute("INSERT INTO closed_days VALUES ($1, '2026-11-27', 'Planleggingsdag')", SCHOOL)
    await db.execute(
        "INSERT INTO leave_requests (id, school_id, pupil_id, requested_by, first_day, last_day,"
        " reason, school_days, status, created_at) VALUES"
        " ($1, $2, $3, $4, '2026-12-01', '2026-12-02', 'Bryllup', 2, 'approved', $5),"
        " ($6, $2, $3, $4, '2026-12-03', '2026-12-03', 'Tur', 1, 'rejected', $5)",
        uuid.uuid4(),
        SCHOOL,
        KARI,
        HANSEN,
        NOW,
        uuid.uuid4(),
    )
    move(clock, tokens, datetime(2026, 12, 4, 12, 0, tzinfo=UTC))
    s = await summary(client, tokens, "pupil.kari", KARI)
    # Thu 26 (Fri 27 is closed) + approved leave Tue 1 and Wed 2; rejected leave is not absence.
    assert s["days"] == {"total": 3, "reported": 3, "unexplained": 0}


# --- upper secondary per subject ---------------------------------------------


def subject(s, name):
    return next(x for x in s["subjects"] if x["subject"] == name)


async def test_upper_secondary_percent_against_planned_hours(client, tokens, db, clock):
    v = await upper_secondary(db)
    days = school_days_from(date(2026, 11, 2), 9)
    for day in days[:7]:
        await missed(db, v.school.id, v.maths, v.pupil, day)
    for day in days[7:]:  # documented by health personnel: health absence, counted from 2025
        await missed(db, v.school.id, v.maths, v.pupil, day, documented=True)

    s = await summary(client, tokens, "foresatt.vgs", v.pupil)
    maths = subject(s, "Matematikk")
    assert maths == {
        "subject": "Matematikk",
        "group_id": str(v.maths),
        "planned_hours": 100,
        "annual_hours": 100,
        "absent_hours": 9.0,
        "reported_hours": 2.0,
        "unexplained_hours": 7.0,
        "undocumented_hours": 7.0,
        "health_hours": 2.0,
        "counted_hours": 9.0,
        "percent": 9.0,
        "warning": True,
        "over_limit": False,
        "warning_sent_at": None,
        "grade_protected": False,
    }
    assert subject(s, "Norsk")["percent"] == 0.0
    assert s["hours"] == {"total": 9.0, "reported": 2.0, "unexplained": 7.0}

    # A sick day today: the lesson is reported (a day, not hours), self-reported
    # health absence, which counts toward the limit together with the rest: 10 %.
    await report(client, tokens, "foresatt.vgs", v.pupil, first_day="2026-11-23", reason="sick")
    await missed(db, v.school.id, v.maths, v.pupil, date(2026, 11, 23))
    s = await summary(client, tokens, "elev.vgs", v.pupil)
    maths = subject(s, "Matematikk")
    assert (maths["percent"], maths["warning"], maths["over_limit"]) == (10.0, True, True)
    assert (maths["health_hours"], maths["undocumented_hours"]) == (3.0, 7.0)
    assert (maths["reported_hours"], maths["unexplained_hours"]) == (3.0, 7.0)
    assert s["days"] == {"total": 1, "reported": 1, "unexplained": 0}
    assert s["hours"] == {"total": 9.0, "reported": 2.0, "unexplained": 7.0}

    for day in school_days_from(date(2026, 11, 16), 3):
        await missed(db, v.school.id, v.maths, v.pupil, day, start="12:00", end="13:00")
    maths = subject(await summary(client, tokens, "kontakt.vgs", v.pupil), "Matematikk")
    assert (maths["percent"], maths["warning"], maths["over_limit"]) == (13.0, True, True)
    assert maths["grade_protected"] is True  # no warning was sent


async def test_school_sets_the_limit_and_warning_level(client, tokens, db):
    v = await upper_secondary(
        db, absence_limit_percent=6, absence_warning_percent=4, absence_warnings_automatic=True
    )
    for day in school_days_from(date(2026, 11, 2), 2):
        await missed(db, v.school.id, v.norsk, v.pupil, day)  # 2 of 50 hours = 4 %
    s = await summary(client, tokens, "elev.vgs", v.pupil)
    assert (s["limit_percent"], s["warning_percent"]) == (6.0, 4.0)
    norsk = subject(s, "Norsk")
    assert (norsk["percent"], norsk["warning"], norsk["over_limit"]) == (4.0, True, False)
    assert (await push_absence_warnings(db, NOW))["warned"] == 1


async def test_timed_report_explains_the_lessons_it_covers(client, tokens, db):
    v = await upper_secondary(db)
    await report(
        client,
        tokens,
        "foresatt.vgs",
        v.pupil,
        first_day="2026-11-23",
        from_time="10:00",
        to_time="12:00",
        reason="dentist",
    )
    today = date(2026, 11, 23)
    await missed(db, v.school.id, v.maths, v.pupil, today, "10:00", "11:00")
    await missed(db, v.school.id, v.norsk, v.pupil, today, "12:15", "13:00")
    s = await summary(client, tokens, "foresatt.vgs", v.pupil)
    # The missed lessons are the record of the day: 1 h reported, 0.75 h not.
    assert s["hours"] == {"total": 1.75, "reported": 1.0, "unexplained": 0.75}
    assert s["days"]["total"] == 0
    assert subject(s, "Matematikk")["reported_hours"] == 1.0
    assert subject(s, "Norsk")["unexplained_hours"] == 0.75


async def test_lower_secondary_has_no_subject_percent_nor_warnings(client, tokens, db):
    maths = demo_id("group:9B:matematikk")
    await db.execute("UPDATE teaching_groups SET planned_hours = 10 WHERE id = $1", maths)
    for day in school_days_from(date(2026, 11, 2), 5):
        await missed(db, SCHOOL, maths, KARI, day)
    s = await summary(client, tokens, "guardian.hansen", KARI)
    assert s["subjects"] is None
    assert s["hours"]["unexplained"] == 5.0
    assert await push_absence_warnings(db, NOW) == {"warned": 0}


# --- the warning push ---------------------------------------------------------


async def warnings_sent(db):
    rows = await db.fetch(
        "SELECT person_id, data->>'subject' AS subject, title FROM notifications"
        " WHERE kind = 'absence_warning' ORDER BY created_at"
    )
    return [(r["person_id"], r["subject"]) for r in rows]


async def test_automatic_warning_is_pushed_once_per_subject(db):
    v = await upper_secondary(db, absence_warnings_automatic=True)
    days = school_days_from(date(2026, 10, 26), 12)
    for day in days[:7]:
        await missed(db, v.school.id, v.maths, v.pupil, day)
    assert await push_absence_warnings(db, NOW) == {"warned": 0}  # 7 % < 8 %

    await missed(db, v.school.id, v.maths, v.pupil, days[7])  # 8 %
    assert await push_absence_warnings(db, NOW) == {"warned": 1}
    assert sorted(await warnings_sent(db)) == sorted(
        [(v.pupil, "Matematikk"), (v.guardian, "Matematikk")]
    )  # never the blocked guardian
    assert await push_absence_warnings(db, NOW) == {"warned": 0}

    for day in days[8:]:  # rising further does not warn again
        await missed(db, v.school.id, v.maths, v.pupil, day)
    later = NOW + timedelta(days=1)
    assert await push_absence_warnings(db, later) == {"warned": 0}

    for day in days[:4]:  # 4 of 50 hours of Norwegian = 8 %: its own first warning
        await missed(db, v.school.id, v.norsk, v.pupil, day, "13:00", "14:00")
    assert await push_absence_warnings(db, later) == {"warned": 1}
    sent = await warnings_sent(db)
    assert len(sent) == 4 and sorted(s for _, s in sent[2:]) == ["Norsk", "Norsk"]
    title = await db.fetchval(
        "SELECT title FROM notifications WHERE kind = 'absence_warning' AND person_id = $1"
        " AND data->>'subject' = 'Norsk'",
        v.guardian,
    )
    assert "Norsk" in title


async def test_exempt_documented_hours_never_trigger_the_warning(db):
    v = await upper_secondary(db, absence_warnings_automatic=True)
    days = school_days_from(date(2026, 10, 26), 12)
    for day in days:
        await missed(db, v.school.id, v.maths, v.pupil, day)
    await db.execute(
        "INSERT INTO absence_documentation (id, school_id, pupil_id, kind, first_day, last_day,"
        " recorded_at) VALUES ($1, $2, $3, 'political_work', $4, $5, $6)",
        uuid.uuid4(),
        v.school.id,
        v.pupil,
        days[0],
        days[-1],
        NOW,
    )
    assert await push_absence_warnings(db, NOW) == {"warned": 0}


async def test_adult_pupils_guardian_is_warned_only_with_consent(db):
    v = await upper_secondary(db, grade=13, birth=date(2008, 1, 5), absence_warnings_automatic=True)
    for day in school_days_from(date(2026, 10, 26), 8):
        await missed(db, v.school.id, v.maths, v.pupil, day)
    assert await push_absence_warnings(db, NOW) == {"warned": 1}
    assert await warnings_sent(db) == [(v.pupil, "Matematikk")]


async def test_adult_pupils_consenting_guardian_is_warned(db):
    v = await upper_secondary(
        db, grade=13, birth=date(2008, 1, 5), consent=True, absence_warnings_automatic=True
    )
    for day in school_days_from(date(2026, 10, 26), 8):
        await missed(db, v.school.id, v.maths, v.pupil, day)
    await push_absence_warnings(db, NOW)
    assert sorted(await warnings_sent(db)) == sorted([(v.pupil, "Matematikk"), (v.guardian, "Matematikk")])


# --- audit and parameters -----------------------------------------------------


async def test_staff_reads_are_audit_logged(client, tokens, db):
    await summary(client, tokens, "teacher.math9b", KARI)
    await summary(client, tokens, "guardian.hansen", KARI)
    await summary(client, tokens, "pupil.kari", KARI)
    rows = await db.fetch("SELECT actor_id, pupil_id, action FROM audit_log")
    assert [(r["actor_id"], r["pupil_id"], r["action"]) for r in rows] == [
        (person("teacher.math9b"), KARI, "absence_summary.read")
    ]


async def test_school_year_parameter(client, tokens):
    await report(client, tokens, "guardian.hansen", KARI, first_day="2026-11-23", reason="sick")
    s = await summary(client, tokens, "guardian.hansen", KARI, "?school_year=2026-2027")
    assert s["days"]["total"] == 1
    s = await summary(client, tokens, "guardian.hansen", KARI, "?school_year=2025-2026")
    assert s["days"]["total"] == 0 and s["school_year"] == "2025-2026"
    for bad in ("2026-2025", "26-27", "x"):
        r = await client.get(
            f"/api/v1/pupils/{KARI}/absence-summary?school_year={bad}",
            headers=await tokens.headers("guardian.hansen"),
        )
        assert r.status_code == 422, bad
        assert r.headers["content-type"].startswith("application/problem+json")


async def test_a_year_without_records_shows_the_schools_limits(client, tokens, db):
    v = await upper_secondary(db, absence_limit_percent=12, absence_warning_percent=9)
    s = await summary(client, tokens, "elev.vgs", v.pupil, "?school_year=2024-2025")
    assert (s["days"]["total"], s["limit_percent"], s["warning_percent"]) == (0, 12.0, 9.0)


# --- roll call marks (the seam to the attendance domain) ----------------------


def test_roll_call_marks_are_unexplained_unless_a_report_or_leave_covers_them():
    """The summary's rule for roll-call marks, fed as the attendance seam will feed it."""
    facts = {
        "first_day": date(2026, 11, 2),
        "last_day": date(2026, 11, 13),
        "starts_on": date(2026, 8, 15),
        "ends_on": date(2027, 6, 20),
        "closed": [date(2026, 11, 6)],
        "reports": [
            ["2026-11-03", "2026-11-03", None, None],
            ["2026-11-10", "2026-11-10", "08:30:00", "10:30:00"],
        ],
        "leave": [[date(2026, 11, 4), date(2026, 11, 4)]],
        "lessons": [],
    }
    marks = [
        RollCallAbsence(date(2026, 11, 2)),  # absent, nothing filed: unexplained day
        RollCallAbsence(date(2026, 11, 3)),  # reported sick: counted once, as reported
        RollCallAbsence(date(2026, 11, 4)),  # approved leave
        RollCallAbsence(date(2026, 11, 6)),  # a closed day is no absence
        RollCallAbsence(date(2026, 11, 9), hours=1.5),  # hours without a report
        RollCallAbsence(date(2026, 11, 10), hours=2.0),  # hours a timed report explains
    ]
    tally = _tally(_tally_days(facts, marks), facts["first_day"], facts["last_day"])
    days = tally.days()
    assert (days.total, days.reported, days.unexplained) == (3, 2, 1)
    hours = tally.hours()
    assert (hours.total, hours.reported, hours.unexplained) == (3.5, 2.0, 1.5)


async def test_roll_call_absence_without_a_report_counts_as_unexplained(client, tokens, db, clock):
    from tests.support.demo import CLASS_9B

    # Monday 08:40: Kari is marked absent at roll call with nothing reported.
    move(clock, tokens, datetime(2026, 11, 23, 7, 40, tzinfo=UTC))
    pupils = [
        r["pupil_id"]
        for r in await db.fetch("SELECT pupil_id FROM class_enrollments WHERE class_id = $1", CLASS_9B)
    ]
    marks = [{"pupil_id": str(p), "status": "absent" if p == KARI else "present"} for p in pupils]
    r = await client.put(
        f"/api/v1/classes/{CLASS_9B}/attendance/2026-11-23",
        headers=await tokens.headers("teacher.9b"),
        json={"marks": marks},
    )
    assert r.status_code == 200, r.text
    s = await summary(client, tokens, "guardian.hansen", KARI)
    assert s["days"] == {"total": 1, "reported": 0, "unexplained": 1}
    # A late report for the day explains it.
    await report(client, tokens, "guardian.hansen", KARI, first_day="2026-11-23", reason="sick")
    s = await summary(client, tokens, "guardian.hansen", KARI)
    assert s["days"] == {"total": 1, "reported": 1, "unexplained": 0}
