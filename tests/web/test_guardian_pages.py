"""The guardian's (and pupil's) phone pages: the navigation each role gets, the family
home, absence for several children at once, the missing-pupil case page (the link in
the SMS), messaging and the inbox. Bad input is a message by the field with nothing
changed; a page about what the user may not see is 404."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.support.demo import CLASS_3A, KARI, OLA, SCHOOL, person
from tests.support.routine import MONDAY, oslo, pupil_row, roll_call, run_job
from tests.support.web_portal import csrf_of, post, web_login

# These tests move the clock past a token's lifetime: a new token per call.
pytestmark = pytest.mark.fresh_tokens

TUE, WED = "2026-11-24", "2026-11-25"


async def _as(client, username: str) -> str:
    client.cookies.clear()  # another person at the same browser
    return await web_login(client, username)


def _nav(html: str) -> set[str]:
    header = html.split("</header>")[0]
    return set(re.findall(r'<a href="(/web/[^"]*)"', header))


async def _reports(db, pupil=None) -> int:
    if pupil is None:
        return await db.fetchval("SELECT count(*) FROM absence_reports")
    return await db.fetchval("SELECT count(*) FROM absence_reports WHERE pupil_id = $1", pupil)


async def _open_ola(client, tokens, db, clock, pupil=OLA, class_id=CLASS_3A, teacher="teacher.3a"):
    """Ola marked absent at 08:40 without a report: a case is opened and sought."""
    clock.set(oslo(MONDAY, 8, 40))
    r = await roll_call(client, await tokens.headers(teacher), db, class_id, MONDAY, {pupil})
    assert r.status_code == 200, r.text
    return pupil_row(r.json(), pupil)["missing_case_id"]


# --- navigation and home ------------------------------------------------------------


async def test_each_role_gets_the_pages_it_may_use(client):
    await _as(client, "guardian.hansen")
    nav = _nav((await client.get("/web/")).text)
    assert {"/web/", "/web/absence", "/web/threads", "/web/inbox", "/web/leave"} <= nav
    assert {"/web/settings/notifications", "/web/my-data"} <= nav
    assert "/web/morning" not in nav and not any("/schools/" in p for p in nav)

    await _as(client, "teacher.3a")
    nav = _nav((await client.get("/web/")).text)
    assert {"/web/morning", "/web/threads", "/web/inbox", "/web/follow-ups", "/web/leave"} <= nav
    assert "/web/absence" not in nav and not any("/schools/" in p for p in nav)

    await _as(client, "teacher.math9b")  # a subject teacher: no class team, no follow-ups
    nav = _nav((await client.get("/web/")).text)
    assert "/web/follow-ups" not in nav and "/web/absence" not in nav

    await _as(client, "leader")
    nav = _nav((await client.get("/web/")).text)
    for page in ("settings", "calendar", "reachability", "audit-log", "roster"):
        assert f"/web/schools/{SCHOOL}/{page}" in nav
    assert {"/web/morning", "/web/follow-ups"} <= nav

    await _as(client, "pupil.ola")  # 8 years old: no absence to report
    page = await client.get("/web/")
    nav = _nav(page.text)
    assert "/web/absence" not in nav and {"/web/threads", "/web/inbox"} <= nav
    assert f"/web/pupils/{OLA}" in page.text


async def test_every_page_has_a_skip_link_and_a_phone_viewport(client):
    await _as(client, "guardian.hansen")
    for path in ("/web/", "/web/absence", "/web/threads", "/web/inbox"):
        r = await client.get(path)
        assert r.status_code == 200, path
        assert '<a class="skip" href="#main">' in r.text and '<main id="main"' in r.text
        assert 'name="viewport" content="width=device-width, initial-scale=1"' in r.text
        assert 'aria-current="page"' in r.text  # where one is, in the navigation


async def test_the_family_home_puts_an_open_case_first(client, tokens, db, clock):
    await _as(client, "guardian.hansen")
    home = await client.get("/web/")
    assert "Ola Hansen" in home.text and "Kari" in home.text
    assert "Ikke meldt fravær i dag" in home.text
    assert f"/web/absence?pupil={OLA}" in home.text

    case_id = await _open_ola(client, tokens, db, clock)
    home = await client.get("/web/")
    first_section = home.text.split("<section")[1]
    assert "Skolen leter etter Ola Hansen" in first_section
    assert f'href="/web/cases/{case_id}"' in first_section

    await _as(client, "guardian.readonly")
    home = await client.get("/web/")
    assert "Bare lesetilgang" in home.text or "lesetilgang" in home.text
    assert f"/web/absence?pupil={KARI}" not in home.text  # no quick report for read-only


# --- absence ----------------------------------------------------------------------------


async def test_a_guardian_reports_two_children_at_once_and_withdraws_one(client, db):
    csrf = await _as(client, "guardian.hansen")
    page = await client.get("/web/absence")
    assert page.status_code == 200
    assert f'name="pupil_{OLA}"' in page.text and f'name="pupil_{KARI}"' in page.text
    for reason in ("sick", "doctor", "dentist", "funeral", "hospital", "other"):
        assert f'<option value="{reason}"' in page.text
    r = await post(
        client,
        "/web/absence",
        csrf_token=csrf,
        **{f"pupil_{OLA}": "on", f"pupil_{KARI}": "on"},
        reason="sick",
        first_day=str(MONDAY),
        last_day=TUE,
        note="Omgangssyke <b>i hele huset</b>",
    )
    assert r.status_code == 303 and r.headers["location"] == "/web/absence?done=reported"
    assert await _reports(db, OLA) == 1 and await _reports(db, KARI) == 1
    page = await client.get(r.headers["location"])
    assert "Fraværet er meldt." in page.text
    assert "Omgangssyke &lt;b&gt;i hele huset&lt;/b&gt;" in page.text  # as written, never markup

    report_id = await db.fetchval("SELECT id FROM absence_reports WHERE pupil_id = $1", KARI)
    r = await post(client, f"/web/absence/{KARI}/reports/{report_id}/withdraw", csrf_token=csrf)
    assert r.status_code == 303 and r.headers["location"] == "/web/absence?done=withdrawn"
    assert await _reports(db, KARI) == 0 and await _reports(db, OLA) == 1


async def test_several_children_are_all_or_nothing(client, db):
    csrf = await _as(client, "guardian.hansen")
    args = {"csrf_token": csrf, "reason": "sick", "first_day": TUE}
    r = await post(client, "/web/absence", **args, **{f"pupil_{KARI}": "on"})
    assert r.status_code == 303
    # Kari has a report for Tuesday already: Ola's is not filed either.
    r = await post(client, "/web/absence", **args, **{f"pupil_{OLA}": "on", f"pupil_{KARI}": "on"})
    assert r.status_code == 409
    assert "Kari" in r.text and "Det finnes allerede en fraværsmelding" in r.text
    assert 'id="pupils-error"' in r.text
    assert await _reports(db, OLA) == 0 and await _reports(db, KARI) == 1


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"reason": "sick", "first_day": TUE}, "pupils", "Velg minst ett barn."),
        ({"pupil": True, "reason": "", "first_day": TUE}, "reason", "Velg en årsak."),
        ({"pupil": True, "reason": "flu", "first_day": TUE}, "reason", "Velg en årsak."),
        ({"pupil": True, "reason": "sick", "first_day": "24.11.2026"}, "first_day", "ÅÅÅÅ-MM-DD"),
        ({"pupil": True, "reason": "sick", "first_day": TUE, "last_day": "x"}, "last_day", "ÅÅÅÅ-MM-DD"),
        ({"pupil": True, "reason": "sick", "first_day": WED, "last_day": TUE}, "last_day", "Siste dag"),
        ({"pupil": True, "reason": "sick", "first_day": "2026-11-20"}, "first_day", "har vært"),
        ({"pupil": True, "reason": "sick", "first_day": TUE, "from_time": "25:00"}, "from_time", "TT:MM"),
        ({"pupil": True, "reason": "other", "first_day": TUE}, "from_time", "krever fra- og til-tid"),
        ({"pupil": True, "reason": "sick", "first_day": TUE, "note": "x" * 501}, "note", "Høyst 500 tegn."),
    ],
)
async def test_bad_absence_input_is_shown_by_the_field_and_changes_nothing(
    client, db, fields, field, message
):
    csrf = await _as(client, "guardian.hansen")
    data = {k: v for k, v in fields.items() if k != "pupil"}
    if fields.get("pupil"):
        data[f"pupil_{OLA}"] = "on"
    r = await post(client, "/web/absence", csrf_token=csrf, **data)
    assert r.status_code in (409, 422), r.text
    error = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', r.text)
    assert error, f"no message by {field}"
    assert message in error.group(1).replace("&lt;", "<"), error.group(1)
    assert re.search(rf'aria-describedby="[^"]*{field}-error', r.text)
    assert await _reports(db) == 0
    # What was typed is still there.
    if data.get("first_day"):
        assert f'value="{data["first_day"]}"' in r.text
    if data.get(f"pupil_{OLA}"):
        assert re.search(rf'name="pupil_{OLA}" value="on" checked', r.text)


async def test_a_read_only_guardian_sees_reports_but_cannot_report(client, db):
    csrf = await _as(client, "guardian.hansen")
    await post(
        client, "/web/absence", csrf_token=csrf, reason="sick", first_day=TUE, **{f"pupil_{KARI}": "on"}
    )
    csrf = await _as(client, "guardian.readonly")
    page = await client.get("/web/absence")
    assert page.status_code == 200
    assert "Du kan se fraværet, men ikke melde det." in page.text
    assert f'name="pupil_{KARI}"' not in page.text and 'class="absence-report"' in page.text
    r = await post(
        client, "/web/absence", csrf_token=csrf, reason="sick", first_day=WED, **{f"pupil_{KARI}": "on"}
    )
    assert r.status_code == 403
    report_id = await db.fetchval("SELECT id FROM absence_reports")
    r = await post(client, f"/web/absence/{KARI}/reports/{report_id}/withdraw", csrf_token=csrf)
    assert r.status_code == 403
    assert await _reports(db, KARI) == 1


async def test_withdrawing_after_the_deadline_is_refused(client, db, clock):
    csrf = await _as(client, "guardian.hansen")
    await post(
        client,
        "/web/absence",
        csrf_token=csrf,
        reason="sick",
        first_day=str(MONDAY),
        **{f"pupil_{OLA}": "on"},
    )
    report_id = await db.fetchval("SELECT id FROM absence_reports")
    page = await client.get("/web/absence")
    assert f"/web/absence/{OLA}/reports/{report_id}/withdraw" in page.text
    clock.set(oslo(MONDAY, 8, 31))
    page = await client.get("/web/absence")
    assert f"/reports/{report_id}/withdraw" not in page.text  # no button past the deadline
    r = await post(client, f"/web/absence/{OLA}/reports/{report_id}/withdraw", csrf_token=csrf)
    assert r.status_code == 409 and 'class="notice error"' in r.text
    assert await _reports(db) == 1


async def test_absence_forms_need_the_csrf_token_and_the_page_its_people(client, db):
    await _as(client, "guardian.hansen")
    r = await post(client, "/web/absence", reason="sick", first_day=TUE, **{f"pupil_{OLA}": "on"})
    assert r.status_code == 403
    r = await post(
        client, "/web/absence", csrf_token="forged", reason="sick", first_day=TUE, **{f"pupil_{OLA}": "on"}
    )
    assert r.status_code == 403
    assert await _reports(db) == 0
    for who in ("pupil.ola", "teacher.3a", "leader"):  # not for a child or a staff member
        await _as(client, who)
        assert (await client.get("/web/absence")).status_code == 404, who
    csrf = await _as(client, "foresatt.3a.02")  # another child's guardian
    r = await post(
        client, "/web/absence", csrf_token=csrf, reason="sick", first_day=TUE, **{f"pupil_{OLA}": "on"}
    )
    assert r.status_code == 404
    assert await _reports(db) == 0


# --- the missing-pupil case page -------------------------------------------------------


async def test_the_case_link_without_a_session_shows_nothing_and_returns_after_sign_in(
    client, tokens, db, clock
):
    case_id = await _open_ola(client, tokens, db, clock)
    client.cookies.clear()
    r = await client.get(f"/web/cases/{case_id}", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == f"/web/login?next=/web/cases/{case_id}"
    assert "Ola" not in r.text
    login = await client.get(r.headers["location"])
    assert "Etterlysning" not in login.text and "3A" not in login.text
    r = await client.post(
        "/web/login",
        follow_redirects=False,
        data={
            "csrf_token": csrf_of(login.text),
            "username": "guardian.hansen",
            "next": f"/web/cases/{case_id}",
        },
    )
    assert r.headers["location"] == f"/web/cases/{case_id}"


async def test_a_guardian_opens_the_case_is_reached_and_answers(client, tokens, db, clock):
    case_id = await _open_ola(client, tokens, db, clock)
    clock.set(oslo(MONDAY, 8, 43))
    await _as(client, "guardian.nilsen")
    page = await client.get(f"/web/cases/{case_id}")
    assert page.status_code == 200
    # Opening the link is opening the alert: Nilsen is reached, the ladder stops.
    assert await db.fetchval("SELECT reached_at FROM missing_cases WHERE id = $1::uuid", case_id) is not None
    assert (
        await db.fetchval(
            "SELECT read_at FROM notifications WHERE person_id = $1 AND kind = 'missing_pupil'",
            person("guardian.nilsen"),
        )
        is not None
    )
    assert 'id="call-list"' not in page.text and "+4740000001" not in page.text
    for outcome in ("sick_at_home", "on_the_way", "found_other"):
        assert f'value="{outcome}"' in page.text
    csrf = csrf_of(page.text)

    r = await post(client, f"/web/cases/{case_id}/answer", csrf_token=csrf, outcome="arrived")
    assert r.status_code == 422 and 'id="outcome-error"' in r.text and "Velg ett av svarene." in r.text
    r = await post(
        client, f"/web/cases/{case_id}/answer", csrf_token=csrf, outcome="sick_at_home", note="x" * 501
    )
    assert r.status_code == 422 and 'id="note-error"' in r.text and "x" * 501 in r.text
    r = await post(client, f"/web/cases/{case_id}/answer", outcome="sick_at_home")
    assert r.status_code == 403
    assert await db.fetchval("SELECT status FROM missing_cases WHERE id = $1::uuid", case_id) != "resolved"

    r = await post(
        client, f"/web/cases/{case_id}/answer", csrf_token=csrf, outcome="sick_at_home", note="Feber"
    )
    assert r.status_code == 303 and r.headers["location"] == f"/web/cases/{case_id}?done=answered"
    row = await db.fetchrow("SELECT status, outcome FROM missing_cases WHERE id = $1::uuid", case_id)
    assert (row["status"], row["outcome"]) == ("resolved", "sick_at_home")
    assert await _reports(db, OLA) == 1  # sick at home files the day's report
    page = await client.get(r.headers["location"])
    assert "Takk! Skolen har fått svaret ditt." in page.text and 'id="answer"' not in page.text
    r = await post(client, f"/web/cases/{case_id}/answer", csrf_token=csrf, outcome="on_the_way")
    assert r.status_code == 409


async def test_staff_see_contacts_and_the_call_list_on_the_case_page(client, tokens, db, clock):
    case_id = await _open_ola(client, tokens, db, clock)
    await _as(client, "teacher.3a")
    page = await client.get(f"/web/cases/{case_id}")
    assert page.status_code == 200
    assert 'id="call-list"' in page.text and 'href="tel:+4740000001"' in page.text
    assert 'id="answer"' not in page.text
    assert await db.fetchval("SELECT reached_at FROM missing_cases WHERE id = $1::uuid", case_id) is None
    assert await db.fetchval("SELECT count(*) FROM audit_log WHERE action = 'missing_cases.call_list'") >= 1


async def test_a_read_only_guardian_sees_the_case_but_cannot_answer(client, tokens, db, clock):
    from tests.support.demo import CLASS_9B

    case_id = await _open_ola(client, tokens, db, clock, pupil=KARI, class_id=CLASS_9B, teacher="teacher.9b")
    # Grade 9 is sought at the first recess; then her guardians see the case.
    clock.set(oslo(MONDAY, 10, 0))
    await run_job(client, tokens, "missing-pupil-sweep")
    assert await db.fetchval("SELECT sought_at FROM missing_cases WHERE id = $1::uuid", case_id) is not None
    csrf = await _as(client, "guardian.readonly")
    page = await client.get(f"/web/cases/{case_id}")
    assert page.status_code == 200
    assert 'id="answer"' not in page.text and "bare lesetilgang" in page.text
    r = await post(client, f"/web/cases/{case_id}/answer", csrf_token=csrf, outcome="sick_at_home")
    assert r.status_code == 403
    assert await db.fetchval("SELECT status FROM missing_cases WHERE id = $1::uuid", case_id) != "resolved"


# --- messaging and the inbox ------------------------------------------------------------


async def test_a_guardian_writes_to_the_contact_teacher_who_answers(client, db):
    csrf = await _as(client, "guardian.hansen")
    page = await client.get(f"/web/threads?pupil={OLA}")
    assert page.status_code == 200
    assert 'name="to_contact_teacher" value="on" checked' in page.text
    r = await post(
        client,
        "/web/threads",
        csrf_token=csrf,
        pupil_id=str(OLA),
        to_contact_teacher="on",
        subject="Gymtøy",
        body="Ola har glemt <gymtøyet> i dag.",
    )
    assert r.status_code == 303, r.text
    thread_id = r.headers["location"].split("/web/threads/")[1].split("?")[0]
    page = await client.get(r.headers["location"])
    assert "Meldingen er sendt." in page.text and "Ola har glemt &lt;gymtøyet&gt; i dag." in page.text

    csrf = await _as(client, "teacher.3a")
    inbox = await client.get("/web/inbox")
    assert "Kari Nordmann Hansen" in inbox.text
    nid = re.search(r'action="/web/inbox/([0-9a-f-]+)/open"', inbox.text).group(1)
    r = await post(client, f"/web/inbox/{nid}/open", csrf_token=csrf)
    assert r.status_code == 303 and r.headers["location"] == f"/web/threads/{thread_id}"
    threads = await client.get("/web/threads")
    assert "Gymtøy" in threads.text
    r = await post(client, f"/web/threads/{thread_id}/messages", csrf_token=csrf, body="  ")
    assert r.status_code == 422 and 'id="body-error"' in r.text
    r = await post(
        client, f"/web/threads/{thread_id}/messages", csrf_token=csrf, body="Takk, jeg ordner det."
    )
    assert r.status_code == 303
    assert await db.fetchval("SELECT count(*) FROM messages") == 2

    await _as(client, "guardian.hansen")
    assert "Du har 1 ulest melding" in (await client.get("/web/")).text
    page = await client.get(f"/web/threads/{thread_id}")
    assert "Takk, jeg ordner det." in page.text
    assert "ulest melding" not in (await client.get("/web/")).text  # read by opening it

    # Nobody else reads or writes in it.
    for outsider in ("guardian.nilsen", "teacher.9b", "pupil.ola", "guardian.readonly"):
        csrf = await _as(client, outsider)
        assert (await client.get(f"/web/threads/{thread_id}")).status_code == 404, outsider
        r = await post(client, f"/web/threads/{thread_id}/messages", csrf_token=csrf, body="Hei")
        assert r.status_code == 404, outsider
    assert await db.fetchval("SELECT count(*) FROM messages") == 2


async def test_bad_thread_input_is_shown_by_the_field_and_changes_nothing(client, db):
    csrf = await _as(client, "guardian.hansen")
    base = {"csrf_token": csrf, "pupil_id": str(OLA)}
    r = await post(client, "/web/threads", **base, subject="Hei", body="Hei")
    assert r.status_code == 422 and 'id="recipients-error"' in r.text
    r = await post(client, "/web/threads", **base, to_contact_teacher="on", subject="", body="Hei")
    assert r.status_code == 422 and 'id="subject-error"' in r.text and ">Hei</textarea>" in r.text
    r = await post(client, "/web/threads", **base, to_contact_teacher="on", subject="x" * 201, body="Hei")
    assert r.status_code == 422 and 'id="subject-error"' in r.text
    r = await post(client, "/web/threads", **base, to_guardians="on", subject="Hei", body="Hei")
    assert r.status_code == 422 and 'id="recipients-error"' in r.text
    r = await post(client, "/web/threads", **base, to_contact_teacher="on", subject="Hei", body="")
    assert r.status_code == 422 and 'id="body-error"' in r.text
    r = await post(
        client, "/web/threads", pupil_id=str(OLA), to_contact_teacher="on", subject="Hei", body="Hei"
    )
    assert r.status_code == 403
    assert await db.fetchval("SELECT count(*) FROM message_threads") == 0
    # A pupil not theirs: 404, as in the API.
    assert (await client.get(f"/web/threads?pupil={uuid.uuid4()}")).status_code == 404
    assert (await client.get(f"/web/threads?pupil={KARI}x")).status_code == 404


async def test_opening_a_missing_pupil_alert_in_the_inbox_reaches_and_leads_to_the_case(
    client, tokens, db, clock
):
    case_id = await _open_ola(client, tokens, db, clock)
    csrf = await _as(client, "guardian.hansen")
    inbox = await client.get("/web/inbox")
    assert inbox.status_code == 200 and "urgent" in inbox.text
    nid = await db.fetchval(
        "SELECT id FROM notifications WHERE person_id = $1 AND kind = 'missing_pupil'",
        person("guardian.hansen"),
    )
    r = await post(client, f"/web/inbox/{nid}/open", csrf_token=csrf)
    assert r.status_code == 303 and r.headers["location"] == f"/web/cases/{case_id}"
    assert await db.fetchval("SELECT reached_at FROM missing_cases") is not None
    r = await post(client, f"/web/inbox/{nid}/open")
    assert r.status_code == 403
    # Someone else's item: 404.
    csrf = await _as(client, "guardian.nilsen")
    assert (await post(client, f"/web/inbox/{nid}/open", csrf_token=csrf)).status_code == 404


async def test_a_pupil_of_18_reports_their_own_absence(client, db):
    await db.execute("UPDATE people SET birth_date = '2008-01-01' WHERE id = $1", KARI)
    csrf = await _as(client, "pupil.kari")
    home = await client.get("/web/")
    assert "/web/absence" in _nav(home.text) and "I dag" in home.text
    page = await client.get("/web/absence")
    assert page.status_code == 200
    # The only one to report for, so already chosen.
    assert re.search(rf'name="pupil_{KARI}" value="on" checked', page.text)
    r = await post(
        client, "/web/absence", csrf_token=csrf, reason="doctor", first_day=TUE, **{f"pupil_{KARI}": "on"}
    )
    assert r.status_code == 303
    assert await db.fetchval("SELECT submitted_by FROM absence_reports WHERE pupil_id = $1", KARI) == KARI
    # A guardian no longer acts for an adult: read only.
    await _as(client, "guardian.hansen")
    page = await client.get("/web/absence")
    assert f'name="pupil_{KARI}"' not in page.text and f'name="pupil_{OLA}"' in page.text
