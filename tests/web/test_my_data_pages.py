"""/web/my-data: the export, for every role, through the portal (no JavaScript)."""

from __future__ import annotations

import json

import pytest

from tests.support.demo import KARI, OLA
from tests.support.web_portal import csrf_of, post, web_login


@pytest.mark.parametrize("username", ["guardian.hansen", "pupil.kari", "teacher.math9b", "leader"])
async def test_every_role_downloads_their_data(client, username):
    await web_login(client, username)
    page = await client.get("/web/my-data")
    assert page.status_code == 200
    assert 'action="/web/my-data/export"' in page.text and "<h1>" in page.text
    r = await post(client, "/web/my-data/export", csrf_token=csrf_of(page.text))
    assert r.status_code == 200, r.text
    assert r.headers["content-disposition"].startswith("attachment")
    doc = json.loads(r.content)
    assert doc["format"] == "skolebro.export/1"
    if username == "guardian.hansen":
        assert {p["pupil_id"] for p in doc["pupils"]} == {str(OLA), str(KARI)}


async def test_second_download_within_ten_minutes_says_so_by_the_button(client, db):
    csrf = await web_login(client, "guardian.hansen")
    assert (await post(client, "/web/my-data/export", csrf_token=csrf)).status_code == 200
    r = await post(client, "/web/my-data/export", csrf_token=csrf)
    assert r.status_code == 429 and r.headers["retry-after"]
    assert 'role="alert"' in r.text and 'aria-describedby="my-data-error"' in r.text
    assert await db.fetchval("SELECT count(*) FROM data_exports") == 1


async def test_without_csrf_or_session(client, db):
    r = await client.get("/web/my-data", follow_redirects=False)
    assert r.status_code in (302, 303) and "/web/login" in r.headers["location"]
    await web_login(client, "guardian.hansen")
    r = await post(client, "/web/my-data/export")
    assert r.status_code == 403
    assert await db.fetchval("SELECT count(*) FROM data_exports") == 0
    r = await client.get("/web/my-data?lang=en")
    assert "Download my data" in r.text
