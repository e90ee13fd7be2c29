"""The web portal: sign-in, pages, escaping, CSRF, cookies, language, OIDC."""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import AsyncTestClient

from tests.conftest import CLASS_3A, OLA, person


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF field"
    return match.group(1)


async def web_login(client: AsyncTestClient[Any], username: str) -> str:
    """Sign in through the dev form as a browser would; returns a CSRF token of the session."""
    page = await client.get("/web/login")
    assert page.status_code == 200
    r = await client.post("/web/login", data={"csrf_token": csrf_of(page.text),
                                              "username": username, "next": "/web/leave"})
    assert r.status_code == 303, r.text
    leave = await client.get("/web/leave")
    assert leave.status_code == 200
    return csrf_of(leave.text)


async def test_smoke(client):
    csrf = await web_login(client, "guardian.hansen")
    r = await client.post("/web/leave", data={"csrf_token": csrf, "pupil_id": str(OLA),
                                              "first_day": "2026-11-24", "last_day": "2026-11-25",
                                              "reason": "<script>alert(1)</script>"})
    assert r.status_code == 303, r.text
    page = await client.get("/web/leave")
    print(page.text)
    assert "&lt;script&gt;" in page.text
    await client.post("/web/logout", data={"csrf_token": csrf})
    await web_login(client, "teacher.3a")
    b = await client.get(f"/web/classes/{CLASS_3A}/attendance")
    print(b.status_code, b.text[:3000])
    _ = person
