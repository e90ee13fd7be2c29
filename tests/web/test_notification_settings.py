"""/web/settings/notifications: push preferences and quiet hours without JavaScript, and the
browser's Web Push subscription posted by webpush.js, on the same services as the API."""

from __future__ import annotations

import re

import pytest

from notifications.webpush import web_push
from tests.fakes.web_push_service import FakeWebPushService
from tests.support.demo import person
from tests.support.web_portal import csrf_of, post, web_login

PATH = "/web/settings/notifications"
HANSEN = person("guardian.hansen")


async def _prefs(client, tokens, username="guardian.hansen"):
    r = await client.get("/api/v1/me/notification-preferences", headers=await tokens.headers(username))
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.parametrize("username", ["guardian.hansen", "teacher.3a", "leader", "pupil.ola"])
async def test_every_role_has_the_page(client, username):
    await web_login(client, username)
    r = await client.get(PATH)
    assert r.status_code == 200, r.text
    assert "<h1>" in r.text and 'name="quiet_start"' in r.text
    # Web Push: the public key for the script, which is a file (CSP: no inline script).
    assert f'data-key="{web_push().key.public_key}"' in r.text
    assert '<script src="/web/static/webpush.js" defer></script>' in r.text
    assert "<script>" not in r.text


async def test_saving_preferences_is_what_the_api_reads(client, tokens):
    csrf = await web_login(client, "guardian.hansen")
    r = await post(
        client,
        PATH,
        csrf_token=csrf,
        push_messages="on",
        push_absence="on",
        quiet_start="22:00",
        quiet_end="07:00",
        locale="nn",
    )
    assert r.status_code == 303 and r.headers["location"] == f"{PATH}?done=saved"
    assert await _prefs(client, tokens) == {
        "push": {"messages": True, "grades": False, "absence": True, "reminders": False},
        "quiet_hours": {"start": "22:00", "end": "07:00"},
        "locale": "nn",
    }
    page = await client.get(f"{PATH}?done=saved")
    assert "Varslingsinnstillingane er lagra." in page.text  # now in Nynorsk
    assert 'id="push_messages" name="push_messages" value="on" checked' in page.text
    assert 'id="push_grades" name="push_grades" value="on">' in page.text
    assert 'value="22:00"' in page.text

    # And no quiet hours again.
    csrf = csrf_of(page.text)
    r = await post(client, PATH, csrf_token=csrf, locale="en", quiet_start="", quiet_end="")
    assert r.status_code == 303
    prefs = await _prefs(client, tokens)
    assert prefs["quiet_hours"] is None and prefs["push"]["messages"] is False


@pytest.mark.parametrize(
    ("fields", "bad", "text"),
    [
        ({"quiet_start": "22:00", "quiet_end": ""}, "quiet_end", "både fra og til"),
        ({"quiet_start": "", "quiet_end": "07:00"}, "quiet_start", "både fra og til"),
        ({"quiet_start": "25:00", "quiet_end": "07:00"}, "quiet_start", "TT:MM"),
        ({"quiet_start": "22:00", "quiet_end": "7"}, "quiet_end", "TT:MM"),
        ({"quiet_start": "22:00", "quiet_end": "22:00"}, "quiet_end", "ulike klokkeslett"),
        ({"locale": "de"}, "locale", "bokmål, nynorsk eller engelsk"),
    ],
)
async def test_bad_input_is_shown_by_the_field_and_nothing_changes(client, tokens, fields, bad, text):
    before = await _prefs(client, tokens)
    csrf = await web_login(client, "guardian.hansen")
    form = {"csrf_token": csrf, "push_grades": "on", "locale": "nb", **fields}
    r = await post(client, PATH, **form)
    assert r.status_code == 422, r.text
    # The message sits by the field, the field points at it, what was typed is kept.
    assert re.search(rf'id="{bad}"[^>]*aria-invalid="true"[^>]*aria-describedby="[^"]*{bad}-error"', r.text)
    error = re.search(rf'<p class="field-error" id="{bad}-error">([^<]*)</p>', r.text)
    assert error and text in error.group(1)
    for name in ("quiet_start", "quiet_end"):
        if fields.get(name):
            assert f'value="{fields[name]}"' in r.text
    assert 'id="push_grades" name="push_grades" value="on" checked' in r.text
    assert await _prefs(client, tokens) == before


async def test_a_form_without_the_csrf_token_is_refused(client, tokens):
    before = await _prefs(client, tokens)
    await web_login(client, "guardian.hansen")
    r = await post(client, PATH, csrf_token="forged", locale="en")
    assert r.status_code == 403
    r = await post(client, f"{PATH}/browser", csrf_token="forged", endpoint="https://x.example/1")
    assert r.status_code == 403
    assert await _prefs(client, tokens) == before


async def test_signed_out_goes_to_sign_in(client):
    r = await client.get(PATH, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/web/login")


async def test_this_browser_subscribes_and_can_be_removed(client, db, web_push_service: FakeWebPushService):
    csrf = await web_login(client, "guardian.hansen")
    sub = web_push_service.subscribe().as_json()
    fields = {"endpoint": sub["endpoint"], **sub["keys"]}
    r = await post(client, f"{PATH}/browser", csrf_token=csrf, **fields)
    assert r.status_code == 201, r.text
    device_id = r.json()["id"]
    r = await post(client, f"{PATH}/browser", csrf_token=csrf, **fields)
    assert r.status_code == 200 and r.json()["id"] == device_id
    row = await db.fetchrow("SELECT person_id, platform, p256dh FROM devices WHERE id = $1::uuid", device_id)
    assert row["person_id"] == HANSEN and row["platform"] == "webpush"
    assert row["p256dh"] == sub["keys"]["p256dh"]

    page = await client.get(PATH)
    assert f'id="browser-{device_id}"' in page.text
    r = await post(client, f"{PATH}/browsers/{device_id}/delete", csrf_token=csrf)
    assert r.status_code == 303 and r.headers["location"] == f"{PATH}?done=removed"
    assert await db.fetchval("SELECT count(*) FROM devices WHERE id = $1::uuid", device_id) == 0


@pytest.mark.parametrize(
    "change",
    [
        {"endpoint": "http://push.example.com/x"},
        {"endpoint": ""},
        {"p256dh": "AAAA"},
        {"auth": ""},
    ],
)
async def test_a_bad_subscription_is_refused_and_nothing_stored(client, db, web_push_service, change):
    csrf = await web_login(client, "guardian.hansen")
    sub = web_push_service.subscribe().as_json()
    fields = {"endpoint": sub["endpoint"], **sub["keys"], **change}
    r = await post(client, f"{PATH}/browser", csrf_token=csrf, **fields)
    assert r.status_code == 422, r.text
    assert await db.fetchval("SELECT count(*) FROM devices WHERE platform = 'webpush'") == 0


async def test_the_service_worker_is_served_for_the_whole_portal(client):
    r = await client.get("/web/sw.js")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/javascript")
    assert r.headers["service-worker-allowed"] == "/web/"
    assert 'addEventListener("push"' in r.text and "notificationclick" in r.text
