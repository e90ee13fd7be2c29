"""The leader's desk in Chromium: a leader blocks a guardian with a reason on the pupil
page and finds the change in the audit log; every desk page (and a form shown again
with its problems) has no axe-core WCAG 2.1 A/AA violation. JavaScript is off."""

from __future__ import annotations

import pytest

from tests.support.browser import assert_accessible, new_page, shot, sign_in
from tests.support.demo import CLASS_3A, OLA, SCHOOL, person

# Drives Chromium.
pytestmark = pytest.mark.browser

NILSEN = person("guardian.nilsen")


async def test_a_leader_blocks_a_guardian_and_sees_it_in_the_audit_log(browser, service, db):
    from playwright.async_api import expect

    leader = await new_page(browser, service)
    await sign_in(leader, "leader", f"/web/pupils/{OLA}")
    await expect(leader.locator("h1")).to_contain_text("Ola Hansen")
    await assert_accessible(leader)

    # A block without a reason is refused by the field, and nothing changes.
    guardian = leader.locator(f"#guardian-{NILSEN}")
    await guardian.locator("select").select_option("none")
    await guardian.locator("button:has-text('Lagre tilgang')").click()
    await expect(leader.locator(f"#reason-{NILSEN}-error")).to_be_visible()
    await assert_accessible(leader)
    assert await db.fetchval("SELECT count(*) FROM guardian_access_changes") == 0

    guardian = leader.locator(f"#guardian-{NILSEN}")
    await guardian.locator("textarea").fill("Besøksforbud fra tingretten")
    await guardian.locator("button:has-text('Lagre tilgang')").click()
    await expect(leader.locator(".notice.ok")).to_have_text("Tilgangen er endret.")
    row = leader.locator(f"#guardian-{NILSEN}")
    await expect(row).to_contain_text("Sperret")
    await expect(row).to_contain_text("Besøksforbud fra tingretten")
    await shot(leader, "desk-01-pupil-guardian-blocked")

    await leader.goto(f"/web/schools/{SCHOOL}/audit-log")
    await leader.select_option("#f-what", "guardians.set_none")
    await leader.click("button:has-text('Filtrer')")
    entries = leader.locator("#entries tbody tr")
    await expect(entries).to_have_count(1)
    await expect(entries.first).to_contain_text("sperret foresatt")
    await expect(entries.first).to_contain_text("Ola Hansen")
    await shot(leader, "desk-02-audit-log")
    await assert_accessible(leader)


async def test_every_desk_page_is_accessible(browser, service):
    leader = await new_page(browser, service)
    await sign_in(leader, "leader", f"/web/schools/{SCHOOL}/settings")
    await assert_accessible(leader)
    await leader.fill("#escalate_after_minutes", "50")
    await leader.click("button:has-text('Lagre innstillinger')")
    assert await leader.locator("#escalate_after_minutes-error").count() == 1
    await assert_accessible(leader)
    await shot(leader, "desk-03-settings-problem")

    await leader.goto(f"/web/schools/{SCHOOL}/calendar")
    await assert_accessible(leader)
    await leader.fill(
        "#calendar",
        "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261221\nDTEND;VALUE=DATE:20261224\n"
        "SUMMARY:Juleferie\nEND:VEVENT\nEND:VCALENDAR\n",
    )
    await leader.click("button:has-text('Vis hva som legges til')")
    assert await leader.locator("#preview tr.new").count() == 3
    await assert_accessible(leader)
    await shot(leader, "desk-04-calendar-preview")
    await leader.click("button:has-text('Legg til 3 fridager')")
    assert await leader.locator("#closed-days tbody tr").count() == 3

    for path in (
        f"/web/schools/{SCHOOL}/reachability",
        f"/web/schools/{SCHOOL}/roster",
        f"/web/classes/{CLASS_3A}/reachability",
    ):
        await leader.goto(path)
        await assert_accessible(leader)
    await leader.goto(f"/web/schools/{SCHOOL}/reachability")
    await leader.click("button:has-text('Send testvarsel')")
    assert await leader.locator("#test-alerts tbody tr").count() == 1
    await assert_accessible(leader)
    await shot(leader, "desk-05-reachability")

    guardian = await new_page(browser, service, phone=True)
    await sign_in(guardian, "guardian.hansen", f"/web/pupils/{OLA}")
    await assert_accessible(guardian)
    teacher = await new_page(browser, service)
    await sign_in(teacher, "teacher.3a", f"/web/pupils/{OLA}")
    await assert_accessible(teacher)
