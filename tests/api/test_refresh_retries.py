"""A refresh the phone lost the answer to may be sent again (api.md: Auth): within
30 seconds of the rotation the just-spent token still works, and the family ends with
exactly one live token; after that, or once its successor is in use, reuse revokes the
family. ``Idempotency-Key`` is honoured on every ``/api/v1/auth/*`` POST."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from tests.api.test_signin import exchange, me_status, refresh
from tests.support.problems import assert_problem


async def _pair(client: Any, clock: Any, idporten: Any) -> dict[str, Any]:
    r = await exchange(client, idporten.id_token("01017012345", now=clock.now().timestamp()))
    assert r.status_code == 200, r.text
    return r.json()


async def _live(db: Any) -> int:
    return int(
        await db.fetchval("SELECT count(*) FROM refresh_tokens WHERE revoked_at IS NULL AND used_at IS NULL")
    )


async def test_lost_answer_retry_succeeds_and_leaves_one_live_token(client, clock, idporten, db):
    first = await _pair(client, clock, idporten)
    lost = (await refresh(client, first["refresh_token"])).json()  # the phone never sees this
    clock.set(clock.now() + timedelta(seconds=29))
    r = await refresh(client, first["refresh_token"])
    assert r.status_code == 200, r.text
    again = r.json()
    assert again["refresh_token"] != lost["refresh_token"]
    assert await _live(db) == 1
    # The lost answer's token is no longer good, and using it does not end the family.
    assert_problem(await refresh(client, lost["refresh_token"]), 400, "auth.invalid_grant")
    r = await refresh(client, again["refresh_token"])
    assert r.status_code == 200, r.text
    assert await me_status(client, r.json()["access_token"]) == 200
    assert await _live(db) == 1


async def test_retry_after_31_seconds_revokes_the_family(client, clock, idporten, db):
    first = await _pair(client, clock, idporten)
    second = (await refresh(client, first["refresh_token"])).json()
    clock.set(clock.now() + timedelta(seconds=31))
    assert_problem(await refresh(client, first["refresh_token"]), 400, "auth.invalid_grant")
    assert_problem(await refresh(client, second["refresh_token"]), 400, "auth.invalid_grant")
    assert await db.fetchval("SELECT count(*) FROM refresh_tokens WHERE revoked_at IS NULL") == 0


async def test_two_retries_racing_leave_one_live_token(parallel, clock, idporten, db):
    first = await _pair(parallel, clock, idporten)
    await refresh(parallel, first["refresh_token"])  # answer lost
    answers = await asyncio.gather(*(refresh(parallel, first["refresh_token"]) for _ in range(2)))
    assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
    assert await _live(db) == 1
    tokens = [a.json()["refresh_token"] for a in answers]
    outcomes = [(await refresh(parallel, t)).status_code for t in tokens]
    assert sorted(outcomes) == [200, 400]  # the later one of the two is the live one
    assert await _live(db) == 1


async def test_stolen_token_used_after_the_window_revokes_the_family(client, clock, idporten, db):
    first = await _pair(client, clock, idporten)
    second = (await refresh(client, first["refresh_token"])).json()  # the phone goes on
    clock.set(clock.now() + timedelta(minutes=5))
    third = (await refresh(client, second["refresh_token"])).json()
    assert_problem(await refresh(client, first["refresh_token"]), 400, "auth.invalid_grant")  # the thief
    assert_problem(await refresh(client, third["refresh_token"]), 400, "auth.invalid_grant")
    assert await db.fetchval("SELECT count(*) FROM refresh_tokens WHERE revoked_at IS NULL") == 0


async def test_spent_token_whose_successor_is_in_use_is_reuse_even_within_the_window(
    client, clock, idporten, db
):
    first = await _pair(client, clock, idporten)
    second = (await refresh(client, first["refresh_token"])).json()
    third = (await refresh(client, second["refresh_token"])).json()
    assert_problem(await refresh(client, first["refresh_token"]), 400, "auth.invalid_grant")
    assert_problem(await refresh(client, third["refresh_token"]), 400, "auth.invalid_grant")


async def test_same_idempotency_key_replays_the_first_answer(client, clock, idporten, db):
    first = await _pair(client, clock, idporten)
    key = {"Idempotency-Key": "refresh-7f3a"}
    form = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    one = await client.post("/api/v1/auth/token", data=form, headers=key)
    clock.set(clock.now() + timedelta(minutes=2))  # past the window: the key still replays
    two = await client.post("/api/v1/auth/token", data=form, headers=key)
    assert one.status_code == two.status_code == 200, two.text
    assert one.json() == two.json()
    assert await _live(db) == 1
    # Tokens are kept only hashed: the stored answer is sealed.
    stored = await db.fetchval("SELECT response::text FROM idempotency_keys WHERE key = 'refresh-7f3a'")
    assert one.json()["refresh_token"] not in stored
    assert (await refresh(client, two.json()["refresh_token"])).status_code == 200


async def test_same_key_with_another_body_is_422(client, clock, idporten):
    first = await _pair(client, clock, idporten)
    key = {"Idempotency-Key": "k-1"}
    form = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    rotated = (await client.post("/api/v1/auth/token", data=form, headers=key)).json()
    other = {"grant_type": "refresh_token", "refresh_token": rotated["refresh_token"]}
    r = await client.post("/api/v1/auth/token", data=other, headers=key)
    assert_problem(r, 422, "idempotency.key_reused")


async def test_dev_login_honours_the_key(client, db):
    body = {"username": "guardian.hansen", "client": "app"}
    one = await client.post("/api/v1/auth/dev-login", json=body, headers={"Idempotency-Key": "login-1"})
    two = await client.post("/api/v1/auth/dev-login", json=body, headers={"Idempotency-Key": "login-1"})
    assert one.status_code == two.status_code == 200
    assert one.json() == two.json()
    assert await db.fetchval("SELECT count(*) FROM refresh_tokens") == 1


async def test_token_exchange_honours_the_key(client, clock, idporten, db):
    id_token = idporten.id_token("01017012345", now=clock.now().timestamp())
    form = {
        "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
        "subject_token": id_token,
        "client": "app",
    }
    one = await client.post("/api/v1/auth/token", data=form, headers={"Idempotency-Key": "x-1"})
    two = await client.post("/api/v1/auth/token", data=form, headers={"Idempotency-Key": "x-1"})
    assert one.status_code == two.status_code == 200, two.text
    assert one.json() == two.json()
    assert await db.fetchval("SELECT count(*) FROM refresh_tokens") == 1


async def test_logout_retry_with_the_key(client, clock, idporten):
    pair = await _pair(client, clock, idporten)
    body = {"refresh_token": pair["refresh_token"]}
    for _ in range(2):
        r = await client.post("/api/v1/auth/logout", json=body, headers={"Idempotency-Key": "bye"})
        assert r.status_code == 204
    assert_problem(await refresh(client, pair["refresh_token"]), 400, "auth.invalid_grant")


async def test_key_over_64_characters_is_refused_on_every_auth_post(client):
    long_key = {"Idempotency-Key": "k" * 65}
    r = await client.post("/api/v1/auth/dev-login", json={"username": "guardian.hansen"}, headers=long_key)
    assert_problem(r, 422, "idempotency.key_too_long")
    r = await client.post("/api/v1/auth/token", data={"grant_type": "refresh_token"}, headers=long_key)
    assert_problem(r, 422, "idempotency.key_too_long")
    r = await client.post("/api/v1/auth/logout", json={}, headers=long_key)
    assert_problem(r, 422, "idempotency.key_too_long")
    r = await client.post(
        "/api/v1/auth/dev-login", json={"username": "guardian.hansen"}, headers={"Idempotency-Key": " "}
    )
    assert_problem(r, 422, "idempotency.key_empty")
