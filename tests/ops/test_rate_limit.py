"""Sign-in is rate limited: 429 with Retry-After and a problem document."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from litestar.testing import AsyncTestClient

from backend.app.factory import build_runtime, create_app
from backend.app.settings import Settings, SettingsError
from backend.edge.ratelimit import client_address
from backend.lib.clock import Clock
from tests.support.demo import DEFAULT_NOW


async def test_sign_in_answers_429_with_retry_after_past_the_limit(settings, db_dsn):
    rt = build_runtime(limited(settings, auth_per_minute=3), dsn=db_dsn)
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


# ---- the limited address (X-Forwarded-For only from trusted proxies); refresh apart from sign-in


@contextlib.asynccontextmanager
async def served(rt: Any) -> AsyncIterator[str]:
    """The app behind a real uvicorn on 127.0.0.1, configured as ``skolebro serve`` does."""
    import uvicorn

    from backend.app.cli import uvicorn_config

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn_config(create_app(runtime=rt), "127.0.0.1", port))
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), task
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


def limited(settings: Any, **changes: Any) -> Any:
    """The settings with these sign-in limits (backend/signin/settings.py)."""
    return dataclasses.replace(settings, limits=dataclasses.replace(settings.limits, **changes))


def limited_runtime(settings: Any, db_dsn: str, **changes: Any) -> Any:
    rt = build_runtime(limited(settings, **changes), dsn=db_dsn)
    rt.clock = Clock(DEFAULT_NOW)
    return rt


DEV_LOGIN = {"username": "guardian.hansen", "client": "app"}


async def test_a_rotating_x_forwarded_for_does_not_escape_the_limit(settings, db_dsn):
    rt = limited_runtime(settings, db_dsn, auth_per_minute=3)
    async with served(rt) as base, httpx.AsyncClient(base_url=base) as c:
        answers = [
            (
                await c.post(
                    "/api/v1/auth/dev-login", json=DEV_LOGIN, headers={"X-Forwarded-For": f"203.0.113.{i}"}
                )
            ).status_code
            for i in range(10)
        ]
    assert answers == [200] * 3 + [429] * 7


async def test_behind_a_trusted_proxy_each_client_address_has_its_own_limit(settings, db_dsn):
    rt = limited_runtime(settings, db_dsn, auth_per_minute=2, trusted_proxies=("127.0.0.0/8",))
    async with served(rt) as base, httpx.AsyncClient(base_url=base) as c:

        async def sign_in(forwarded: str) -> int:
            r = await c.post("/api/v1/auth/dev-login", json=DEV_LOGIN, headers={"X-Forwarded-For": forwarded})
            return r.status_code

        assert [await sign_in("198.51.100.7") for _ in range(3)] == [200, 200, 429]
        # A hop the client made up, left of the one the proxy saw, changes nothing.
        assert await sign_in("203.0.113.99, 198.51.100.7") == 429
        # Another client behind the same proxy has its own budget.
        assert await sign_in("198.51.100.8") == 200
        # Proxies in a chain are skipped: the client is the rightmost untrusted hop.
        assert await sign_in("198.51.100.9, 127.0.0.5") == 200


async def test_refresh_is_limited_per_sign_in_not_per_address(settings, db_dsn):
    # One school NAT address: three sign-ins spend its budget, and the devices
    # still refresh, each up to its own family's limit.
    rt = limited_runtime(settings, db_dsn, auth_per_minute=3, refresh_per_minute=2)
    async with AsyncTestClient(app=create_app(runtime=rt)) as client:
        refresh_tokens = []
        for user in ("guardian.hansen", "guardian.nilsen", "teacher.3a"):
            r = await client.post("/api/v1/auth/dev-login", json={"username": user, "client": "app"})
            assert r.status_code == 200
            refresh_tokens.append(r.json()["refresh_token"])
        assert (await client.post("/api/v1/auth/dev-login", json=DEV_LOGIN)).status_code == 429

        async def refresh(token: str) -> Any:
            return await client.post(
                "/api/v1/auth/token", data={"grant_type": "refresh_token", "refresh_token": token}
            )

        for token in refresh_tokens:
            first = await refresh(token)
            assert first.status_code == 200, first.text
            second = await refresh(first.json()["refresh_token"])
            assert second.status_code == 200, second.text
            third = await refresh(second.json()["refresh_token"])
            assert third.status_code == 429
            assert third.json()["code"] == "rate_limited" and int(third.headers["retry-after"]) > 0
            # The limited refresh changed nothing: its token is still the family's current one.
            assert (
                await client.post(
                    "/api/v1/auth/logout", json={"refresh_token": second.json()["refresh_token"]}
                )
            ).status_code == 204


async def test_failed_refreshes_count_against_the_address(settings, db_dsn):
    rt = limited_runtime(settings, db_dsn, auth_per_minute=3)
    async with AsyncTestClient(app=create_app(runtime=rt)) as client:
        for i in range(3):
            r = await client.post(
                "/api/v1/auth/token", data={"grant_type": "refresh_token", "refresh_token": f"guess-{i}"}
            )
            assert r.status_code == 400
        r = await client.post(
            "/api/v1/auth/token", data={"grant_type": "refresh_token", "refresh_token": "guess-4"}
        )
        assert r.status_code == 429
        assert (
            await client.post("/api/v1/auth/logout", json={"refresh_token": "guess-5"})
        ).status_code == 429
        # Signing in is a budget of its own.
        assert (await client.post("/api/v1/auth/dev-login", json=DEV_LOGIN)).status_code == 200


def test_client_address_reads_forwarded_hops_only_from_trusted_peers():
    def scope(peer: str, forwarded: str | None) -> dict[str, Any]:
        headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
        return {"client": (peer, 1234), "headers": headers}

    trusted = ("10.0.0.0/8",)
    assert client_address(scope("198.51.100.1", "1.2.3.4"), trusted) == "198.51.100.1"
    assert client_address(scope("10.0.0.2", "1.2.3.4"), trusted) == "1.2.3.4"
    assert client_address(scope("10.0.0.2", "6.6.6.6, 1.2.3.4, 10.0.0.9"), trusted) == "1.2.3.4"
    assert client_address(scope("10.0.0.2", None), trusted) == "10.0.0.2"
    assert client_address(scope("10.0.0.2", "1.2.3.4"), ()) == "10.0.0.2"


def test_trusted_proxies_and_database_timeouts_come_from_the_environment():
    s = Settings.from_env(
        {
            "SKOLEBRO_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.7",
            "SKOLEBRO_DB_STATEMENT_CACHE_SIZE": "0",
            "SKOLEBRO_DIRECT_DATABASE_URL": "postgresql://db:5432/skolebro",
            "SKOLEBRO_DB_COMMAND_TIMEOUT": "2.5",
        }
    )
    assert s.limits.trusted_proxies == ("10.0.0.0/8", "192.168.1.7/32")
    assert s.database.statement_cache_size == 0 and s.database.command_timeout_seconds == 2.5
    assert s.database.direct_url == "postgresql://db:5432/skolebro"
    with pytest.raises(SettingsError, match="SKOLEBRO_TRUSTED_PROXIES"):
        Settings.from_env({"SKOLEBRO_TRUSTED_PROXIES": "the load balancer"})
