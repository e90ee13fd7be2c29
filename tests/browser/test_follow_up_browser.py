"""Browser: the contact teacher follows up Ola's absence (JavaScript off), and the school
owner reads the statistics; every page passes axe-core's WCAG 2.1 A/AA checks."""

from __future__ import annotations

import uuid

import pytest

from backend.roster.demo import demo_id
from tests.support.browser import assert_accessible, new_page, shot, sign_in
from tests.support.demo import CLASS_3A, DEFAULT_NOW, OLA, SCHOOL, person
from tests.support.follow_ups import MONDAYS, past_report

pytestmark = pytest.mark.browser

DISTRICT = demo_id("district:sunnfjord")


async def test_follow_up_and_statistics_in_the_browser(browser, service, db):
    from playwright.async_api import expect

    for day in MONDAYS[:2]:
        await past_report(db, OLA, day)
    fid = uuid.uuid4()
    rules = [{"rule": "same_weekday", "days": [d.isoformat() for d in MONDAYS[:2]] + ["2026-11-16"]}]
    await db.execute(
        "INSERT INTO follow_ups (id, school_id, pupil_id, class_id, owner_id, rules, opened_at, opened_on)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        fid,
        SCHOOL,
        OLA,
        CLASS_3A,
        person("teacher.3a"),
        rules,
        DEFAULT_NOW,
        DEFAULT_NOW.date(),
    )

    teacher = await new_page(browser, service, phone=True)
    await sign_in(teacher, "teacher.3a", "/web/follow-ups")
    await expect(teacher.locator("h1")).to_have_text("Oppfølging av fravær")
    await shot(teacher, "follow-ups-list")
    await assert_accessible(teacher)
    await teacher.click("text=Ola Hansen")
    await expect(teacher.locator("#rule-same_weekday")).to_have_text("Samme ukedag")

    # Closing with nothing logged: the page says why.
    await teacher.click("button:has-text('Lukk oppfølgingen')")
    await expect(teacher.locator(".notice.error")).to_contain_text("minst ett tiltak")
    await assert_accessible(teacher)

    await teacher.select_option("#kind", "called_guardians")
    await teacher.fill("#on", "2026-11-23")
    await teacher.click("button:has-text('Logg tiltaket')")
    await expect(teacher.locator(".notice.ok")).to_have_text("Tiltaket er logget.")
    await expect(teacher.locator("tr.action")).to_contain_text("Ringt foresatte")
    await shot(teacher, "follow-up-detail")
    await assert_accessible(teacher)
    await teacher.click("button:has-text('Lukk oppfølgingen')")
    await expect(teacher.locator(".notice.ok")).to_have_text("Oppfølgingen er lukket.")
    assert await db.fetchval("SELECT status FROM follow_ups WHERE id = $1", fid) == "closed"

    owner = await new_page(browser, service)
    await sign_in(owner, "owner", f"/web/owners/{DISTRICT}/statistics?month=2026-11")
    await expect(owner.locator("h1")).to_contain_text("Sunnfjord kommune")
    await expect(owner.locator("table.statistics")).to_contain_text("Vassenden skule")
    await shot(owner, "owner-statistics")
    await assert_accessible(owner)
