"""The morning overview in Chromium with JavaScript on: it updates itself.

A leader has /web/morning open while Ola (3A) is being sought; the missing-pupil
sweep, run elsewhere (the dev job endpoint, as the scheduler of any replica would),
escalates the case. Within a few seconds the page shows the escalation, without a
reload: the trigger's NOTIFY reaches the process's listener, the open Server-Sent
Events stream says "changed", and morning.js puts the new table in place. The page
passes axe-core before and after.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.browser import assert_accessible, new_page, shot, sign_in
from tests.support.demo import CLASS_3A, OLA
from tests.support.routine import MONDAY, oslo, roll_call

# Drives Chromium.
pytestmark = pytest.mark.browser


async def _token(http: httpx.AsyncClient, username: str) -> dict[str, str]:
    r = await http.post("/api/v1/auth/dev-login", json={"username": username, "client": "app"})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


async def _sweep(http: httpx.AsyncClient) -> None:
    r = await http.post("/api/v1/dev/jobs/missing-pupil-sweep/run", headers=await _token(http, "leader"))
    assert r.status_code == 200, r.text


async def test_leader_sees_a_new_escalation_without_reloading(browser: Any, service: Any, db: Any) -> None:
    from playwright.async_api import expect

    clock = service.runtime.clock
    async with httpx.AsyncClient(base_url=str(service), timeout=30) as http:
        # Ola is marked absent at 09:45 with no report and sought at once (grade 3).
        clock.set(oslo(MONDAY, 9, 45))
        r = await roll_call(http, await _token(http, "teacher.3a"), db, CLASS_3A, MONDAY, {OLA})
        assert r.status_code == 200, r.text
        clock.set(oslo(MONDAY, 9, 46))
        await _sweep(http)

        clock.set(oslo(MONDAY, 10, 25))
        leader = await new_page(browser, service, js=True)
        await sign_in(leader, "leader", "/web/morning")
        await expect(leader.locator("h1")).to_have_text("Morgenoversikt")
        summary = leader.locator(".morning-summary [data-count=escalated]").first
        await expect(summary).to_have_text("0 eskalerte saker")
        sought = leader.locator(".morning-summary [data-count=open]").first
        await expect(sought).to_have_text("1 elev etterlyses")
        await expect(leader.locator("#morning-live")).to_have_text("Oppdateres av seg selv.")
        await shot(leader, "morning-01-sought")
        await assert_accessible(leader)
        # Marks this document: a reload would lose it.
        await leader.evaluate("window.notReloaded = true")

        # 30 minutes after seeking, nobody has answered: the sweep escalates.
        clock.set(oslo(MONDAY, 10, 31))
        await _sweep(http)
        await expect(summary).to_have_text("1 eskalert sak", timeout=5000)
        first_row = leader.locator("table.morning-table tbody tr").first
        await expect(first_row).to_have_attribute("id", f"class-{CLASS_3A}")
        await expect(first_row).to_contain_text("1 eskalert sak")
        await expect(leader.locator(".morning-cases .case-escalated")).to_contain_text("Ola Hansen")
        await expect(leader.locator("#morning-live")).to_have_text("Oppdatert 10:31.")
        assert await leader.evaluate("window.notReloaded === true")
        await shot(leader, "morning-02-escalated")
        await assert_accessible(leader)

        # The class's board is one click away and links back.
        await leader.click(f"#class-{CLASS_3A} th a")
        await expect(leader.locator("#board-cases")).to_be_visible()
        await assert_accessible(leader)
        await leader.click("text=Tilbake til morgenoversikten")
        await expect(leader.locator("h1")).to_have_text("Morgenoversikt")


async def test_overview_and_staff_home_without_javascript(browser: Any, service: Any) -> None:
    from playwright.async_api import expect

    page = await new_page(browser, service)
    await sign_in(page, "leader", "/web/")
    await expect(page.locator("#home-now")).to_have_text("Dette venter på deg nå")
    await shot(page, "morning-03-home-leader")
    await assert_accessible(page)
    await page.click("text=Morgenoversikt >> nth=-1")
    await expect(page.locator("h1")).to_have_text("Morgenoversikt")
    await expect(page.locator("table.morning-table tbody tr")).to_have_count(20)
    await shot(page, "morning-04-overview-nojs")
    await assert_accessible(page)
