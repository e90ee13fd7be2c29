"""Authorization matrix for the leader's desk in the portal: every page and form ×
every kind of outsider → 404 (as if it did not exist), and nothing changes. The
rightful user's row proves each request is right, so a 404 means "refused"."""

from __future__ import annotations

import pytest

from tests.support.demo import CLASS_3A, OLA, SCHOOL, person
from tests.support.web_portal import post, web_login

NILSEN = person("guardian.nilsen")

# Who may not see Ola (pupil page and its forms).
PUPIL_OUTSIDERS = [
    "foresatt.3a.02",  # guardian of a classmate
    "guardian.other",  # guardian at another school
    "guardian.blocked",  # guardian whose access the school blocked
    "teacher.9b",  # teacher of another class
    "teacher.math9b",  # subject teacher of another class
    "teacher.other",
    "leader.other",  # leader of another school
    "pupil.kari",  # another pupil
    "pupil.other",
]
# Who may not use the school's desk: everyone but its leaders.
SCHOOL_OUTSIDERS = [
    "teacher.3a",  # staff of the school, not a leader
    "teacher.9b",
    "guardian.hansen",
    "guardian.blocked",
    "pupil.ola",
    "leader.other",
    "teacher.other",
    "guardian.other",
    "pupil.other",
]
# The class team's reachability page: not other classes' teachers, guardians, pupils, other schools.
CLASS_OUTSIDERS = [
    "teacher.9b",
    "teacher.math9b",
    "guardian.hansen",
    "pupil.ola",
    "leader.other",
    "teacher.other",
]

PUPIL_PAGES = [
    ("GET", f"/web/pupils/{OLA}", None),
    ("POST", f"/web/pupils/{OLA}/guardians/{NILSEN}", {"access": "none", "reason": "Besøksforbud"}),
    ("POST", f"/web/pupils/{OLA}/guardians/{NILSEN}/lift", {}),
]
SETTINGS_FORM = {
    "timezone": "Europe/Oslo",
    "report_deadline": "08:00",
    "check_reminder_at": "09:00",
    "first_lesson_start": "08:30",
    "first_lesson_end": "09:15",
    "first_recess_start": "10:00",
    "seek_1_7": "first_lesson",
    "seek_8_10": "first_recess",
    "seek_11_13": "first_recess",
    "escalate_after_minutes": "40",
    "leave_teacher_max_days": "2",
    "still_sick_at": "07:30",
    "note_retention_days": "30",
    "office_phone": "+4757000001",
    "sms_after_minutes": "5",
    "call_after_minutes": "10",
    "roster_sync_at": "05:00",
    "feide_realm": "vassenden.no",
    "follow_up_days_share_percent": "10",
    "follow_up_window_days": "28",
    "follow_up_spells": "3",
    "follow_up_same_weekday": "3",
    "follow_up_same_weekday_window_days": "42",
    "follow_up_unexplained_per_term": "3",
    "absence_limit_percent": "10",
    "absence_warning_percent": "8",
    "absence_annual_hours": "",
}
ICS = (
    "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261221\nSUMMARY:Juleferie\n"
    "END:VEVENT\nEND:VCALENDAR\n"
)
SCHOOL_PAGES = [
    ("GET", f"/web/schools/{SCHOOL}/settings", None),
    ("POST", f"/web/schools/{SCHOOL}/settings", SETTINGS_FORM),
    ("GET", f"/web/schools/{SCHOOL}/calendar", None),
    (
        "POST",
        f"/web/schools/{SCHOOL}/calendar/days",
        {"first_day": "2026-12-04", "last_day": "", "label": "Fri"},
    ),
    ("POST", f"/web/schools/{SCHOOL}/calendar/days/2026-12-07/remove", {}),
    ("POST", f"/web/schools/{SCHOOL}/calendar/import", {"calendar": ICS}),
    ("POST", f"/web/schools/{SCHOOL}/calendar/import/confirm", {"calendar": ICS}),
    ("GET", f"/web/schools/{SCHOOL}/reachability", None),
    ("POST", f"/web/schools/{SCHOOL}/test-alerts", {}),
    ("GET", f"/web/schools/{SCHOOL}/audit-log", None),
    ("GET", f"/web/schools/{SCHOOL}/audit-log?from=2026-11-23&what=guardians.read", None),
    ("GET", f"/web/schools/{SCHOOL}/roster", None),
]
CLASS_PAGES = [("GET", f"/web/classes/{CLASS_3A}/reachability", None)]


async def _state(db) -> dict[str, object]:
    return {
        "changes": await db.fetchval("SELECT count(*) FROM guardian_access_changes"),
        "closed": await db.fetchval("SELECT count(*) FROM closed_days WHERE school_id = $1", SCHOOL),
        "alerts": await db.fetchval("SELECT count(*) FROM test_alerts"),
        "settings": dict(await db.fetchrow("SELECT * FROM schools WHERE id = $1", SCHOOL)),
        "audit": await db.fetchval("SELECT count(*) FROM audit_log"),
    }


async def _answers(client, csrf, pages) -> dict[str, int]:
    got = {}
    for method, url, form in pages:
        if method == "GET":
            r = await client.get(url, follow_redirects=False)
        else:
            r = await post(client, url, csrf_token=csrf, **form)
        got[f"{method} {url}"] = r.status_code
        assert "Besøksforbud" not in r.text and "+4740000002" not in r.text
    return got


async def _arrange(db):
    # Something to lift and remove, so a refusal is not "nothing there".
    await db.execute(
        "INSERT INTO closed_days (school_id, day, label) VALUES ($1, '2026-12-07', 'Planleggingsdag')", SCHOOL
    )


@pytest.mark.parametrize("outsider", PUPIL_OUTSIDERS)
async def test_pupil_pages_are_404_for_outsiders(client, db, outsider):
    await _arrange(db)
    before = await _state(db)
    csrf = await web_login(client, outsider)
    got = await _answers(client, csrf, PUPIL_PAGES)
    assert got == {k: 404 for k in got}
    assert await _state(db) == before


@pytest.mark.parametrize("outsider", SCHOOL_OUTSIDERS)
async def test_school_desk_pages_are_404_for_outsiders(client, db, outsider):
    await _arrange(db)
    before = await _state(db)
    csrf = await web_login(client, outsider)
    got = await _answers(client, csrf, SCHOOL_PAGES)
    assert got == {k: 404 for k in got}
    assert await _state(db) == before


@pytest.mark.parametrize("outsider", CLASS_OUTSIDERS)
async def test_the_class_reachability_page_is_404_for_outsiders(client, db, outsider):
    csrf = await web_login(client, outsider)
    got = await _answers(client, csrf, CLASS_PAGES)
    assert got == {k: 404 for k in got}


async def test_the_schools_leader_may(client, db):
    await _arrange(db)
    csrf = await web_login(client, "leader")
    got = await _answers(client, csrf, [*PUPIL_PAGES[:2], *SCHOOL_PAGES, *CLASS_PAGES])
    ok = {"GET": 200, "POST": 303}
    expected = {k: ok[k.split()[0]] for k in got}
    expected[f"POST /web/schools/{SCHOOL}/calendar/import"] = 200  # the preview
    assert got == expected
    assert await db.fetchval("SELECT count(*) FROM guardian_access_changes") == 1
    assert await db.fetchval("SELECT count(*) FROM test_alerts") == 1
