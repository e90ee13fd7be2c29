"""The notification settings page in Chromium: preferences with JavaScript off, errors by
the field, axe-core clean; with JavaScript on, the "notify me in this browser" button and
the service worker at /web/ (subscribing needs the browser vendor's push service, which a
test cannot reach, so the page must then say it did not work)."""

from __future__ import annotations

import pytest

from tests.support.browser import assert_accessible, new_page, shot, sign_in

pytestmark = pytest.mark.browser

PATH = "/web/settings/notifications"


async def test_preferences_without_javascript(browser, service, db):
    from playwright.async_api import expect

    page = await new_page(browser, service, phone=True)
    await sign_in(page, "guardian.hansen", PATH)
    await expect(page.locator("h1")).to_have_text("Varsler")
    await expect(page.locator("#webpush-nojs")).to_be_visible()
    await expect(page.locator("#webpush")).to_be_hidden()
    await shot(page, "webpush-01-settings")
    await assert_accessible(page)

    # Half a quiet-hours pair: the message is by the field and what was typed stays.
    await page.uncheck("#push_messages")
    await page.fill("#quiet_start", "22:00")
    await page.click("button:has-text('Lagre')")
    await expect(page.locator("#quiet_end-error")).to_contain_text("både fra og til")
    await expect(page.locator("#quiet_end")).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#quiet_start")).to_have_value("22:00")
    await expect(page.locator("#push_messages")).not_to_be_checked()
    await shot(page, "webpush-02-settings-error")
    await assert_accessible(page)

    await page.fill("#quiet_end", "07:00")
    await page.select_option("#locale", "en")
    await page.click("button:has-text('Lagre')")
    await expect(page.locator(".notice.ok")).to_have_text("Your notification settings are saved.")
    row = await db.fetchrow(
        "SELECT push_messages, quiet_start::text, quiet_end::text FROM notification_preferences"
        " np JOIN people p ON p.id = np.person_id WHERE p.locale = 'en'"
    )
    assert row["push_messages"] is False
    assert (row["quiet_start"], row["quiet_end"]) == ("22:00:00", "07:00:00")
    await shot(page, "webpush-03-settings-saved")
    await assert_accessible(page)


async def test_the_button_and_the_service_worker_with_javascript(browser, service):
    from playwright.async_api import expect

    page = await new_page(browser, service, js=True)
    await page.context.grant_permissions(["notifications"], origin=str(service))
    await sign_in(page, "teacher.3a", PATH)
    await expect(page.locator("#webpush-enable")).to_be_visible()
    await expect(page.locator("#webpush-nojs")).to_be_hidden()
    await assert_accessible(page)
    await page.click("#webpush-enable")
    # The worker is registered for the whole portal whatever the push service says
    # (the click starts the registration; it completes a moment later).
    await page.wait_for_function(
        "navigator.serviceWorker.getRegistration('/web/').then(r => Boolean(r))", timeout=20_000
    )
    scope = await page.evaluate("navigator.serviceWorker.getRegistration('/web/').then(r => r && r.scope)")
    assert scope == f"{service}/web/"
    await expect(page.locator("#webpush-status")).not_to_be_empty(timeout=20_000)
    await shot(page, "webpush-04-button")


async def test_the_service_worker_shows_what_the_service_pushes(browser, service):
    """A push as the transport builds it, handed to the worker by Chromium's DevTools
    protocol (what the browser does once its push service delivers), is shown with its
    title and body and carries the page to open."""
    import asyncio
    import json
    import uuid
    from datetime import timedelta

    from notifications.transports import PushMessage
    from notifications.webpush import payload

    case_id = uuid.uuid4()
    message = PushMessage(
        delivery_id=1,
        token="https://push.example/x",
        title="Ola er ikke kommet",
        body="Åpne saken i Skolebro.",
        data={"kind": "missing_pupil", "case_id": str(case_id), "notification_id": str(uuid.uuid4())},
        urgent=True,
        collapse_key=None,
        ttl=timedelta(hours=1),
        platform="webpush",
    )
    page = await new_page(browser, service, js=True)
    await page.context.grant_permissions(["notifications"], origin=str(service))
    await sign_in(page, "guardian.hansen", PATH)
    cdp = await page.context.new_cdp_session(page)
    registrations: list[dict] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda e: registrations.extend(e["registrations"]))
    await cdp.send("ServiceWorker.enable")
    await page.evaluate("navigator.serviceWorker.register('/web/sw.js', {scope: '/web/'})")
    await page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    for _ in range(200):
        if any(r["scopeURL"] == f"{service}/web/" for r in registrations):
            break
        await asyncio.sleep(0.1)
    registration = next(r for r in registrations if r["scopeURL"] == f"{service}/web/")
    # A worker that is still starting may miss a delivery (a real push service retries
    # too); the notification's tag makes a repeated delivery replace, not add, one.
    shown: list = []
    for _ in range(10):
        await cdp.send(
            "ServiceWorker.deliverPushMessage",
            {
                "origin": str(service),
                "registrationId": registration["registrationId"],
                "data": payload(message).decode(),
            },
        )
        for _ in range(20):
            shown = await page.evaluate(
                "navigator.serviceWorker.ready.then(r => r.getNotifications())"
                ".then(ns => ns.map(n => [n.title, n.body, n.data && n.data.url, n.tag]))"
            )
            if shown:
                break
            await asyncio.sleep(0.1)
        if shown:
            break
    url, tag = f"/web/cases/{case_id}", f"case:{case_id}"
    assert shown == [["Ola er ikke kommet", "Åpne saken i Skolebro.", url, tag]]
    assert json.loads(payload(message))["url"] == f"/web/cases/{case_id}"
