"""Browser tests: Playwright driving Debian's Chromium against the running service.

A guardian signs in, applies for leave and sees it pending; a teacher signs
in, takes the roll call on the board, completes the check and approves the
leave; the guardian sees the decision. JavaScript is switched off in the
browser: the portal must work without it. A screenshot of every page goes
to ``$SKOLEBRO_ARTIFACTS`` (default: ``skolebro-artifacts`` in the system's
temporary folder), never into the checkout.

Needs Debian's Chromium (``apt-get install chromium``) at /usr/bin/chromium;
without it the tests are skipped, except under CI (env ``CI`` set), where
they fail. They are marked ``browser``: ``python -m pytest -m "not browser"`` leaves
them out and needs no Chromium.
"""

from __future__ import annotations

import re

import pytest

from tests.support.browser import assert_accessible, new_page, shot, sign_in
from tests.support.demo import CLASS_3A

# Drives Chromium.
pytestmark = pytest.mark.browser


async def test_leave_and_morning_board_in_the_browser(browser, service, db):
    from playwright.async_api import expect

    guardian = await new_page(browser, service)
    await guardian.goto("/web/login")
    await expect(guardian.locator("h1")).to_have_text("Logg inn")
    await shot(guardian, "01-login")
    await assert_accessible(guardian)

    # The guardian applies for leave for Ola and sees it pending.
    await sign_in(guardian, "guardian.hansen", "/web/leave")
    await expect(guardian.locator("h1")).to_have_text("Permisjon")
    await guardian.select_option("#pupil_id", label="Ola Hansen (3A)")
    await guardian.fill("#first_day", "2026-11-24")
    await guardian.fill("#last_day", "2026-11-25")
    await guardian.fill("#reason", "Besøk hos besteforeldre <i>i Bergen</i>")
    await guardian.click("button:has-text('Send søknad')")
    await expect(guardian.locator(".notice.ok")).to_have_text("Søknaden er sendt.")
    row = guardian.locator("tr.leave-request").first
    await expect(row).to_contain_text("Ola Hansen")
    await expect(row).to_contain_text("Venter på svar")
    await expect(row).to_contain_text("<i>i Bergen</i>")  # shown as written, not as HTML
    await shot(guardian, "02-leave-guardian-pending")

    # The teacher takes the roll call on the board and completes the check.
    teacher = await new_page(browser, service)
    await sign_in(teacher, "teacher.3a")
    await teacher.goto("/web/")
    await shot(teacher, "03-home-teacher")
    await teacher.click("text=Dagens oppmøte: 3A")
    assert teacher.url.endswith(f"/web/classes/{CLASS_3A}/attendance")
    await expect(teacher.locator("#check-state")).to_have_text("Kontrollen er ikke fullført.")
    await shot(teacher, "04-board-before-roll-call")
    rows = teacher.locator("tbody tr")
    count = await rows.count()
    assert count == 20
    for i in range(count):
        mark = "absent" if i == 0 else "present"
        await rows.nth(i).locator(f"input[value='{mark}']").check()
    await teacher.click("button:has-text('Lagre oppmøte')")
    await expect(teacher.locator(".notice.ok")).to_have_text("Oppmøtet er lagret.")
    await expect(teacher.locator("main")).to_contain_text("1 fraværende uten melding")
    await expect(teacher.locator("main")).to_contain_text("0 ikke registrert")
    await teacher.click("button:has-text('Fullfør kontrollen')")
    await expect(teacher.locator("#check-state")).to_contain_text("Kontrollen ble fullført")
    await shot(teacher, "05-board-check-completed")

    # The teacher approves the leave.
    await teacher.click("header >> text=Permisjon")
    await shot(teacher, "06-leave-teacher-to-decide")
    row = teacher.locator("tr.leave-request").first
    await row.locator("textarea").fill("God tur!")
    await row.locator("button:has-text('Innvilg')").click()
    await expect(teacher.locator(".notice.ok")).to_have_text("Avgjørelsen er lagret.")
    await expect(teacher.locator("tr.leave-request").first).to_contain_text("Innvilget")
    await shot(teacher, "07-leave-teacher-decided")

    # The guardian sees the decision, and the page in English.
    await guardian.reload()
    row = guardian.locator("tr.leave-request").first
    await expect(row).to_contain_text("Innvilget")
    await expect(row).to_contain_text("God tur!")
    await expect(row).to_contain_text("Ingrid Lærar")
    await shot(guardian, "08-leave-guardian-decided")
    await guardian.click("a[lang='en']")
    await expect(guardian.locator("tr.leave-request").first).to_contain_text("Approved")
    await shot(guardian, "09-leave-guardian-english")

    row = await db.fetchrow("SELECT status, first_day, last_day FROM leave_requests")
    assert row["status"] == "approved"
    assert await db.fetchval("SELECT count(*) FROM notifications WHERE kind = 'leave_decision'") == 2
    assert re.match(r"http://127\.0\.0\.1:\d+", service)


async def test_a_form_without_its_csrf_token_is_refused_in_the_browser(browser, service, db):
    page = await new_page(browser, service)
    await sign_in(page, "guardian.hansen", "/web/leave")
    # A form posted from another site carries the session cookie but not the token.
    response = await page.request.post(
        f"{service}/web/leave",
        form={"pupil_id": "x", "first_day": "2026-11-24", "last_day": "2026-11-24", "reason": "x"},
    )
    assert response.status == 403
    assert await db.fetchval("SELECT count(*) FROM leave_requests") == 0
