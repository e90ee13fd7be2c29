"""Registering a browser's Web Push subscription as a device (api.md: devices with "webpush")."""

from __future__ import annotations

import pytest

from notifications.webpush import web_push
from tests.fakes.web_push_service import FakeWebPushService
from tests.support.demo import person
from tests.support.problems import assert_problem

HANSEN = person("guardian.hansen")


async def _register(client, tokens, body, username="guardian.hansen"):
    return await client.post("/api/v1/me/devices", json=body, headers=await tokens.headers(username))


def _browser(sub: dict) -> dict:
    return {"platform": "webpush", "subscription": sub, "locale": "nn"}


async def test_the_public_key_needs_no_sign_in(client):
    r = await client.get("/api/v1/webpush/public-key")
    assert r.status_code == 200, r.text
    key = r.json()["public_key"]
    assert key == web_push().key.public_key and len(key) == 87  # 65 bytes, base64url


async def test_a_browser_registers_then_refreshes_its_subscription(client, tokens, db, web_push_service):
    sub = web_push_service.subscribe().as_json()
    r = await _register(client, tokens, _browser(sub))
    assert r.status_code == 201, r.text
    assert r.json()["platform"] == "webpush" and r.json()["token"] == sub["endpoint"]
    r = await _register(client, tokens, _browser(sub))
    assert r.status_code == 200, r.text
    row = await db.fetchrow("SELECT * FROM devices WHERE token = $1", sub["endpoint"])
    assert row["person_id"] == HANSEN and row["platform"] == "webpush"
    assert row["p256dh"] == sub["keys"]["p256dh"] and row["auth"] == sub["keys"]["auth"]


async def test_a_browser_signed_in_as_someone_else_moves_to_them(client, tokens, db, web_push_service):
    sub = web_push_service.subscribe().as_json()
    assert (await _register(client, tokens, _browser(sub))).status_code == 201
    r = await _register(client, tokens, _browser(sub), username="guardian.nilsen")
    assert r.status_code == 201, r.text
    owner = await db.fetchval("SELECT person_id FROM devices WHERE token = $1", sub["endpoint"])
    assert owner == person("guardian.nilsen")


def _with(sub: dict, **change: object) -> dict:
    out = {**sub, "keys": {**sub["keys"]}}
    for k, v in change.items():
        if k in ("p256dh", "auth"):
            out["keys"][k] = v
        else:
            out[k] = v
    return out


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"endpoint": "http://push.example.com/x"}, "devices.endpoint_invalid"),
        ({"endpoint": "http://10.0.0.1/x"}, "devices.endpoint_invalid"),
        ({"endpoint": "ftp://push.example.com/x"}, "devices.endpoint_invalid"),
        ({"endpoint": "https://user:pw@push.example.com/x"}, "devices.endpoint_invalid"),
        ({"endpoint": "not a url"}, "devices.endpoint_invalid"),
        ({"p256dh": "AAAA"}, "devices.keys_invalid"),
        ({"p256dh": "B" + "A" * 86}, "devices.keys_invalid"),  # not a point on the curve
        ({"auth": "AAAAAAAA"}, "devices.keys_invalid"),
        ({"auth": "!!!"}, "request.invalid"),
    ],
)
async def test_bad_subscriptions_are_refused_by_the_field(
    client, tokens, db, web_push_service: FakeWebPushService, change, code
):
    sub = _with(web_push_service.subscribe().as_json(), **change)
    r = await _register(client, tokens, _browser(sub))
    assert_problem(r, 422, code)
    assert await db.fetchval("SELECT count(*) FROM devices WHERE platform = 'webpush'") == 0


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"platform": "webpush", "token": "tok-1"}, "devices.subscription_required"),
        ({"platform": "webpush"}, "devices.subscription_required"),
        ({"platform": "ios"}, "devices.token_required"),
        ({"platform": "android", "token": "t", "subscription": "SUB"}, "devices.token_required"),
        ({"platform": "webpush", "subscription": {"endpoint": "https://x.example/1"}}, "request.invalid"),
        ({"platform": "webpush", "subscription": "SUB", "extra": 1}, "request.invalid"),
    ],
)
async def test_token_and_subscription_go_with_their_platform(
    client, tokens, db, web_push_service, body, code
):
    if body.get("subscription") == "SUB":
        body = {**body, "subscription": web_push_service.subscribe().as_json()}
    r = await _register(client, tokens, body)
    assert_problem(r, 422, code)
    assert await db.fetchval("SELECT count(*) FROM devices WHERE person_id = $1", HANSEN) == 0


async def test_an_app_still_registers_with_its_token(client, tokens):
    r = await _register(client, tokens, {"token": "tok-phone-9", "platform": "android"})
    assert r.status_code == 201, r.text
