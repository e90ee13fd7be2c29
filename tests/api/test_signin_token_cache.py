"""A token whose signature was checked once is still refused once it expires.

backend/signin/tokens.py checks each token's signature once and keeps the result; the
times must still be checked against the service clock on every request.
"""

from __future__ import annotations

from datetime import timedelta

from tests.support.demo import DEFAULT_NOW


async def test_cached_token_expires_with_the_clock(client, tokens, clock):
    headers = await tokens.headers("guardian.hansen")
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200  # cached
    clock.set(DEFAULT_NOW + timedelta(minutes=16))
    r = await client.get("/api/v1/me", headers=headers)
    assert r.status_code == 401
    assert r.json()["code"] == "auth.invalid_token"


async def test_cached_token_not_yet_valid_when_clock_goes_back(client, tokens, clock):
    headers = await tokens.headers("guardian.hansen")
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
    clock.set(DEFAULT_NOW - timedelta(minutes=5))  # issued "in the future" now
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401


async def test_tampered_copy_of_a_cached_token_is_refused(client, tokens):
    headers = await tokens.headers("guardian.hansen")
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
    token = headers["Authorization"].removeprefix("Bearer ")
    head, payload, signature = token.split(".")
    forged = f"{head}.{payload}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    r = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"})
    assert r.status_code == 401
