"""The leader's desk in the portal: the pupil page with the school's decisions about
guardians, the school's settings, calendar, reachability, audit log and roster state.
Forms keep what was typed and show the problem by the field; nothing changes then."""

from __future__ import annotations

import json
import re

from backend.roster.demo import demo_id
from tests.support.demo import CLASS_3A, KARI, OLA, SCHOOL, person
from tests.support.web_portal import csrf_of, post, web_login

HANSEN = person("guardian.hansen")
NILSEN = person("guardian.nilsen")
BLOCKED = person("guardian.blocked")


def _section(html: str, ident: str) -> str:
    match = re.search(rf'<(section|article)[^>]*id="{ident}".*?</\1>', html, re.S)
    assert match, f"no {ident} on the page"
    return match.group(0)


async def _settings_row(db):
    return dict(await db.fetchrow("SELECT * FROM schools WHERE id = $1", SCHOOL))


# --- the pupil page -------------------------------------------------------------


async def test_a_guardian_sees_absence_and_grades_but_not_the_guardians(client, db):
    await web_login(client, "guardian.hansen")
    page = await client.get(f"/web/pupils/{OLA}")
    assert page.status_code == 200, page.text
    assert 'id="absence"' in page.text and 'id="grades"' in page.text
    assert 'id="guardians"' not in page.text and 'id="reports"' not in page.text
    assert await db.fetchval("SELECT count(*) FROM audit_log") == 0  # a guardian's read is not audited


async def test_the_pupil_sees_their_own_page(client):
    await web_login(client, "pupil.kari")
    assert (await client.get(f"/web/pupils/{KARI}")).status_code == 200
    assert (await client.get(f"/web/pupils/{OLA}")).status_code == 404


async def test_the_leader_sees_guardians_with_the_schools_decisions_and_the_read_is_audited(client, db):
    await web_login(client, "leader")
    page = await client.get(f"/web/pupils/{OLA}")
    assert page.status_code == 200, page.text
    guardians = _section(page.text, "guardians")
    assert "Sperret" in _section(page.text, f"guardian-{BLOCKED}")  # blocked guardians are listed here
    assert f'action="/web/pupils/{OLA}/guardians/{HANSEN}"' in guardians
    assert 'id="reports"' in page.text and 'id="leave"' in page.text
    actions = {r["action"] for r in await db.fetch("SELECT action FROM audit_log WHERE pupil_id = $1", OLA)}
    assert {"absence_summary.read", "assessments.read", "absence_reports.read", "guardians.read"} <= actions


async def test_the_contact_teacher_reads_the_guardians_but_has_no_form(client, db):
    await web_login(client, "teacher.3a")
    page = await client.get(f"/web/pupils/{OLA}")
    assert page.status_code == 200
    assert 'id="guardians"' in page.text
    assert f"/guardians/{HANSEN}" not in page.text
    r = await post(
        client,
        f"/web/pupils/{OLA}/guardians/{HANSEN}",
        csrf_token=csrf_of(page.text),
        access="none",
        reason="x",
    )
    assert r.status_code == 403
    assert await db.fetchval("SELECT count(*) FROM guardian_access_changes") == 0


async def test_a_leader_blocks_a_guardian_with_a_reason_and_lifts_it(client, db):
    await web_login(client, "leader")
    page = await client.get(f"/web/pupils/{OLA}")
    r = await post(
        client,
        f"/web/pupils/{OLA}/guardians/{NILSEN}",
        csrf_token=csrf_of(page.text),
        access="none",
        reason="Besøksforbud fra tingretten",
    )
    assert r.status_code == 303, r.text
    page = await client.get(r.headers["location"])
    assert "Tilgangen er endret." in page.text
    row = _section(page.text, f"guardian-{NILSEN}")
    assert "Sperret" in row and "Besøksforbud fra tingretten" in row and "skolens vedtak" in row
    assert (
        await db.fetchval(
            "SELECT count(*) FROM audit_log WHERE action = 'guardians.set_none' AND pupil_id = $1", OLA
        )
        == 1
    )
    r = await post(client, f"/web/pupils/{OLA}/guardians/{NILSEN}/lift", csrf_token=csrf_of(page.text))
    assert r.status_code == 303
    page = await client.get(r.headers["location"])
    assert "Full tilgang" in _section(page.text, f"guardian-{NILSEN}")
    assert await db.fetchval("SELECT count(*) FROM audit_log WHERE action = 'guardians.lift'") == 1


async def test_a_block_without_a_reason_keeps_the_choice_and_says_why_by_the_field(client, db):
    await web_login(client, "leader")
    page = await client.get(f"/web/pupils/{OLA}")
    r = await post(
        client,
        f"/web/pupils/{OLA}/guardians/{NILSEN}",
        csrf_token=csrf_of(page.text),
        access="read_only",
        reason="  ",
    )
    assert r.status_code == 422
    form = _section(r.text, f"guardian-{NILSEN}")
    assert f'id="reason-{NILSEN}-error"' in form and 'aria-invalid="true"' in form
    assert '<option value="read_only" selected>' in form
    r = await post(
        client,
        f"/web/pupils/{OLA}/guardians/{NILSEN}",
        csrf_token=csrf_of(page.text),
        access="owner",
        reason="Ok",
    )
    assert r.status_code == 422
    assert f'id="access-{NILSEN}-error"' in r.text and "Ok</textarea>" in r.text
    assert await db.fetchval("SELECT count(*) FROM guardian_access_changes") == 0


async def test_the_guardian_form_needs_the_csrf_token(client, db):
    await web_login(client, "leader")
    r = await post(
        client, f"/web/pupils/{OLA}/guardians/{NILSEN}", csrf_token="forged", access="none", reason="x"
    )
    assert r.status_code == 403
    r = await post(client, f"/web/pupils/{OLA}/guardians/{NILSEN}/lift")
    assert r.status_code == 403
    assert await db.fetchval("SELECT count(*) FROM guardian_access_changes") == 0


async def test_the_pupil_page_shows_reports_leave_and_grades(client, tokens, db):
    hansen = await tokens.headers("guardian.hansen")
    r = await client.post(
        f"/api/v1/pupils/{KARI}/absence-reports",
        headers=hansen,
        json={"first_day": "2026-11-23", "reason": "dentist", "from_time": "10:00", "to_time": "11:00"},
    )
    assert r.status_code == 201, r.text
    r = await client.post(
        f"/api/v1/groups/{demo_id('group:9B:matematikk')}/assessments",
        headers=await tokens.headers("teacher.math9b"),
        json={"pupil_id": str(KARI), "kind": "half_year", "grade": "5", "comment": "Solid <b>algebra</b>"},
    )
    assert r.status_code == 201, r.text
    csrf = await web_login(client, "guardian.hansen")
    r = await post(
        client,
        "/web/leave",
        csrf_token=csrf,
        pupil_id=str(KARI),
        first_day="2026-11-25",
        last_day="2026-11-25",
        reason="Konfirmasjonsforberedelse",
    )
    assert r.status_code == 303
    page = await client.get(f"/web/pupils/{KARI}")
    grades = _section(page.text, "grades")
    assert (
        "Matematikk" in grades
        and "<strong>5</strong>" in grades
        and "Solid &lt;b&gt;algebra&lt;/b&gt;" in grades
    )
    client.cookies.clear()
    await web_login(client, "leader")
    page = await client.get(f"/web/pupils/{KARI}")
    reports = _section(page.text, "reports")
    assert "tannlege" in reports and "10:00–11:00" in reports
    assert "Konfirmasjonsforberedelse" in _section(page.text, "leave")
    assert "leave_requests.read" in {r["action"] for r in await db.fetch("SELECT action FROM audit_log")}
    client.cookies.clear()
    await web_login(client, "teacher.math9b")  # a subject teacher: their subject, no leave, no guardians
    page = await client.get(f"/web/pupils/{KARI}")
    assert page.status_code == 200
    assert 'id="leave"' not in page.text and 'id="guardians"' not in page.text and "Matematikk" in page.text


# --- settings --------------------------------------------------------------------


async def test_the_settings_page_shows_every_setting_with_its_limits(client):
    await web_login(client, "leader")
    page = await client.get(f"/web/schools/{SCHOOL}/settings")
    assert page.status_code == 200, page.text
    for name in (
        "timezone",
        "report_deadline",
        "check_reminder_at",
        "first_lesson_start",
        "first_lesson_end",
        "first_recess_start",
        "seek_1_7",
        "seek_8_10",
        "seek_11_13",
        "escalate_after_minutes",
        "leave_teacher_max_days",
        "still_sick_at",
        "note_retention_days",
        "office_phone",
        "sms_after_minutes",
        "call_after_minutes",
        "roster_sync_at",
        "feide_realm",
    ):
        assert f'name="{name}"' in page.text, name
    assert 'value="08:30"' in page.text and "30–45 minutter." in page.text
    assert 'min="30" max="45"' in page.text
    assert f'href="/web/schools/{SCHOOL}/settings" aria-current="page"' in page.text


def _form(html: str) -> dict[str, str]:
    fields = dict(re.findall(r'<input id="[^"]+" name="([a-z0-9_]+)" type="[a-z]+" value="([^"]*)"', html))
    fields["csrf_token"] = csrf_of(html)
    return fields


async def test_settings_are_saved(client, db):
    await web_login(client, "leader")
    page = await client.get(f"/web/schools/{SCHOOL}/settings")
    form = _form(page.text) | {
        "escalate_after_minutes": "40",
        "seek_8_10": "09:05",
        "office_phone": "+4757111111",
    }
    r = await post(client, f"/web/schools/{SCHOOL}/settings", **form)
    assert r.status_code == 303, r.text
    row = await _settings_row(db)
    assert row["escalate_after_minutes"] == 40 and row["office_phone"] == "+4757111111"
    policy = row["seek_policy"] if isinstance(row["seek_policy"], dict) else json.loads(row["seek_policy"])
    assert policy["8-10"] == "09:05"
    page = await client.get(r.headers["location"])
    assert "Innstillingene er lagret." in page.text and 'value="40"' in page.text
    # An empty phone number leaves it as it is.
    r = await post(client, f"/web/schools/{SCHOOL}/settings", **(_form(page.text) | {"office_phone": ""}))
    assert r.status_code == 303
    assert (await _settings_row(db))["office_phone"] == "+4757111111"


async def test_bad_settings_keep_what_was_typed_show_the_problem_by_the_field_and_change_nothing(client, db):
    await web_login(client, "leader")
    before = await _settings_row(db)
    page = await client.get(f"/web/schools/{SCHOOL}/settings")
    form = _form(page.text) | {
        "escalate_after_minutes": "50",
        "sms_after_minutes": "ti",
        "report_deadline": "8.30",
    }
    r = await post(client, f"/web/schools/{SCHOOL}/settings", **form)
    assert r.status_code == 422
    for name in ("escalate_after_minutes", "sms_after_minutes", "report_deadline"):
        assert f'id="{name}-error"' in r.text, name
        assert re.search(
            rf'name="{name}"[^>]*aria-describedby="{name}-hint {name}-error"[^>]*aria-invalid="true"',
            r.text,
            re.S,
        )
    assert 'value="50"' in r.text and 'value="ti"' in r.text and 'value="8.30"' in r.text
    assert "Skriv et helt tall." in r.text
    assert 'id="timezone-error"' not in r.text
    # Valid one by one, wrong together: the service's rule, by the field it names.
    form = _form(page.text) | {"first_lesson_start": "09:00", "first_lesson_end": "08:45"}
    r = await post(client, f"/web/schools/{SCHOOL}/settings", **form)
    assert r.status_code == 422
    assert 'id="first_lesson_end-error"' in r.text
    form = _form(page.text) | {"timezone": "Mars/Olympus"}
    r = await post(client, f"/web/schools/{SCHOOL}/settings", **form)
    assert r.status_code == 422 and 'id="timezone-error"' in r.text
    assert await _settings_row(db) == before


async def test_settings_need_the_csrf_token(client, db):
    await web_login(client, "leader")
    before = await _settings_row(db)
    page = await client.get(f"/web/schools/{SCHOOL}/settings")
    form = _form(page.text) | {"escalate_after_minutes": "40", "csrf_token": "forged"}
    assert (await post(client, f"/web/schools/{SCHOOL}/settings", **form)).status_code == 403
    assert await _settings_row(db) == before


# --- the calendar ----------------------------------------------------------------

ICS = """BEGIN:VCALENDAR\r
VERSION:2.0\r
BEGIN:VEVENT\r
DTSTART;VALUE=DATE:20261221\r
DTEND;VALUE=DATE:20261224\r
SUMMARY:Juleferie\r
END:VEVENT\r
BEGIN:VEVENT\r
DTSTART;VALUE=DATE:20270215\r
SUMMARY:Planleggingsdag\r
END:VEVENT\r
BEGIN:VEVENT\r
DTSTART:20270301T120000Z\r
SUMMARY:Foreldremøte\r
END:VEVENT\r
END:VCALENDAR\r
"""


async def _closed(db) -> list[tuple[str, str]]:
    return [
        (str(r["day"]), r["label"])
        for r in await db.fetch(
            "SELECT day, label FROM closed_days WHERE school_id = $1 ORDER BY day", SCHOOL
        )
    ]


async def test_closed_days_are_added_and_removed(client, db):
    await web_login(client, "leader")
    page = await client.get(f"/web/schools/{SCHOOL}/calendar")
    assert page.status_code == 200, page.text
    csrf = csrf_of(page.text)
    r = await post(
        client,
        f"/web/schools/{SCHOOL}/calendar/days",
        csrf_token=csrf,
        first_day="2026-12-04",
        last_day="",
        label="Planleggingsdag",
    )
    assert r.status_code == 303, r.text
    r = await post(
        client,
        f"/web/schools/{SCHOOL}/calendar/days",
        csrf_token=csrf,
        first_day="2027-04-05",
        last_day="2027-04-11",
        label="Påske",
    )
    assert r.status_code == 303
    page = await client.get(r.headers["location"])
    assert "5 fridag(er) lagt til." in page.text and 'id="day-2026-12-04"' in page.text
    assert len(await _closed(db)) == 6
    r = await post(client, f"/web/schools/{SCHOOL}/calendar/days/2026-12-04/remove", csrf_token=csrf)
    assert r.status_code == 303
    assert ("2026-12-04", "Planleggingsdag") not in await _closed(db)


async def test_a_bad_closed_day_keeps_what_was_typed_and_changes_nothing(client, db):
    await web_login(client, "leader")
    csrf = csrf_of((await client.get(f"/web/schools/{SCHOOL}/calendar")).text)
    r = await post(
        client,
        f"/web/schools/{SCHOOL}/calendar/days",
        csrf_token=csrf,
        first_day="4. desember",
        last_day="",
        label="",
    )
    assert r.status_code == 422
    assert (
        'id="first_day-error"' in r.text and 'id="label-error"' in r.text and 'value="4. desember"' in r.text
    )
    r = await post(
        client,
        f"/web/schools/{SCHOOL}/calendar/days",
        csrf_token=csrf,
        first_day="2027-04-11",
        last_day="2027-04-05",
        label="Påske",
    )
    assert r.status_code == 422 and 'id="last_day-error"' in r.text and 'value="Påske"' in r.text
    await post(
        client,
        f"/web/schools/{SCHOOL}/calendar/days",
        csrf_token=csrf,
        first_day="2026-12-04",
        last_day="",
        label="A",
    )
    r = await post(
        client,
        f"/web/schools/{SCHOOL}/calendar/days",
        csrf_token=csrf,
        first_day="2026-12-04",
        last_day="",
        label="B",
    )
    assert r.status_code == 409 and 'id="first_day-error"' in r.text
    assert await _closed(db) == [("2026-12-04", "A")]
    r = await post(
        client,
        f"/web/schools/{SCHOOL}/calendar/days",
        csrf_token="forged",
        first_day="2026-12-07",
        last_day="",
        label="C",
    )
    assert r.status_code == 403
    assert await _closed(db) == [("2026-12-04", "A")]


async def test_an_ical_import_is_previewed_then_confirmed(client, db):
    await web_login(client, "leader")
    csrf = csrf_of((await client.get(f"/web/schools/{SCHOOL}/calendar")).text)
    await post(
        client,
        f"/web/schools/{SCHOOL}/calendar/days",
        csrf_token=csrf,
        first_day="2026-12-21",
        last_day="",
        label="Juleavslutning",
    )
    r = await client.post(
        f"/web/schools/{SCHOOL}/calendar/import",
        data={"csrf_token": csrf, "calendar": ""},
        files={"file": ("skolerute.ics", ICS.encode(), "text/calendar")},
    )
    assert r.status_code == 200, r.text
    preview = _section(r.text, "preview")
    assert "3 nye fridager fra 3 hendelser" in preview and "1 med klokkeslett" in preview
    assert "Allerede fridag" in preview and "Planleggingsdag" in preview
    assert len(await _closed(db)) == 1  # the preview wrote nothing
    text = re.search(r'<textarea name="calendar" hidden>(.*?)</textarea>', r.text, re.S).group(1)
    r = await post(
        client,
        f"/web/schools/{SCHOOL}/calendar/import/confirm",
        csrf_token=csrf,
        calendar=text.replace("&#13;", "\r"),
    )
    assert r.status_code == 303, r.text
    assert await _closed(db) == [
        ("2026-12-21", "Juleavslutning"),
        ("2026-12-22", "Juleferie"),
        ("2026-12-23", "Juleferie"),
        ("2027-02-15", "Planleggingsdag"),
    ]


async def test_a_pasted_calendar_that_is_not_one_is_said_by_the_field(client, db):
    await web_login(client, "leader")
    csrf = csrf_of((await client.get(f"/web/schools/{SCHOOL}/calendar")).text)
    r = await client.post(
        f"/web/schools/{SCHOOL}/calendar/import", data={"csrf_token": csrf, "calendar": "juleferie 21.12"}
    )
    assert r.status_code == 422
    assert 'id="calendar-error"' in r.text and "juleferie 21.12</textarea>" in r.text
    r = await post(client, f"/web/schools/{SCHOOL}/calendar/import/confirm", csrf_token=csrf, calendar="nope")
    assert r.status_code == 422
    assert await _closed(db) == []


# --- reachability, test alerts --------------------------------------------------


async def test_the_school_reachability_page_sends_a_test_alert_and_shows_its_confirmations(client, db):
    await db.execute("UPDATE people SET mobile = NULL, email = NULL WHERE username = 'foresatt.3a.02'")
    await web_login(client, "leader")
    page = await client.get(f"/web/schools/{SCHOOL}/reachability")
    assert page.status_code == 200, page.text
    assert "1 elev(er) kan ikke nås." in page.text
    assert f'href="/web/classes/{CLASS_3A}/reachability"' in page.text
    r = await post(client, f"/web/schools/{SCHOOL}/test-alerts", csrf_token=csrf_of(page.text))
    assert r.status_code == 303, r.text
    alert = await db.fetchrow("SELECT id, recipients FROM test_alerts")
    assert alert["recipients"] > 0
    await db.execute(
        "INSERT INTO test_alert_confirmations (test_alert_id, guardian_id, confirmed_at)"
        " VALUES ($1, $2, now())",
        alert["id"],
        HANSEN,
    )
    page = await client.get(r.headers["location"])
    assert f"sendt til {alert['recipients']} foresatte" in page.text
    row = re.search(rf'<tr id="alert-{alert["id"]}">.*?</tr>', page.text, re.S).group(0)
    assert f"<td>{alert['recipients']}</td><td>1</td>" in row
    row_3a = re.search(rf'<tr id="class-{CLASS_3A}".*?</tr>', page.text, re.S).group(0)
    assert row_3a.endswith("<td>1</td><td>1</td></tr>")  # one unreachable, one confirmed (Ola)


async def test_a_test_alert_needs_the_csrf_token(client, db):
    await web_login(client, "leader")
    assert (await post(client, f"/web/schools/{SCHOOL}/test-alerts", csrf_token="forged")).status_code == 403
    assert await db.fetchval("SELECT count(*) FROM test_alerts") == 0


# --- the audit log ---------------------------------------------------------------


async def test_the_audit_log_filters_by_who_what_pupil_and_dates(client, db):
    await web_login(client, "teacher.3a")
    await client.get(f"/web/pupils/{OLA}")
    client.cookies.clear()
    await web_login(client, "leader")
    await client.get(f"/web/pupils/{KARI}")
    page = await client.get(f"/web/schools/{SCHOOL}/audit-log")
    assert page.status_code == 200, page.text
    assert "Ola" in page.text and "Kari" in page.text
    teacher = person("teacher.3a")
    r = await client.get(f"/web/schools/{SCHOOL}/audit-log", params={"who": str(teacher)})
    entries = _table(r.text)
    assert entries and all("Kari" not in e for e in entries)
    r = await client.get(
        f"/web/schools/{SCHOOL}/audit-log", params={"what": "guardians.read", "pupil": "kari"}
    )
    entries = _table(r.text)
    assert len(entries) == 1 and "leste foresatte" in entries[0]
    r = await client.get(f"/web/schools/{SCHOOL}/audit-log", params={"from": "2026-11-24"})
    assert _table(r.text) == [] and "Ingen oppføringer." in r.text
    r = await client.get(
        f"/web/schools/{SCHOOL}/audit-log", params={"from": "2026-11-23", "to": "2026-11-23"}
    )
    assert len(_table(r.text)) >= 5


def _table(html: str) -> list[str]:
    match = re.search(r'<table class="desk" id="entries">.*?<tbody>(.*?)</tbody>', html, re.S)
    return re.findall(r"<tr>.*?</tr>", match.group(1), re.S) if match else []


async def test_bad_audit_filters_are_said_by_the_field(client):
    await web_login(client, "leader")
    r = await client.get(
        f"/web/schools/{SCHOOL}/audit-log", params={"from": "i går", "who": "x", "to": "2026-11-01"}
    )
    assert r.status_code == 422
    assert 'id="f-from-error"' in r.text and 'id="f-who-error"' in r.text and 'value="i går"' in r.text
    r = await client.get(
        f"/web/schools/{SCHOOL}/audit-log", params={"from": "2026-11-20", "to": "2026-11-01"}
    )
    assert r.status_code == 422 and 'id="f-to-error"' in r.text


async def test_the_audit_log_is_paginated(client, db):
    await db.execute(
        """INSERT INTO audit_log (school_id, actor_id, pupil_id, action, at)
           SELECT $1, $2, $3, 'absence_reports.read', now() - n * interval '1 minute'
           FROM generate_series(1, 60) n""",
        SCHOOL,
        person("teacher.3a"),
        OLA,
    )
    await web_login(client, "leader")
    page = await client.get(f"/web/schools/{SCHOOL}/audit-log")
    assert len(_table(page.text)) == 50
    older = re.search(r'<a href="([^"]+)" rel="next">', page.text).group(1).replace("&amp;", "&")
    page = await client.get(older)
    assert page.status_code == 200 and len(_table(page.text)) == 10
    assert 'rel="next"' not in page.text


# --- the roster -------------------------------------------------------------------


async def test_the_roster_page_shows_the_last_run_and_who_cannot_sign_in(client, db):
    await db.execute("DELETE FROM identities WHERE person_id = $1", NILSEN)
    await db.execute("UPDATE people SET sign_in_enabled = false WHERE id = $1", person("teacher.math9b"))
    await db.execute(
        "INSERT INTO roster_runs (source, finished_at, summary) VALUES ('sync', now(), $1::jsonb)",
        json.dumps(
            {
                "version": "1.2",
                "rows_read": 1234,
                "created": {"people": 3},
                "updated": {"people": 7},
                "removed": {},
                "warning_count": 1,
                "warnings": ["users u9: has no role — skipped"],
                "contact_warning_count": 2,
                "missing_birth_date_count": 0,
                "notes": [],
            }
        ),
    )
    await web_login(client, "leader")
    page = await client.get(f"/web/schools/{SCHOOL}/roster")
    assert page.status_code == 200, page.text
    run = _section(page.text, "last-run")
    assert "Synkronisering" in run and "1234 rader" in run and "users u9: has no role" in run
    assert "2 kontaktopplysninger ble ikke brukt" in run
    cannot = _section(page.text, "cannot-sign-in")
    assert f'id="person-{NILSEN}"' in cannot and "Mangler Feide/ID-porten" in cannot
    assert f'id="person-{person("teacher.math9b")}"' in cannot and "Slått av" in cannot
    assert "2 personer kan ikke logge inn." in cannot


async def test_the_roster_page_without_any_run(client):
    await web_login(client, "leader")
    page = await client.get(f"/web/schools/{SCHOOL}/roster")
    assert "Ingen import eller synkronisering er registrert ennå." in page.text
    assert "Alle kan logge inn." in page.text


# --- for every desk page --------------------------------------------------------

DESK_PAGES = [
    f"/web/pupils/{OLA}",
    f"/web/schools/{SCHOOL}/settings",
    f"/web/schools/{SCHOOL}/calendar",
    f"/web/schools/{SCHOOL}/reachability",
    f"/web/schools/{SCHOOL}/audit-log",
    f"/web/schools/{SCHOOL}/roster",
]
DESK_FORMS = [
    f"/web/pupils/{OLA}/guardians/{NILSEN}",
    f"/web/pupils/{OLA}/guardians/{NILSEN}/lift",
    f"/web/schools/{SCHOOL}/settings",
    f"/web/schools/{SCHOOL}/calendar/days",
    f"/web/schools/{SCHOOL}/calendar/days/2026-12-07/remove",
    f"/web/schools/{SCHOOL}/calendar/import",
    f"/web/schools/{SCHOOL}/calendar/import/confirm",
    f"/web/schools/{SCHOOL}/test-alerts",
]


async def test_without_a_session_every_desk_page_leads_to_sign_in_and_no_form_changes_anything(client, db):
    await db.execute(
        "INSERT INTO closed_days (school_id, day, label) VALUES ($1, '2026-12-07', 'Fri')", SCHOOL
    )
    for path in DESK_PAGES:
        r = await client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/web/login?next="), path
    for path in DESK_FORMS:
        r = await post(
            client, path, access="none", reason="x", calendar=ICS, first_day="2026-12-08", label="x"
        )
        assert r.status_code == 303, path
    assert await _closed(db) == [("2026-12-07", "Fri")]
    assert await db.fetchval("SELECT count(*) FROM guardian_access_changes") == 0
    assert await db.fetchval("SELECT count(*) FROM test_alerts") == 0


async def test_every_desk_form_needs_the_csrf_token(client, db):
    await db.execute(
        "INSERT INTO closed_days (school_id, day, label) VALUES ($1, '2026-12-07', 'Fri')", SCHOOL
    )
    await web_login(client, "leader")
    for path in DESK_FORMS:
        r = await post(
            client,
            path,
            csrf_token="forged",
            access="none",
            reason="x",
            calendar=ICS,
            first_day="2026-12-08",
            label="x",
        )
        assert r.status_code == 403, path
    assert await _closed(db) == [("2026-12-07", "Fri")]
    assert await db.fetchval("SELECT count(*) FROM guardian_access_changes") == 0
    assert await db.fetchval("SELECT count(*) FROM test_alerts") == 0


async def test_the_desk_speaks_english_and_nynorsk(client):
    await web_login(client, "leader")
    page = await client.get(f"/web/schools/{SCHOOL}/settings?lang=en")
    assert '<html lang="en">' in page.text and "30–45 minutes." in page.text and "Save settings" in page.text
    page = await client.get(f"/web/pupils/{OLA}?lang=nn")
    assert "Føresette og tilgang" in page.text
    for path in DESK_PAGES:
        page = await client.get(path + "?lang=en")
        assert page.status_code == 200 and "desk_" not in page.text, path


async def test_the_follow_up_rules_and_the_upper_secondary_limits_are_settings_too(client, db):
    await web_login(client, "leader")
    page = await client.get(f"/web/schools/{SCHOOL}/settings")
    assert 'name="follow_up_spells" type="number" value="3" min="2" max="20"' in page.text
    assert 'name="absence_limit_percent" type="text" value="10"' in page.text
    assert 'name="absence_warnings_automatic" type="checkbox"' in page.text
    form = _form(page.text) | {
        "follow_up_spells": "4",
        "absence_warning_percent": "7,5",
        "absence_warnings_automatic": "on",
        "absence_annual_hours": "Norsk: 112\nMatematikk 1T = 140\n",
    }
    r = await post(client, f"/web/schools/{SCHOOL}/settings", **form)
    assert r.status_code == 303, r.text
    row = await _settings_row(db)
    follow_up = row["follow_up"] if isinstance(row["follow_up"], dict) else json.loads(row["follow_up"])
    assert follow_up["spells"] == 4 and follow_up["window_days"] == 28
    assert float(row["absence_warning_percent"]) == 7.5 and row["absence_warnings_automatic"] is True
    hours = row["absence_annual_hours"]
    assert (hours if isinstance(hours, dict) else json.loads(hours)) == {"Norsk": 112, "Matematikk 1T": 140}
    page = await client.get(r.headers["location"])
    assert "Norsk: 112" in page.text and 'value="7.5"' in page.text


async def test_bad_follow_up_rules_and_limits_are_shown_by_their_fields_and_change_nothing(client, db):
    await web_login(client, "leader")
    before = await _settings_row(db)
    page = await client.get(f"/web/schools/{SCHOOL}/settings")
    form = _form(page.text) | {
        "follow_up_spells": "1",
        "absence_limit_percent": "ti",
        "absence_annual_hours": "Norsk 112",
    }
    r = await post(client, f"/web/schools/{SCHOOL}/settings", **form)
    assert r.status_code == 422
    for name in ("follow_up_spells", "absence_limit_percent", "absence_annual_hours"):
        assert f'id="{name}-error"' in r.text, name
    assert "Skriv et tall, for eksempel 8 eller 7,5." in r.text and "Norsk 112" in r.text
    # Each valid alone, wrong together: the warning level must be below the limit.
    form = _form(page.text) | {"absence_limit_percent": "8", "absence_warning_percent": "9"}
    r = await post(client, f"/web/schools/{SCHOOL}/settings", **form)
    assert r.status_code == 422
    assert 'id="absence_warning_percent-error"' in r.text or 'id="absence_limit_percent-error"' in r.text
    assert await _settings_row(db) == before
