"""Authorization matrix for the morning overview's pages × every kind of outsider.

``/web/morning`` (and its table and event stream) exist only for someone who answers
for a class: the class team and the school's leaders. Anyone else gets 404, as for a
page about something they may not see, and nothing is read or audited. Staff of
another class or school get their own overview, which never names Ola (3A) nor shows
his class. The class's board page is 404 for every outsider, a made-up class too.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from tests.support.demo import CLASS_3A, OLA, person
from tests.support.routine import MONDAY, oslo, roll_call, run_job
from tests.support.web_portal import web_login

pytestmark = pytest.mark.fresh_tokens

MORNING_PAGES = ("/web/morning", "/web/morning/table", "/web/morning/events")

# Who answers for no class at all: the overview does not exist for them.
NO_CLASS = {
    "guardian of Ola": "guardian.hansen",
    "guardian of a classmate": "foresatt.3a.02",
    "guardian at another school": "guardian.other",
    "blocked guardian": "guardian.blocked",
    "read-only guardian": "guardian.readonly",
    "the pupil himself": "pupil.ola",
    "another pupil": "pupil.kari",
    "pupil at another school": "pupil.other",
    "subject teacher": "teacher.math9b",
}
# Staff with classes of their own, none of them Ola's.
OTHER_STAFF = {
    "teacher of another class": "teacher.9b",
    "teacher at another school": "teacher.other",
    "leader of another school": "leader.other",
}


@pytest.fixture
async def case_id(client: Any, tokens: Any, db: Any, clock: Any) -> str:
    """Ola (3A) marked absent with no report, sought and escalated."""
    clock.set(oslo(MONDAY, 9, 45))
    r = await roll_call(client, await tokens.headers("teacher.3a"), db, CLASS_3A, MONDAY, {OLA})
    assert r.status_code == 200, r.text
    clock.set(oslo(MONDAY, 9, 46))
    await run_job(client, tokens, "missing-pupil-sweep")
    clock.set(oslo(MONDAY, 10, 31))
    await run_job(client, tokens, "missing-pupil-sweep")
    return str(await db.fetchval("SELECT id FROM missing_cases WHERE pupil_id = $1", OLA))


def _audited(db: Any) -> Any:
    return db.fetchval("SELECT count(*) FROM audit_log")


@pytest.mark.parametrize("username", NO_CLASS.values(), ids=list(NO_CLASS))
async def test_no_overview_for_who_answers_for_no_class(client, db, case_id, username):
    await web_login(client, username)
    audited = await _audited(db)
    for path in MORNING_PAGES:
        r = await client.get(path)
        assert r.status_code == 404, (username, path)
        assert "Ola" not in r.text and case_id not in r.text
    assert await _audited(db) == audited
    home = (await client.get("/web/")).text
    assert 'href="/web/morning"' not in home
    # Ola's own guardians are asked to answer the case on their home page (and only
    # they, of everyone here).
    assert (case_id in home) == (username == "guardian.hansen"), username


@pytest.mark.parametrize("username", OTHER_STAFF.values(), ids=list(OTHER_STAFF))
async def test_other_staff_see_their_own_classes_only(client, db, case_id, username):
    await web_login(client, username)
    for path in ("/web/morning", "/web/morning/table", "/web/"):
        r = await client.get(path)
        assert r.status_code == 200, (username, path)
        assert "Ola Hansen" not in r.text and case_id not in r.text
        assert f'id="class-{CLASS_3A}"' not in r.text
    assert not await db.fetchval(
        "SELECT count(*) FROM audit_log WHERE actor_id = $1 AND pupil_id = $2", person(username), OLA
    )


@pytest.mark.parametrize("username", [*NO_CLASS.values(), *OTHER_STAFF.values()])
async def test_board_page_of_the_class_is_404(client, case_id, username):
    await web_login(client, username)
    for class_id in (CLASS_3A, uuid.uuid4()):
        r = await client.get(f"/web/classes/{class_id}/attendance")
        assert r.status_code == 404, (username, class_id)
        assert case_id not in r.text


async def test_without_a_session_the_pages_send_to_sign_in(client):
    for path in MORNING_PAGES:
        r = await client.get(path, follow_redirects=False)
        assert r.status_code in (302, 303), path
        assert re.match(r"^/web/login", r.headers["location"]), path


async def test_the_rightful_users(client, case_id):
    for username in ("leader", "teacher.3a"):
        client.cookies.clear()
        await web_login(client, username)
        page = await client.get("/web/morning")
        assert page.status_code == 200 and case_id in page.text, username
