"""The pupil page's written absence warnings (templates/pupil_warnings.html) and the
form that sends one, as a browser without JavaScript uses them."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from jinja2 import Environment, FileSystemLoader

from backend.absence.jobs import absence_warnings
from backend.absence.warnings import warnings_view
from backend.access.policy import pupil_access
from backend.roster.demo import demo_id, vg_school_id
from backend.web.pages import HERE
from notifications.mail import MailOutcome
from tests.support.demo import person
from tests.support.web_portal import post, web_login

NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
VG = person("pupil.vg")


class NoMail:
    name = "test"

    async def send(self, to, mail):
        return MailOutcome(sent=True)


async def drafted(db) -> uuid.UUID:
    day, n = date(2026, 11, 20), 0
    while n < 12:
        if day.weekday() < 5:
            await db.execute(
                "INSERT INTO subject_absences (id, school_id, group_id, pupil_id, day, starts_at,"
                " ends_at, recorded_at) VALUES ($1, $2, $3, $4, $5, '08:30', '09:30', $6)",
                uuid.uuid4(),
                vg_school_id(),
                demo_id("group:VG1A:matematikk"),
                VG,
                day,
                NOW,
            )
            n += 1
        day -= timedelta(days=1)
    await absence_warnings(db, NOW, mail=NoMail())
    return await db.fetchval("SELECT id FROM absence_warnings WHERE pupil_id = $1", VG)


def render(view) -> str:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True)
    return env.get_template("pupil_warnings.html").render(
        absence_warnings=view, t=lambda key, **kw: f"[{key}]", day=lambda d: d.isoformat(), csrf="tok"
    )


async def test_the_partial_shows_drafts_with_a_send_form_to_the_contact_teacher_only(db):
    warning = await drafted(db)
    teacher = await pupil_access(db, person("teacher.vg1a"), VG, NOW)
    html = render(await warnings_view(db, teacher, person("teacher.vg1a"), NOW))
    assert 'id="absence-warnings"' in html and "Matematikk 1T" in html and "8.6 %" in html
    assert f'action="/web/pupils/{VG}/absence-warnings/{warning}/send"' in html
    assert 'name="csrf_token" value="tok"' in html
    guardian = await pupil_access(db, person("guardian.vg"), VG, NOW)
    html = render(await warnings_view(db, guardian, person("guardian.vg"), NOW))
    assert "[warnings_none]" in html and "<form" not in html  # drafts are staff's
    subject_teacher = await pupil_access(db, person("faglaerer.vg1a"), VG, NOW)
    assert await warnings_view(db, subject_teacher, person("faglaerer.vg1a"), NOW) is None
    assert render(None).strip() == ""


async def test_sending_from_the_page(client, db):
    warning = await drafted(db)
    csrf = await web_login(client, "guardian.vg")
    r = await post(client, f"/web/pupils/{VG}/absence-warnings/{warning}/send", csrf_token=csrf)
    assert r.status_code == 403
    client.cookies.clear()

    csrf = await web_login(client, "teacher.9b")  # a teacher at another school
    r = await post(client, f"/web/pupils/{VG}/absence-warnings/{warning}/send", csrf_token=csrf)
    assert r.status_code == 404
    client.cookies.clear()

    csrf = await web_login(client, "teacher.vg1a")
    r = await post(client, f"/web/pupils/{VG}/absence-warnings/{warning}/send", csrf_token="wrong")
    assert r.status_code == 403
    assert await db.fetchval("SELECT status FROM absence_warnings WHERE id = $1", warning) == "draft"
    r = await post(client, f"/web/pupils/{VG}/absence-warnings/{warning}/send", csrf_token=csrf)
    assert r.status_code == 303
    assert r.headers["location"] == f"/web/pupils/{VG}#warning-{warning}"
    assert await db.fetchval("SELECT status FROM absence_warnings WHERE id = $1", warning) == "sent"
    r = await post(client, f"/web/pupils/{VG}/absence-warnings/{warning}/send", csrf_token=csrf)
    assert r.status_code == 409  # already sent: the error page says so


DOC_PAGE = f"/web/pupils/{VG}/absence-documentation"


async def test_the_documentation_page_records_and_removes(client, db):
    csrf = await web_login(client, "teacher.vg1a")
    page = await client.get(DOC_PAGE)
    assert page.status_code == 200
    assert "Vilde Sunde (VG1A)" in page.text and 'name="kind"' in page.text
    assert '<label for="first_day">' in page.text

    r = await post(
        client,
        DOC_PAGE,
        csrf_token=csrf,
        kind="driving_test_b",
        first_day="2026-11-18",
        from_time="08:00",
        to_time="10:00",
    )
    assert r.status_code == 303 and r.headers["location"] == DOC_PAGE
    doc = await db.fetchrow(
        "SELECT id, kind, from_time::text FROM absence_documentation WHERE pupil_id = $1", VG
    )
    assert (doc["kind"], doc["from_time"]) == ("driving_test_b", "08:00:00")
    page = await client.get(DOC_PAGE)
    assert "Førerprøve klasse B" in page.text and "Unntatt" in page.text

    r = await post(client, f"{DOC_PAGE}/{doc['id']}/delete", csrf_token=csrf)
    assert r.status_code == 303
    assert await db.fetchval("SELECT count(*) FROM absence_documentation") == 0


async def test_the_documentation_form_shows_the_problem_by_the_field_and_keeps_the_input(client, db):
    csrf = await web_login(client, "leader.vg")
    r = await post(
        client,
        DOC_PAGE,
        csrf_token=csrf,
        kind="political_work",
        first_day="2026-11-20",
        last_day="2026-11-19",
    )
    assert r.status_code == 422
    assert 'id="last_day-error"' in r.text and 'aria-describedby="last_day-error"' in r.text
    assert 'aria-invalid="true"' in r.text
    assert 'value="2026-11-20"' in r.text and 'value="2026-11-19"' in r.text
    assert '<option value="political_work" selected>' in r.text

    r = await post(client, DOC_PAGE, csrf_token=csrf, kind="political_work", first_day="")
    assert r.status_code == 422 and 'id="first_day-error"' in r.text
    r = await post(client, DOC_PAGE, csrf_token=csrf, kind="dentist", first_day="2026-11-20")
    assert r.status_code == 422 and 'id="kind-error"' in r.text
    r = await post(
        client, DOC_PAGE, csrf_token=csrf, kind="driving_test_b", first_day="2026-11-20", from_time="08:00"
    )
    assert r.status_code == 422 and 'id="to_time-error"' in r.text
    r = await post(client, DOC_PAGE, csrf_token="wrong", kind="driving_test_b", first_day="2026-11-20")
    assert r.status_code == 403
    assert await db.fetchval("SELECT count(*) FROM absence_documentation") == 0


async def test_the_documentation_page_is_staffs(client):
    await web_login(client, "guardian.vg")
    assert (await client.get(DOC_PAGE)).status_code == 403
    client.cookies.clear()
    await web_login(client, "teacher.9b")
    assert (await client.get(DOC_PAGE)).status_code == 404
    client.cookies.clear()
    await web_login(client, "faglaerer.vg1a")
    assert (await client.get(DOC_PAGE)).status_code == 404
    # Without a session: to sign-in.
    client.cookies.clear()
    r = await client.get(DOC_PAGE, follow_redirects=False)
    assert r.status_code in (302, 303) and "/web/login" in r.headers["location"]
