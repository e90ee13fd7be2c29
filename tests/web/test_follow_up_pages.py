"""The follow-up pages (contact teacher, leaders) and the school owner's statistics page:
server-rendered, working without JavaScript, the same services and access as the API."""

from __future__ import annotations

import pytest

from backend.roster.demo import demo_id
from tests.support.demo import OLA
from tests.support.follow_ups import EVENING, MONDAYS, past_report, run_follow_up_job
from tests.support.web_portal import csrf_of, post, web_login

pytestmark = pytest.mark.fresh_tokens

DISTRICT = demo_id("district:sunnfjord")


async def _opened(client, tokens, db, clock):
    for day in MONDAYS:
        await past_report(db, OLA, day)
    clock.set(EVENING)
    await run_follow_up_job(client, tokens)
    return await db.fetchval("SELECT id FROM follow_ups WHERE pupil_id = $1", OLA)


async def test_the_contact_teacher_logs_an_action_and_closes(client, tokens, db, clock):
    fid = await _opened(client, tokens, db, clock)
    await web_login(client, "teacher.3a")
    listing = await client.get("/web/follow-ups")
    assert listing.status_code == 200, listing.text
    assert f'href="/web/follow-ups/{fid}"' in listing.text and "Ola Hansen" in listing.text

    page = await client.get(f"/web/follow-ups/{fid}")
    assert page.status_code == 200
    assert 'id="rule-same_weekday"' in page.text and 'datetime="2026-10-26"' in page.text
    csrf = csrf_of(page.text)

    # Closing without an action: the page says why, nothing changes.
    r = await post(client, f"/web/follow-ups/{fid}/close", csrf_token=csrf)
    assert r.status_code == 409
    assert "Ingen tiltak er logget" in r.text
    assert await db.fetchval("SELECT status FROM follow_ups WHERE id = $1", fid) == "open"

    # A bad date: shown by the field, what was typed kept, nothing logged.
    r = await post(client, f"/web/follow-ups/{fid}/actions", csrf_token=csrf, kind="meeting", on="2026-13-40")
    assert r.status_code == 422
    assert 'aria-invalid="true" aria-describedby="on-error"' in r.text and 'value="2026-13-40"' in r.text
    assert '<option value="meeting" selected>' in r.text
    r = await post(client, f"/web/follow-ups/{fid}/actions", csrf_token=csrf, kind="meeting", on="2026-12-24")
    assert r.status_code == 422 and 'id="on-error"' in r.text
    r = await post(client, f"/web/follow-ups/{fid}/actions", csrf_token=csrf, kind="gossip", on="2026-11-23")
    assert r.status_code == 422 and 'id="kind-error"' in r.text
    assert await db.fetchval("SELECT count(*) FROM follow_up_actions") == 0

    # Without the CSRF token: refused.
    r = await post(client, f"/web/follow-ups/{fid}/actions", kind="meeting", on="2026-11-23")
    assert r.status_code == 403

    r = await post(
        client, f"/web/follow-ups/{fid}/actions", csrf_token=csrf, kind="talk_with_pupil", on="2026-11-23"
    )
    assert r.status_code == 303 and r.headers["location"] == f"/web/follow-ups/{fid}?done=action_logged"
    page = await client.get(r.headers["location"])
    assert "Samtale med eleven" in page.text and "Tiltaket er logget." in page.text

    r = await post(client, f"/web/follow-ups/{fid}/close", csrf_token=csrf)
    assert r.status_code == 303
    assert await db.fetchval("SELECT status FROM follow_ups WHERE id = $1", fid) == "closed"
    closed = await client.get("/web/follow-ups?status=closed")
    assert f"/web/follow-ups/{fid}" in closed.text
    assert f"/web/follow-ups/{fid}" not in (await client.get("/web/follow-ups")).text


@pytest.mark.parametrize(
    "who", ["teacher.9b", "team.3a", "guardian.hansen", "pupil.ola", "leader.other", "owner"]
)
async def test_the_follow_up_page_is_404_for_anyone_else(client, tokens, db, clock, who):
    fid = await _opened(client, tokens, db, clock)
    await web_login(client, who)
    assert (await client.get(f"/web/follow-ups/{fid}")).status_code == 404
    listing = await client.get("/web/follow-ups")
    assert listing.status_code == 200 and str(fid) not in listing.text


async def test_the_owner_reads_the_statistics_page_and_its_csv(client, tokens, db, clock):
    await _opened(client, tokens, db, clock)
    await web_login(client, "owner")
    page = await client.get(f"/web/owners/{DISTRICT}/statistics?month=2026-11&lang=en")
    assert page.status_code == 200, page.text
    assert "Sunnfjord kommune" in page.text and "Vassenden skule" in page.text
    assert "Ola" not in page.text
    csv = await client.get(f"/web/owners/{DISTRICT}/statistics.csv?month=2026-11")
    assert csv.status_code == 200 and csv.text.startswith("school_id,school_name,grade,month")

    bad = await client.get(f"/web/owners/{DISTRICT}/statistics?month=2026-13")
    assert bad.status_code == 422
    assert 'aria-describedby="month-error"' in bad.text and 'value="2026-13"' in bad.text


@pytest.mark.parametrize("who", ["leader", "teacher.3a", "guardian.hansen"])
async def test_the_statistics_page_is_404_for_others(client, who):
    await web_login(client, who)
    assert (await client.get(f"/web/owners/{DISTRICT}/statistics")).status_code == 404
    assert (await client.get(f"/web/owners/{DISTRICT}/statistics.csv")).status_code == 404


async def test_the_pupil_page_shows_the_follow_ups_to_who_answers_for_them_only(client, tokens, db, clock):
    for day in MONDAYS:
        await past_report(db, OLA, day)
    clock.set(EVENING)
    assert (await run_follow_up_job(client, tokens))["opened"] == 1
    follow_up = await db.fetchval("SELECT id FROM follow_ups WHERE pupil_id = $1", OLA)
    for username in ("teacher.3a", "leader"):
        client.cookies.clear()
        await web_login(client, username)
        page = await client.get(f"/web/pupils/{OLA}")
        assert page.status_code == 200 and f'href="/web/follow-ups/{follow_up}"' in page.text, username
    # The guardian sees the pupil page, but no follow-up section.
    client.cookies.clear()
    await web_login(client, "guardian.hansen")
    page = await client.get(f"/web/pupils/{OLA}")
    assert page.status_code == 200 and "pupil-follow-ups-heading" not in page.text
