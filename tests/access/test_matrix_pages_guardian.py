"""Authorization matrix for the guardian's portal pages × every kind of outsider (api.md:
a page about something the user may not see is 404, as in the API): the missing-pupil
case page and its answer, a thread and its answer, reporting and withdrawing absence.
Every outsider signs in to the portal (a session and a valid CSRF token: refused for
who they are, not for the form) and changes nothing."""

from __future__ import annotations

import pytest

from tests.support.demo import CLASS_3A, OLA
from tests.support.routine import MONDAY, oslo, pupil_row, roll_call
from tests.support.web_portal import csrf_of, post

# These tests move the clock past a token's lifetime: a new token per call.
pytestmark = pytest.mark.fresh_tokens

OUTSIDERS = [
    "foresatt.3a.02",  # guardian of a classmate
    "guardian.other",  # guardian at another school
    "guardian.blocked",  # a guardian relation with access none
    "guardian.readonly",  # read-only guardian of another child
    "teacher.9b",  # teacher of another class
    "teacher.math9b",  # subject teacher of another class
    "teacher.other",  # teacher at another school
    "leader.other",  # leader of another school
    "pupil.kari",  # another pupil
    "pupil.other",  # a pupil at another school
]
# Not a participant of the thread, though they may see Ola: the thread is still 404.
THREAD_ONLY = ["guardian.nilsen", "leader", "pupil.ola"]
# Pupils do not see missing-pupil cases, their own neither.
CASE_ONLY = ["pupil.ola"]


@pytest.fixture
async def scene(client, tokens, db, clock):
    """Ola's open case, Hansen's thread to the contact teacher, Hansen's report for Tuesday."""
    clock.set(oslo(MONDAY, 8, 40))
    r = await roll_call(client, await tokens.headers("teacher.3a"), db, CLASS_3A, MONDAY, {OLA})
    case_id = pupil_row(r.json(), OLA)["missing_case_id"]
    hansen = await tokens.headers("guardian.hansen")
    r = await client.post(
        "/api/v1/threads",
        headers=hansen,
        json={
            "pupil_id": str(OLA),
            "recipients": [{"kind": "contact_teacher"}],
            "subject": "Gym",
            "body": "Hei",
        },
    )
    assert r.status_code == 201, r.text
    thread_id = r.json()["id"]
    r = await client.post(
        f"/api/v1/pupils/{OLA}/absence-reports",
        headers=hansen,
        json={"first_day": "2026-11-24", "reason": "sick", "note": "Feber"},
    )
    assert r.status_code == 201, r.text
    return {"case_id": case_id, "thread_id": thread_id, "report_id": r.json()["id"]}


def _requests(s):
    return {
        "case page": ("GET", f"/web/cases/{s['case_id']}", None),
        "case answer": ("POST", f"/web/cases/{s['case_id']}/answer", {"outcome": "sick_at_home"}),
        "thread page": ("GET", f"/web/threads/{s['thread_id']}", None),
        "thread answer": ("POST", f"/web/threads/{s['thread_id']}/messages", {"body": "Hei"}),
        "new thread form": ("GET", f"/web/threads?pupil={OLA}", None),
        "new thread": (
            "POST",
            "/web/threads",
            {"pupil_id": str(OLA), "to_contact_teacher": "on", "subject": "Hei", "body": "Hei"},
        ),
        "report absence": (
            "POST",
            "/web/absence",
            {f"pupil_{OLA}": "on", "reason": "sick", "first_day": "2026-11-25"},
        ),
        "withdraw absence": ("POST", f"/web/absence/{OLA}/reports/{s['report_id']}/withdraw", {}),
    }


async def _sign_in(client, username: str) -> str:
    client.cookies.clear()
    page = await client.get("/web/login")
    r = await client.post(
        "/web/login",
        follow_redirects=False,
        data={"csrf_token": csrf_of(page.text), "username": username, "next": "/web/inbox"},
    )
    assert r.status_code == 303, r.text
    return csrf_of((await client.get("/web/inbox")).text)


async def _state(db):
    return (
        await db.fetchval("SELECT count(*) FROM absence_reports"),
        await db.fetchval("SELECT count(*) FROM messages"),
        await db.fetchval("SELECT count(*) FROM message_threads"),
        await db.fetchval("SELECT status FROM missing_cases"),
        await db.fetchval("SELECT reached_at FROM missing_cases"),
        await db.fetchval("SELECT count(*) FROM notifications WHERE read_at IS NOT NULL"),
    )


async def _check(client, db, scene, who, names):
    before = await _state(db)
    csrf = await _sign_in(client, who)
    got = {}
    for name, (method, url, data) in _requests(scene).items():
        if name not in names:
            continue
        if method == "GET":
            r = await client.get(url, follow_redirects=False)
        else:
            r = await post(client, url, csrf_token=csrf, **data)
        got[name] = r.status_code
        assert "Feber" not in r.text and "+4740000001" not in r.text
    assert got == {name: 404 for name in got}, who
    assert await _state(db) == before


@pytest.mark.parametrize("outsider", OUTSIDERS)
async def test_outsiders_get_404_on_every_page_and_change_nothing(client, db, scene, outsider):
    await _check(client, db, scene, outsider, set(_requests(scene)))


@pytest.mark.parametrize("who", THREAD_ONLY)
async def test_who_is_not_in_the_thread_gets_404(client, db, scene, who):
    await _check(client, db, scene, who, {"thread page", "thread answer"})


@pytest.mark.parametrize("who", CASE_ONLY)
async def test_the_pupil_does_not_see_the_case(client, db, scene, who):
    await _check(client, db, scene, who, {"case page", "case answer"})


async def test_the_rightful_users_get_the_pages(client, db, scene):
    """The control row: the same requests succeed for the people they are for."""
    csrf = await _sign_in(client, "guardian.hansen")
    for name in ("case page", "thread page", "new thread form"):
        _method, url, _ = _requests(scene)[name]
        assert (await client.get(url)).status_code == 200, name
    r = await post(client, "/web/absence", csrf_token=csrf, **_requests(scene)["report absence"][2])
    assert r.status_code == 303
    r = await post(client, _requests(scene)["withdraw absence"][1], csrf_token=csrf)
    assert r.status_code == 303
    csrf = await _sign_in(client, "teacher.3a")
    assert (await client.get(_requests(scene)["thread page"][1])).status_code == 200
    assert (await client.get(_requests(scene)["case page"][1])).status_code == 200
