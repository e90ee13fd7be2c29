"""The portal as a browser without JavaScript uses it: forms, their CSRF token, sign-in."""

from __future__ import annotations

import re
from typing import Any

import httpx
from litestar.testing import AsyncTestClient


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF field"
    return match.group(1)


async def web_login(client: AsyncTestClient[Any], username: str) -> str:
    """Sign in through the dev form as a browser would; returns the session's CSRF token."""
    page = await client.get("/web/login")
    assert page.status_code == 200
    r = await client.post(
        "/web/login",
        follow_redirects=False,
        data={"csrf_token": csrf_of(page.text), "username": username, "next": "/web/leave"},
    )
    assert r.status_code == 303, r.text
    assert r.headers["location"] == "/web/leave"
    leave = await client.get("/web/leave")
    assert leave.status_code == 200
    return csrf_of(leave.text)


async def post(client: AsyncTestClient[Any], path: str, **data: str) -> httpx.Response:
    return await client.post(path, data=data, follow_redirects=False)
