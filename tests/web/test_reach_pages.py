"""The web board shows a missing-pupil case, who is reached and the call list; the
portal shows a class's reachability to its teachers."""

from __future__ import annotations

import pytest

from tests.support.demo import CLASS_3A, OLA, person
from tests.support.routine import MONDAY, oslo, pupil_row, roll_call, run_job
from tests.support.web_portal import csrf_of, post, web_login

# These tests move the clock past a token's lifetime: a new token per call.
pytestmark = pytest.mark.fresh_tokens


async def _open_ola(client, tokens, db, clock):
    clock.set(oslo(MONDAY, 8, 40))
    r = await roll_call(client, await tokens.headers("teacher.3a"), db, CLASS_3A, MONDAY, {OLA})
    return pupil_row(r.json(), OLA)["missing_case_id"]


async def test_the_case_page_shows_who_is_reached_and_the_call_list(client, tokens, db, clock):
    case_id = await _open_ola(client, tokens, db, clock)
    clock.set(oslo(MONDAY, 8, 51))
    await run_job(client, tokens, "missing-pupil-sweep")  # SMS, e-mail, then "call them"
    await web_login(client, "teacher.3a")
    board = await client.get(f"/web/classes/{CLASS_3A}/attendance?date={MONDAY}")
    assert f"/web/missing-cases/{case_id}" in board.text
    assert f"/web/classes/{CLASS_3A}/reachability" in board.text

    page = await client.get(f"/web/missing-cases/{case_id}")
    assert page.status_code == 200, page.text
    assert "Ingen foresatte er nådd ennå" in page.text
    assert 'id="call-now"' in page.text and 'class="highlight"' in page.text
    assert 'href="tel:+4740000001"' in page.text and "+4740000002" in page.text
    assert "+4740000004" not in page.text  # the blocked guardian is not on the list
    assert "SMS" in page.text and "e-post" in page.text

    r = await post(
        client,
        f"/web/missing-cases/{case_id}/contacts",
        csrf_token=csrf_of(page.text),
        guardian_id=str(person("guardian.nilsen")),
        outcome="reached",
    )
    assert r.status_code == 303
    page = await client.get(r.headers["location"])
    assert "En foresatt er nådd (kl. 08:51)" in page.text
    assert 'id="call-now"' not in page.text
    assert await db.fetchval("SELECT reached_at FROM missing_cases WHERE id = $1::uuid", case_id) is not None


async def test_the_case_page_has_no_call_list_for_a_guardian(client, tokens, db, clock):
    case_id = await _open_ola(client, tokens, db, clock)
    await web_login(client, "guardian.hansen")
    page = await client.get(f"/web/missing-cases/{case_id}")
    assert page.status_code == 200
    assert 'id="call-list"' not in page.text and "+4740000002" not in page.text
    r = await post(
        client,
        f"/web/missing-cases/{case_id}/contacts",
        csrf_token=csrf_of(page.text),
        guardian_id=str(person("guardian.nilsen")),
        outcome="reached",
    )
    assert r.status_code == 404
    assert await db.fetchval("SELECT count(*) FROM contact_attempts") == 0


async def test_the_class_reachability_page(client, tokens, db, clock):
    clock.set(oslo(MONDAY, 12, 0))
    await db.execute("UPDATE people SET mobile = NULL, email = NULL WHERE username = 'foresatt.3a.02'")
    await web_login(client, "teacher.3a")
    page = await client.get(f"/web/classes/{CLASS_3A}/reachability")
    assert page.status_code == 200, page.text
    assert "Hvem kan vi nå i 3A?" in page.text
    assert "1 elev(er) kan ikke nås." in page.text
    client.cookies.clear()  # another person at the same browser
    await web_login(client, "teacher.9b")
    assert (await client.get(f"/web/classes/{CLASS_3A}/reachability")).status_code == 404
