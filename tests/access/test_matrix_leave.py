"""Authorization matrix: every leave endpoint and web page × every outsider.

Ola (3A) has a pending request by guardian.hansen; Kari (9B) one too, for
the read-only guardian's row (may read, 403 on writes). An outsider gets
404 exactly as if the request or pupil did not exist; no token is 401 on
the API and a redirect to sign-in on the web.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.support.demo import CLASS_3A, CLASS_9B, KARI, OLA

# username -> why they are an outsider to Ola and his class 3A
OUTSIDERS = {
    "guardian.other": "guardian of a pupil at another school",
    "guardian.blocked": "guardian relation with access none to Ola",
    "teacher.9b": "teacher of another class at the same school",
    "teacher.other": "teacher at another school",
    "leader.other": "leader of another school",
    "pupil.kari": "another pupil",
    "pupil.other": "a pupil at another school",
}
BODY = {"first_day": "2026-11-24", "last_day": "2026-11-25", "reason": "Familietur"}


@pytest.fixture
async def requests(client, tokens) -> dict[str, str]:
    made = {}
    for pupil, name in ((OLA, "ola"), (KARI, "kari")):
        r = await client.post(
            f"/api/v1/pupils/{pupil}/leave-requests",
            json=BODY,
            headers=await tokens.headers("guardian.hansen", "web"),
        )
        assert r.status_code == 201, r.text
        made[name] = r.json()["id"]
    tokens.forget()
    return made


# --- API ----------------------------------------------------------------------


@pytest.mark.parametrize("outsider", sorted(OUTSIDERS))
async def test_outsiders_cannot_apply_for_ola(client, tokens, db, requests, outsider):
    r = await client.post(
        f"/api/v1/pupils/{OLA}/leave-requests", json=BODY, headers=await tokens.headers(outsider, "web")
    )
    assert r.status_code == 404, OUTSIDERS[outsider]
    assert r.json()["code"] == "not_found"
    assert await db.fetchval("SELECT count(*) FROM leave_requests") == 2


@pytest.mark.parametrize("outsider", sorted(OUTSIDERS))
async def test_app_tokens_are_refused_alike_for_any_pupil(client, tokens, outsider):
    # The web-only answer does not depend on the pupil, so it leaks nothing.
    h = await tokens.headers(outsider, "app")
    for pupil in (OLA, uuid.uuid4()):
        r = await client.post(f"/api/v1/pupils/{pupil}/leave-requests", json=BODY, headers=h)
        assert r.status_code == 403
        assert r.json()["code"] == "leave.web_only"


@pytest.mark.parametrize("outsider", sorted(OUTSIDERS))
async def test_outsiders_do_not_see_olas_request(client, tokens, requests, outsider):
    for status in ("", "?status=pending"):
        r = await client.get(f"/api/v1/leave-requests{status}", headers=await tokens.headers(outsider))
        assert r.status_code == 200
        assert requests["ola"] not in {i["id"] for i in r.json()["items"]}, OUTSIDERS[outsider]


@pytest.mark.parametrize("outsider", sorted(OUTSIDERS))
async def test_outsiders_cannot_decide_olas_request(client, tokens, db, requests, outsider):
    r = await client.post(
        f"/api/v1/leave-requests/{requests['ola']}/decision",
        json={"approved": True},
        headers=await tokens.headers(outsider),
    )
    assert r.status_code == 404, OUTSIDERS[outsider]
    assert await db.fetchval("SELECT count(*) FROM leave_requests WHERE status = 'pending'") == 2


async def test_read_only_guardian_reads_but_gets_403_on_writes(client, tokens, requests):
    h = await tokens.headers("guardian.readonly", "web")
    listed = await client.get("/api/v1/leave-requests", headers=h)
    assert {i["id"] for i in listed.json()["items"]} == {requests["kari"]}
    r = await client.post(
        f"/api/v1/pupils/{KARI}/leave-requests",
        headers=h,
        json={**BODY, "first_day": "2026-11-30", "last_day": "2026-11-30"},
    )
    assert r.status_code == 403
    r = await client.post(
        f"/api/v1/leave-requests/{requests['kari']}/decision", headers=h, json={"approved": True}
    )
    assert r.status_code == 403
    # Ola is not theirs at all.
    r = await client.post(
        f"/api/v1/leave-requests/{requests['ola']}/decision", headers=h, json={"approved": True}
    )
    assert r.status_code == 404


async def test_no_token_is_401_everywhere(client, requests):
    for method, path, body in (
        ("POST", f"/api/v1/pupils/{OLA}/leave-requests", BODY),
        ("GET", "/api/v1/leave-requests", None),
        ("POST", f"/api/v1/leave-requests/{requests['ola']}/decision", {"approved": True}),
    ):
        r = await client.request(method, path, json=body)
        assert r.status_code == 401, path
        assert r.headers["content-type"].startswith("application/problem+json")


# --- web pages ------------------------------------------------------------------


async def sign_in(client: AsyncTestClient[Any], username: str) -> str:
    page = await client.get("/web/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    r = await client.post(
        "/web/login", follow_redirects=False, data={"csrf_token": token, "username": username}
    )
    assert r.status_code == 303
    leave = await client.get("/web/leave")
    return re.search(r'name="csrf_token" value="([^"]+)"', leave.text).group(1)  # type: ignore[union-attr]


@pytest.mark.parametrize("outsider", sorted(OUTSIDERS))
async def test_web_pages_refuse_outsiders(client, db, requests, outsider):
    csrf = await sign_in(client, outsider)
    page = await client.get("/web/leave")
    assert page.status_code == 200
    assert requests["ola"] not in page.text and "Ola Hansen" not in page.text
    r = await client.post(
        "/web/leave", follow_redirects=False, data={"csrf_token": csrf, "pupil_id": str(OLA), **BODY}
    )
    assert r.status_code == 404, OUTSIDERS[outsider]
    r = await client.post(
        f"/web/leave/{requests['ola']}/decision",
        follow_redirects=False,
        data={"csrf_token": csrf, "decision": "approve"},
    )
    assert r.status_code == 404, OUTSIDERS[outsider]
    board = f"/web/classes/{CLASS_3A}/attendance"
    assert (await client.get(board)).status_code == 404, OUTSIDERS[outsider]
    r = await client.post(
        board,
        follow_redirects=False,
        data={"csrf_token": csrf, "date": "2026-11-23", f"mark_{OLA}": "absent"},
    )
    assert r.status_code == 404
    r = await client.post(
        f"{board}/complete", follow_redirects=False, data={"csrf_token": csrf, "date": "2026-11-23"}
    )
    assert r.status_code == 404
    assert await db.fetchval("SELECT count(*) FROM leave_requests WHERE status = 'pending'") == 2
    # The class's own teacher (in another browser) finds the board untouched.
    client.cookies.clear()
    await sign_in(client, "teacher.3a")
    untouched = (await client.get(board)).text
    assert "20 ikke registrert" in untouched and "Kontrollen er ikke fullført." in untouched


@pytest.mark.parametrize("username", ["guardian.hansen", "pupil.ola", "teacher.math9b"])
async def test_guardians_pupils_and_subject_teachers_have_no_board(client, username):
    await sign_in(client, username)
    for class_id in (CLASS_3A, CLASS_9B):
        r = await client.get(f"/web/classes/{class_id}/attendance")
        assert r.status_code == 404, (username, class_id)


async def test_read_only_guardian_on_the_web(client, db, requests):
    csrf = await sign_in(client, "guardian.readonly")
    page = await client.get("/web/leave")
    assert requests["kari"] in page.text  # may read
    assert f"/web/leave/{requests['kari']}/decision" not in page.text
    r = await client.post(
        "/web/leave",
        follow_redirects=False,
        data={
            "csrf_token": csrf,
            "pupil_id": str(KARI),
            **BODY,
            "first_day": "2026-11-30",
            "last_day": "2026-11-30",
        },
    )
    assert r.status_code == 403
    r = await client.post(
        f"/web/leave/{requests['kari']}/decision",
        follow_redirects=False,
        data={"csrf_token": csrf, "decision": "approve"},
    )
    assert r.status_code == 403
    assert await db.fetchval("SELECT count(*) FROM leave_requests WHERE status = 'pending'") == 2


async def test_no_session_is_sent_to_sign_in(client, requests):
    for method, path in (
        ("GET", "/web/leave"),
        ("POST", "/web/leave"),
        ("POST", f"/web/leave/{requests['ola']}/decision"),
        ("GET", f"/web/classes/{CLASS_3A}/attendance"),
        ("POST", f"/web/classes/{CLASS_3A}/attendance"),
        ("POST", f"/web/classes/{CLASS_3A}/attendance/complete"),
    ):
        r = await client.request(method, path, follow_redirects=False)
        assert r.status_code == 303, path
        assert r.headers["location"].startswith("/web/login")
