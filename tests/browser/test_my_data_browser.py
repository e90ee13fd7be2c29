"""/web/my-data in the browser, JavaScript off: the page passes axe-core (WCAG 2.1 A/AA),
the button downloads the export, a second press within ten minutes says why by the button."""

from __future__ import annotations

import json

import pytest

from tests.support.browser import assert_accessible, new_page, shot, sign_in

pytestmark = pytest.mark.browser


async def test_download_my_data(browser, service, db):
    page = await new_page(browser, service, phone=True)
    await sign_in(page, "guardian.hansen", "/web/my-data")
    await shot(page, "my-data")
    await assert_accessible(page)
    async with page.expect_download() as info:
        await page.click("button[type=submit] >> nth=-1")
    download = await info.value
    doc = json.loads(open(await download.path(), encoding="utf-8").read())
    assert doc["format"] == "skolebro.export/1" and len(doc["pupils"]) == 2
    await page.goto("/web/my-data")
    await page.click("button[type=submit] >> nth=-1")
    await page.wait_for_load_state()
    assert await page.locator("[role=alert]").count() == 1
    await shot(page, "my-data-too-soon")
    await assert_accessible(page)
