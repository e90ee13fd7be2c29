"""The guardian's phone in Chromium (390×844, JavaScript off): report Ola sick, answer a
missing-pupil case opened from the link in the SMS, write to the contact teacher; the
teacher answers the message. axe-core finds no WCAG 2.1 A/AA violation on any of these
pages, for each role that uses them (guardian, read-only guardian, pupil, teacher, leader).

Needs Debian's Chromium at /usr/bin/chromium (see tests/support/browser.py); the SMS goes
to the local Twilio stand-in (tests/fakes/sms_provider.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from backend.app.settings import Settings
from notifications.settings import SmsSettings
from tests.fakes.sms_provider import FakeTwilio
from tests.support.browser import assert_accessible, new_page, shot, sign_in
from tests.support.demo import CLASS_9B, OLA, person
from tests.support.routine import MONDAY, class_pupils, oslo

# Drives Chromium.
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def twilio() -> Iterator[FakeTwilio]:
    with FakeTwilio() as fake:
        yield fake


@pytest.fixture
def settings(settings: Settings, twilio: FakeTwilio) -> Any:
    twilio.sent.clear()
    return dataclasses.replace(
        settings,
        sms=SmsSettings(
            account_sid=twilio.account_sid,
            auth_token=twilio.auth_token,
            sender="Skolebro",
            api_url=twilio.url,
        ),
    )


async def _token(api: httpx.AsyncClient, username: str) -> dict[str, str]:
    r = await api.post("/api/v1/auth/dev-login", json={"username": username, "client": "app"})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


async def test_a_guardian_on_a_phone_and_the_teacher_answering(browser, service, db, twilio):
    from playwright.async_api import expect

    clock = service.runtime.clock
    guardian = await new_page(browser, service, phone=True)
    await sign_in(guardian, "guardian.hansen")
    await expect(guardian.locator("h1")).to_contain_text("Kari Nordmann Hansen")
    await shot(guardian, "g01-home-guardian")
    await assert_accessible(guardian)

    # Ola is sick tomorrow: reported from the home page's quick action.
    await guardian.click(f"#child-{OLA} >> text=Meld fravær")
    await expect(guardian.locator("h1")).to_have_text("Fravær")
    await guardian.select_option("#reason", "sick")
    await guardian.fill("#first_day", "2026-11-24")
    # A wrong last day first: the message is by the field and the form keeps the rest.
    await guardian.fill("#last_day", "2026-11-23")
    await guardian.fill("#note", "Feber i natt")
    await guardian.click("button:has-text('Meld fravær')")
    await expect(guardian.locator("#last_day-error")).to_be_visible()
    await expect(guardian.locator("#note")).to_have_value("Feber i natt")
    await shot(guardian, "g02-absence-error")
    await assert_accessible(guardian)
    assert await db.fetchval("SELECT count(*) FROM absence_reports") == 0
    await guardian.fill("#last_day", "")
    await guardian.click("button:has-text('Meld fravær')")
    await expect(guardian.locator(".notice.ok")).to_have_text("Fraværet er meldt.")
    await expect(guardian.locator(f"#reports-{OLA} .absence-report")).to_contain_text("Syk")
    await shot(guardian, "g03-absence-reported")
    await assert_accessible(guardian)
    assert await db.fetchval("SELECT count(*) FROM absence_reports WHERE pupil_id = $1", OLA) == 1

    # Kari is marked absent this morning without a report; the ladder sends the SMS.
    async with httpx.AsyncClient(base_url=str(service)) as api:
        clock.set(oslo(MONDAY, 10, 0))
        marks = [
            {"pupil_id": str(p), "status": "absent" if p == person("pupil.kari") else "present"}
            for p in await class_pupils(db, CLASS_9B)
        ]
        r = await api.put(
            f"/api/v1/classes/{CLASS_9B}/attendance/{MONDAY}",
            headers=await _token(api, "teacher.9b"),
            json={"marks": marks},
        )
        assert r.status_code == 200, r.text
        leader = await _token(api, "leader")
        for hh, mm in ((10, 0), (10, 6)):  # sought at the first recess, then SMS after 5 minutes
            clock.set(oslo(MONDAY, hh, mm))
            r = await api.post("/api/v1/dev/jobs/missing-pupil-sweep/run", headers=leader)
            assert r.status_code == 200, r.text
    (sms,) = twilio.to("+4740000001")
    link = sms.body.split()[-1]
    assert "/web/cases/" in link
    path = urlsplit(link).path

    # The link, on a phone that is not signed in: sign-in first, then the case.
    phone = await new_page(browser, service, phone=True)
    await sign_in(phone, "guardian.hansen", path)
    assert phone.url.endswith(path)
    await expect(phone.locator("h1")).to_contain_text("Kari")
    await shot(phone, "g04-case-from-sms")
    await assert_accessible(phone)
    case_id = path.rsplit("/", 1)[1]
    assert await db.fetchval("SELECT reached_at FROM missing_cases WHERE id = $1::uuid", case_id)
    await phone.click("button:has-text('Send svar')")  # nothing chosen
    await expect(phone.locator("#outcome-error")).to_have_text("Velg ett av svarene.")
    await assert_accessible(phone)
    await phone.check("input[value='on_the_way']")
    await phone.fill("#note", "Hun forsov seg, er på vei")
    await phone.click("button:has-text('Send svar')")
    await expect(phone.locator(".notice.ok")).to_have_text("Takk! Skolen har fått svaret ditt.")
    await shot(phone, "g05-case-answered")
    await assert_accessible(phone)
    assert await db.fetchval("SELECT outcome FROM missing_cases WHERE id = $1::uuid", case_id) == "on_the_way"

    # A message to Ola's contact teacher, from the home page.
    await guardian.goto("/web/")
    await guardian.click(f"#child-{OLA} >> text=Skriv til kontaktlærer")
    await expect(guardian.locator("#write h2")).to_contain_text("Ola Hansen")
    await assert_accessible(guardian)
    await guardian.fill("#subject", "Gymtøy")
    await guardian.fill("#body", "Ola har glemt gymtøyet. Kan han låne?")
    await guardian.click("button:has-text('Send')")
    await expect(guardian.locator(".notice.ok")).to_have_text("Meldingen er sendt.")
    thread_url = guardian.url.split("?")[0]
    await shot(guardian, "g06-thread-sent")
    await assert_accessible(guardian)

    # The teacher, at a desk PC: the inbox leads to the thread; they answer.
    teacher = await new_page(browser, service)
    await sign_in(teacher, "teacher.3a", "/web/inbox")
    await expect(teacher.locator("h1")).to_have_text("Innboks")
    await assert_accessible(teacher)
    await teacher.locator("li.inbox-item").first.locator("button").click()
    assert teacher.url == thread_url
    await expect(teacher.locator("ol.messages")).to_contain_text("Ola har glemt gymtøyet.")
    await assert_accessible(teacher)
    await teacher.fill("#body", "Ja, det ordner vi.")
    await teacher.click("button:has-text('Send')")
    await expect(teacher.locator(".notice.ok")).to_have_text("Meldingen er sendt.")
    await teacher.goto("/web/threads")
    await assert_accessible(teacher)
    await shot(teacher, "g07-teacher-thread")

    # The guardian reads the answer.
    await guardian.goto("/web/threads")
    await expect(guardian.locator("li.thread")).to_contain_text("Gymtøy")
    await assert_accessible(guardian)
    await guardian.click("text=Gymtøy")
    await expect(guardian.locator("ol.messages")).to_contain_text("Ja, det ordner vi.")
    await guardian.goto("/web/inbox")
    await shot(guardian, "g08-inbox")
    await assert_accessible(guardian)
    assert await db.fetchval("SELECT count(*) FROM messages") == 2


@pytest.mark.parametrize(
    ("username", "paths"),
    [
        ("guardian.readonly", ["/web/", "/web/absence", "/web/threads", "/web/inbox"]),
        ("pupil.ola", ["/web/", "/web/threads", "/web/inbox"]),
        ("teacher.3a", ["/web/threads", "/web/inbox", f"/web/threads?pupil={OLA}"]),
        ("leader", ["/web/threads", "/web/inbox"]),
    ],
)
async def test_the_pages_are_accessible_for_each_role_on_a_phone(browser, service, username, paths):
    page = await new_page(browser, service, phone=True)
    await sign_in(page, username, paths[0])
    for path in paths:
        response = await page.goto(path)
        assert response.status == 200, path
        await assert_accessible(page)
    await page.click("summary:has-text('Mer')")  # the rest of the menu opens without script
    await assert_accessible(page)
    await shot(page, f"g09-{username}")
