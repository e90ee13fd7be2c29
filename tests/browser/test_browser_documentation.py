"""Browser test: the documented-absence page (upper secondary) without JavaScript, on a
phone's screen, checked with axe-core (WCAG 2.1 A/AA), including a problem shown by its
field."""

from __future__ import annotations

import pytest

from tests.support.browser import assert_accessible, new_page, shot, sign_in
from tests.support.demo import person

pytestmark = pytest.mark.browser


async def test_documented_absence_page(browser, service):
    from playwright.async_api import expect

    page = await new_page(browser, service, phone=True, js=False)
    url = f"/web/pupils/{person('pupil.vg')}/absence-documentation"
    await sign_in(page, "teacher.vg1a", url)
    await expect(page.locator("h1")).to_contain_text("Vilde Sunde (VG1A)")
    await assert_accessible(page)
    await shot(page, "doc-01-empty")

    await page.select_option("#kind", "political_work")
    await page.fill("#first_day", "2026-11-20")
    await page.fill("#last_day", "2026-11-19")
    await page.click("button:has-text('Registrer')")
    await expect(page.locator("#last_day-error")).to_be_visible()
    await expect(page.locator("#last_day")).to_have_attribute("aria-invalid", "true")
    await assert_accessible(page)
    await shot(page, "doc-02-problem")

    await page.fill("#last_day", "")
    await page.select_option("#kind", "driving_test_b")
    await page.fill("#from_time", "08:00")
    await page.fill("#to_time", "10:00")
    await page.click("button:has-text('Registrer')")
    await expect(page.locator("tbody tr")).to_contain_text("Førerprøve klasse B")
    await assert_accessible(page)
    await shot(page, "doc-03-recorded")
