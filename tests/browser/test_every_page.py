"""axe-core over every page of api.md's page table, as each role that uses it sees it.

The flows' own browser tests check the pages in their states (forms with problems,
cases, threads); this one is the list: a page added to the table is added here.
Scripts run, as in the users' browsers (the overview's live updates, Web Push).
"""

from __future__ import annotations

import pytest

from backend.roster.demo import demo_id
from tests.support.browser import assert_accessible, new_page, sign_in
from tests.support.demo import CLASS_3A, KARI, OLA, SCHOOL

pytestmark = pytest.mark.browser

DISTRICT = demo_id("district:sunnfjord")
DESK = ("settings", "calendar", "reachability", "audit-log", "roster")
FAMILY = ["/web/", "/web/inbox", "/web/threads", "/web/settings/notifications", "/web/my-data"]
PAGES = {
    "guardian.hansen": [*FAMILY, "/web/absence", "/web/leave", f"/web/pupils/{OLA}"],
    "guardian.readonly": ["/web/", "/web/absence", f"/web/pupils/{KARI}"],
    "pupil.kari": [*FAMILY, f"/web/pupils/{KARI}"],
    "teacher.3a": [
        *FAMILY,
        "/web/morning",
        "/web/leave",
        "/web/follow-ups",
        f"/web/classes/{CLASS_3A}/attendance",
        f"/web/classes/{CLASS_3A}/reachability",
        f"/web/pupils/{OLA}",
    ],
    "leader": [
        "/web/",
        "/web/morning",
        "/web/follow-ups",
        f"/web/pupils/{OLA}",
        *(f"/web/schools/{SCHOOL}/{p}" for p in DESK),
    ],
    "owner": ["/web/", f"/web/owners/{DISTRICT}/statistics", "/web/my-data"],
}


@pytest.mark.parametrize("username", list(PAGES))
async def test_every_page_of_the_role_passes_axe(browser, service, username):
    page = await new_page(browser, service, js=True, phone=username.startswith(("guardian", "pupil")))
    await sign_in(page, username)
    for path in PAGES[username]:
        response = await page.goto(path)
        assert response.status == 200 and page.url == f"{service}{path}", (username, path, page.url)
        await assert_accessible(page, scripted=True)
