"""Authorization matrix for messaging: every endpoint × every outsider.

The thread under test is Ola's, started by guardian.hansen to Ola's contact
teacher. Nobody but its participants may see it, and a pupil the caller may
not see is 404, never 403 (api.md: Conventions). Read-only guardians may
message the school about their child (they may not report absence or apply
for leave); that is checked here as well, so a change to it is noticed.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.demo import KARI, OLA

CONTACT = [{"kind": "contact_teacher"}]

# Outsiders to Ola's thread; all of them get 404 on it.
THREAD_OUTSIDERS = [
    "guardian.nilsen",  # another guardian of Ola, not addressed
    "guardian.other",  # a guardian at another school
    "guardian.blocked",  # Ola's blocked parent
    "guardian.readonly",  # read-only guardian of Kari, not of Ola
    "teacher.9b",  # a teacher of another class
    "team.3a",  # a teacher of Ola's class who was not addressed
    "leader",  # the school's leader, not addressed
    "leader.other",  # the leader of another school
    "pupil.kari",  # another pupil
    "pupil.ola",  # the pupil himself, not addressed
]

# Callers who may not see Ola at all.
PUPIL_OUTSIDERS = [
    "guardian.other",
    "guardian.blocked",
    "guardian.readonly",
    "teacher.9b",
    "leader.other",
    "pupil.kari",
    "teacher.other",
    "pupil.other",
]


@pytest.fixture
async def thread(client: Any, tokens: Any) -> dict[str, Any]:
    r = await client.post(
        "/api/v1/threads",
        headers=await tokens.headers("guardian.hansen"),
        json={"pupil_id": str(OLA), "recipients": CONTACT, "subject": "S", "body": "Hemmelig"},
    )
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


async def _written(db: Any) -> tuple[int, int, int]:
    return tuple(
        await db.fetchrow(  # type: ignore[return-value]
            "SELECT (SELECT count(*) FROM message_threads), (SELECT count(*) FROM messages),"
            " (SELECT count(*) FROM notifications)"
        )
    )


@pytest.mark.parametrize("user", PUPIL_OUTSIDERS)
async def test_recipients_of_a_pupil_not_theirs_is_404(client, tokens, user):
    r = await client.get(
        "/api/v1/messaging/recipients", params={"pupil_id": str(OLA)}, headers=await tokens.headers(user)
    )
    assert r.status_code == 404
    assert r.json()["code"] == "not_found"


@pytest.mark.parametrize("user", PUPIL_OUTSIDERS)
async def test_starting_a_thread_about_a_pupil_not_theirs_is_404(client, tokens, db, user):
    recipients = [{"kind": "guardians"}] if user.startswith(("teacher", "leader")) else CONTACT
    r = await client.post(
        "/api/v1/threads",
        headers=await tokens.headers(user),
        json={"pupil_id": str(OLA), "recipients": recipients, "subject": "S", "body": "B"},
    )
    assert r.status_code == 404
    assert await _written(db) == (0, 0, 0)


@pytest.mark.parametrize("user", THREAD_OUTSIDERS)
async def test_outsiders_do_not_see_the_thread(client, tokens, db, thread, user):
    h = await tokens.headers(user)
    tid = thread["id"]
    before = await _written(db)
    listed = await client.get("/api/v1/threads", headers=h)
    assert listed.status_code == 200
    assert listed.json()["items"] == []
    r = await client.get(f"/api/v1/threads/{tid}", headers=h)
    assert r.status_code == 404
    assert "Hemmelig" not in r.text
    r = await client.post(f"/api/v1/threads/{tid}/messages", headers=h, json={"body": "Hei"})
    assert r.status_code == 404
    r = await client.post(f"/api/v1/threads/{tid}/read", headers=h)
    assert r.status_code == 404
    assert await _written(db) == before


async def test_participants_may_use_the_thread(client, tokens, thread):
    for user in ("guardian.hansen", "teacher.3a"):
        h = await tokens.headers(user)
        tid = thread["id"]
        assert (await client.get(f"/api/v1/threads/{tid}", headers=h)).status_code == 200
        r = await client.post(f"/api/v1/threads/{tid}/messages", headers=h, json={"body": "Ja"})
        assert r.status_code == 201
        assert (await client.post(f"/api/v1/threads/{tid}/read", headers=h)).status_code == 204


async def test_read_only_guardian_may_message_about_their_child(client, tokens):
    h = await tokens.headers("guardian.readonly")
    r = await client.get("/api/v1/messaging/recipients", params={"pupil_id": str(KARI)}, headers=h)
    assert r.status_code == 200
    assert [o["kind"] for o in r.json()][:2] == ["contact_teacher", "administration"]
    r = await client.post(
        "/api/v1/threads",
        headers=h,
        json={"pupil_id": str(KARI), "recipients": CONTACT, "subject": "S", "body": "B"},
    )
    assert r.status_code == 201


async def test_without_a_token_every_endpoint_is_401(client, thread):
    tid = thread["id"]
    calls = [
        ("GET", "/api/v1/messaging/recipients", {"params": {"pupil_id": str(OLA)}}),
        (
            "POST",
            "/api/v1/threads",
            {"json": {"pupil_id": str(OLA), "recipients": CONTACT, "subject": "S", "body": "B"}},
        ),
        ("GET", "/api/v1/threads", {}),
        ("GET", f"/api/v1/threads/{tid}", {}),
        ("POST", f"/api/v1/threads/{tid}/messages", {"json": {"body": "B"}}),
        ("POST", f"/api/v1/threads/{tid}/read", {}),
        ("GET", "/api/v1/me/office-hours", {}),
        ("PUT", "/api/v1/me/office-hours", {"json": {"office_hours": None}}),
    ]
    for method, path, kw in calls:
        r = await client.request(method, path, **kw)
        assert r.status_code == 401, (method, path)
        assert r.headers["content-type"].startswith("application/problem+json")
    forged = {"Authorization": "Bearer not.a.token"}
    r = await client.get(f"/api/v1/threads/{tid}", headers=forged)
    assert r.status_code == 401


@pytest.mark.parametrize("user", ["guardian.hansen", "guardian.blocked", "pupil.kari", "guardian.other"])
async def test_only_staff_set_office_hours(client, tokens, db, user):
    r = await client.put(
        "/api/v1/me/office-hours",
        headers=await tokens.headers(user),
        json={"office_hours": {"start": "08:00", "end": "15:00"}},
    )
    assert r.status_code == 403
    assert r.json()["code"] == "messaging.staff_only"
    assert await db.fetchval("SELECT count(*) FROM people WHERE office_hours IS NOT NULL") == 0


@pytest.mark.parametrize("user", ["teacher.other", "leader.other", "team.3a"])
async def test_staff_of_any_school_set_their_own_office_hours_only(client, tokens, db, user):
    r = await client.put(
        "/api/v1/me/office-hours",
        headers=await tokens.headers(user),
        json={"office_hours": {"start": "08:00", "end": "15:00"}},
    )
    assert r.status_code == 200
    owners = await db.fetch("SELECT username FROM people WHERE office_hours IS NOT NULL")
    assert [o["username"] for o in owners] == [user]
