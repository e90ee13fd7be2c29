"""Authorization matrix: upper-secondary absence warnings and documented absence
× every outsider, and what each insider may do.

pupil.vg (VG1A, Sunnfjord vidaregåande skule, 17) has a drafted maths warning and
one documentation record. An outsider gets 404 exactly as if the pupil, warning or
record did not exist, and nothing changes; no token is 401.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from backend.absence.jobs import absence_warnings
from backend.roster.demo import demo_id, vg_school_id
from notifications.mail import MailOutcome
from tests.support.demo import person
from tests.support.factories import create_person, relate

NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
VG = person("pupil.vg")
MATHS = demo_id("group:VG1A:matematikk")

# username -> why they are an outsider to pupil.vg's warnings and documentation
OUTSIDERS = {
    "guardian.other": "guardian of a pupil at another school",
    "guardian.hansen": "guardian of pupils at another school of the demo",
    "sperret.vg": "guardian relation with access none to pupil.vg",
    "foresatt.vg1a.02": "guardian of a classmate",
    "elev.vg1a.02": "a classmate",
    "pupil.ola": "a pupil at another school",
    "pupil.other": "a pupil at another school",
    "teacher.9b": "a teacher at another school of the demo",
    "teacher.other": "teacher at another school",
    "leader": "leader of another school of the demo",
    "leader.other": "leader of another school",
    "faglaerer.vg1a": "subject teacher of the pupil: not the class team",
}


class NoMail:
    name = "test"

    async def send(self, to, mail):
        return MailOutcome(sent=True)


@pytest.fixture
async def records(db) -> dict[str, str]:
    blocked = await create_person(db, "sperret.vg", "Bjarne Sunde")
    await relate(db, blocked, VG, access="none")
    day = date(2026, 11, 20)
    n = 0
    while n < 12:  # 12 of 140 hours of maths: a drafted warning
        if day.weekday() < 5:
            await db.execute(
                "INSERT INTO subject_absences (id, school_id, group_id, pupil_id, day, starts_at,"
                " ends_at, recorded_at) VALUES ($1, $2, $3, $4, $5, '08:30', '09:30', $6)",
                uuid.uuid4(),
                vg_school_id(),
                MATHS,
                VG,
                day,
                NOW,
            )
            n += 1
        day -= timedelta(days=1)
    await absence_warnings(db, NOW, mail=NoMail())
    doc = uuid.uuid4()
    await db.execute(
        "INSERT INTO absence_documentation (id, school_id, pupil_id, kind, first_day, last_day,"
        " recorded_at) VALUES ($1, $2, $3, 'driving_test_b', '2026-11-02', '2026-11-02', $4)",
        doc,
        vg_school_id(),
        VG,
        NOW,
    )
    warning = await db.fetchval("SELECT id FROM absence_warnings WHERE pupil_id = $1", VG)
    return {"warning": str(warning), "documentation": str(doc)}


DOC_BODY = {"kind": "driving_test_b", "first_day": "2026-11-20"}


def calls(rec: dict[str, str]) -> list[tuple[str, str, dict[str, object] | None]]:
    base = f"/api/v1/pupils/{VG}"
    return [
        ("GET", f"{base}/absence-warnings", None),
        ("POST", f"{base}/absence-warnings/{rec['warning']}/send", None),
        ("GET", f"{base}/absence-documentation", None),
        ("POST", f"{base}/absence-documentation", DOC_BODY),
        ("DELETE", f"{base}/absence-documentation/{rec['documentation']}", None),
        ("GET", f"{base}/absence-summary", None),
    ]


async def state(db) -> tuple[object, ...]:
    return (
        await db.fetchval("SELECT count(*) FROM absence_warnings WHERE status = 'sent'"),
        await db.fetchval("SELECT count(*) FROM absence_documentation"),
        await db.fetchval("SELECT count(*) FROM notifications WHERE kind = 'absence_warning'"),
    )


@pytest.mark.parametrize("outsider", sorted(OUTSIDERS))
async def test_outsiders_get_404_and_change_nothing(client, tokens, db, records, outsider):
    before = await state(db)
    headers = await tokens.headers(outsider)
    for method, url, body in calls(records):
        if outsider == "faglaerer.vg1a" and url.endswith("absence-summary"):
            continue  # a subject teacher reads the summary of their subject's pupil
        r = await client.request(method, url, headers=headers, json=body)
        assert r.status_code == 404, (OUTSIDERS[outsider], method, url, r.text)
        assert r.json()["code"] == "not_found"
    assert await state(db) == before
    # Staff outsiders' refusals are not reads of the pupil.
    assert await db.fetchval("SELECT count(*) FROM audit_log WHERE actor_id = $1", person(outsider)) == 0


async def test_without_a_token_401(client, records):
    for method, url, body in calls(records):
        r = await client.request(method, url, json=body)
        assert r.status_code == 401, (method, url)


# Insiders: (GET warnings, send, GET documentation, POST documentation, DELETE documentation)
INSIDERS = {
    "pupil.vg": (200, 403, 403, 403, 403),
    "guardian.vg": (200, 403, 403, 403, 403),
    "teacher.vg1a": (200, 200, 200, 201, 204),
    "leader.vg": (200, 200, 200, 201, 204),
}


@pytest.mark.parametrize("insider", sorted(INSIDERS))
async def test_insiders(client, tokens, records, insider):
    headers = await tokens.headers(insider)
    got = []
    for method, url, body in calls(records)[:5]:
        r = await client.request(method, url, headers=headers, json=body)
        got.append(r.status_code)
    assert tuple(got) == INSIDERS[insider]


async def test_a_guardian_of_an_adult_pupil_without_consent_sees_nothing(client, tokens, db, records):
    await db.execute("UPDATE people SET birth_date = '2008-01-05' WHERE id = $1", VG)
    r = await client.get(f"/api/v1/pupils/{VG}/absence-warnings", headers=await tokens.headers("guardian.vg"))
    assert r.status_code == 404


# --- web pages ----------------------------------------------------------------


@pytest.mark.parametrize("outsider", sorted(OUTSIDERS))
async def test_outsiders_get_404_on_the_pages(client, db, records, outsider):
    from tests.support.web_portal import post, web_login

    before = await state(db)
    csrf = await web_login(client, outsider)
    base = f"/web/pupils/{VG}"
    assert (await client.get(f"{base}/absence-documentation")).status_code == 404, OUTSIDERS[outsider]
    for path, data in (
        (f"{base}/absence-documentation", {"kind": "driving_test_b", "first_day": "2026-11-20"}),
        (f"{base}/absence-documentation/{records['documentation']}/delete", {}),
        (f"{base}/absence-warnings/{records['warning']}/send", {}),
    ):
        r = await post(client, path, csrf_token=csrf, **data)
        assert r.status_code == 404, (OUTSIDERS[outsider], path)
    assert await state(db) == before


async def test_pages_without_a_session_go_to_sign_in(client, records):
    r = await client.get(f"/web/pupils/{VG}/absence-documentation", follow_redirects=False)
    assert r.status_code in (302, 303) and "/web/login" in r.headers["location"]
