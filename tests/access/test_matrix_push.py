"""Authorization matrix for Web Push subscriptions: a browser device belongs to its person only.

Every other user gets 404 for removing it, through the portal and through the API,
never sees it on their settings page, and nothing changes."""

from __future__ import annotations

import uuid

import pytest

from tests.support.demo import person
from tests.support.push import add_browser
from tests.support.web_portal import post, web_login

HANSEN = person("guardian.hansen")
OUTSIDERS = [
    "guardian.nilsen",
    "guardian.blocked",
    "guardian.readonly",
    "guardian.other",
    "teacher.3a",
    "teacher.other",
    "leader",
    "leader.other",
    "pupil.ola",
    "pupil.other",
]


@pytest.fixture
async def browser(db, web_push_service):
    sub = web_push_service.subscribe().as_json()
    await add_browser(db, HANSEN, sub)
    return await db.fetchval("SELECT id FROM devices WHERE token = $1", sub["endpoint"])


@pytest.mark.parametrize("outsider", OUTSIDERS)
async def test_someone_elses_browser_is_404_everywhere(client, tokens, db, browser: uuid.UUID, outsider):
    r = await client.delete(f"/api/v1/me/devices/{browser}", headers=await tokens.headers(outsider))
    assert r.status_code == 404, r.text
    csrf = await web_login(client, outsider)
    page = await client.get("/web/settings/notifications")
    assert page.status_code == 200 and str(browser) not in page.text
    r = await post(client, f"/web/settings/notifications/browsers/{browser}/delete", csrf_token=csrf)
    assert r.status_code == 404
    assert await db.fetchval("SELECT person_id FROM devices WHERE id = $1", browser) == HANSEN


async def test_the_owner_sees_and_removes_it(client, db, browser):
    csrf = await web_login(client, "guardian.hansen")
    page = await client.get("/web/settings/notifications")
    assert f'id="browser-{browser}"' in page.text
    r = await post(client, f"/web/settings/notifications/browsers/{browser}/delete", csrf_token=csrf)
    assert r.status_code == 303
    assert await db.fetchval("SELECT count(*) FROM devices WHERE id = $1", browser) == 0
