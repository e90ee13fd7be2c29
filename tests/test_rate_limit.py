"""Sign-in is rate limited: 429 with Retry-After and a problem document."""

from __future__ import annotations

import dataclasses

from litestar.testing import AsyncTestClient

from backend.app import build_runtime, create_app
from backend.clock import Clock
from tests.conftest import DEFAULT_NOW


async def test_sign_in_answers_429_with_retry_after_past_the_limit(settings, db_dsn):
    rt = build_runtime(dataclasses.replace(settings, auth_rate_limit_per_minute=3), dsn=db_dsn)
    rt.clock = Clock(DEFAULT_NOW)
    async with AsyncTestClient(app=create_app(runtime=rt)) as client:
        body = {"username": "guardian.hansen", "client": "app"}
        for _ in range(3):
            assert (await client.post("/api/v1/auth/dev-login", json=body)).status_code == 200
        r = await client.post("/api/v1/auth/dev-login", json=body)
        assert r.status_code == 429
        assert int(r.headers["retry-after"]) > 0
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["code"] == "rate_limited"
        # Other endpoints are not limited by sign-in attempts.
        assert (await client.get("/health")).status_code == 200
