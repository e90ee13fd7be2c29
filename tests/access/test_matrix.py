"""The authorization matrix: every pupil- or school-scoped endpoint × every outsider.

To cover a new endpoint, add an ``Endpoint`` to ``ENDPOINTS``: its path may use
``{pupil_id}``, ``{report_id}`` (a report Hansen filed for that pupil) and
``{school_id}``. Outsiders get the answers the contract documents: 401 for a bad or
missing token, 404 for anyone who may not see the pupil (or school), and for the
read-only guardian 200 on reads and 403 on writes. ``expect`` overrides a cell,
``ok`` is what the rightful user (``owner``) gets — the control row proving the
request itself is right, so a 404 in the matrix means "refused", not "bad URL".
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest

from tests.support.demo import DEFAULT_NOW, KARI, OLA, SCHOOL, person
from tests.support.problems import assert_problem
from tests.support.tokens import bearer, claims_for, token_alg_none, token_with_other_key


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str
    body: dict[str, Any] | None = None
    writes: bool = False
    school_scoped: bool = False
    owner: str = "guardian.hansen"
    ok: int = 200
    expect: dict[str, int] = field(default_factory=dict)


ENDPOINTS = [
    Endpoint(
        "create absence report",
        "POST",
        "/api/v1/pupils/{pupil_id}/absence-reports",
        body={"first_day": "2026-11-24", "reason": "sick"},
        writes=True,
        ok=201,
    ),
    Endpoint("list absence reports", "GET", "/api/v1/pupils/{pupil_id}/absence-reports"),
    Endpoint(
        "withdraw absence report",
        "DELETE",
        "/api/v1/pupils/{pupil_id}/absence-reports/{report_id}",
        writes=True,
        ok=204,
    ),
    Endpoint(
        "school audit log", "GET", "/api/v1/schools/{school_id}/audit-log", school_scoped=True, owner="leader"
    ),
]


@dataclass(frozen=True)
class Outsider:
    name: str
    username: str | None = None
    pupil: uuid.UUID = OLA
    token: str = "login"  # login | none | expired | other_key | alg_none


OUTSIDERS = [
    Outsider("guardian of a classmate", "foresatt.3a.02"),
    Outsider("guardian at another school", "guardian.other"),
    Outsider("blocked guardian", "guardian.blocked"),
    Outsider("read-only guardian", "guardian.readonly", pupil=KARI),
    Outsider("teacher of another class", "teacher.9b"),
    Outsider("subject teacher of another class", "teacher.math9b"),
    Outsider("leader of another school", "leader.other"),
    Outsider("another pupil", "pupil.kari"),
    Outsider("no token", token="none"),
    Outsider("expired token", "guardian.hansen", token="expired"),
    Outsider("token signed by another key", token="other_key"),
    Outsider("alg none", token="alg_none"),
]


def expected(endpoint: Endpoint, outsider: Outsider) -> int:
    if outsider.name in endpoint.expect:
        return endpoint.expect[outsider.name]
    if outsider.token != "login":
        return 401
    if outsider.username == "guardian.readonly" and not endpoint.school_scoped:
        return 403 if endpoint.writes else 200
    return 404


async def _arrange(client: Any, tokens: Any, pupil: uuid.UUID) -> dict[str, str]:
    """A report for the pupil (so {report_id} exists) and a staff read (so the log has rows)."""
    r = await client.post(
        f"/api/v1/pupils/{pupil}/absence-reports",
        headers=await tokens.headers("guardian.hansen"),
        json={"first_day": "2026-11-23", "reason": "sick", "note": "Feber"},
    )
    assert r.status_code == 201, r.text
    await client.get(f"/api/v1/pupils/{pupil}/absence-reports", headers=await tokens.headers("leader"))
    return {"pupil_id": str(pupil), "report_id": r.json()["id"], "school_id": str(SCHOOL)}


async def _call(client: Any, endpoint: Endpoint, ctx: dict[str, str], headers: dict[str, str]) -> Any:
    return await client.request(
        endpoint.method, endpoint.path.format(**ctx), headers=headers, json=endpoint.body
    )


async def _headers(tokens: Any, clock: Any, outsider: Outsider) -> dict[str, str]:
    now = clock.now().timestamp()
    hansen = person("guardian.hansen")  # forged tokens name someone who *would* have access
    if outsider.token == "none":
        return {}
    if outsider.token == "other_key":
        return bearer(token_with_other_key(claims_for(hansen, now)))
    if outsider.token == "alg_none":
        return bearer(token_alg_none(claims_for(hansen, now)))
    assert outsider.username
    headers = await tokens.headers(outsider.username)
    if outsider.token == "expired":
        clock.set(DEFAULT_NOW + timedelta(minutes=16))
    return headers


@pytest.mark.parametrize("outsider", OUTSIDERS, ids=lambda o: o.name)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
async def test_outsider(client, tokens, clock, db, endpoint, outsider):
    ctx = await _arrange(client, tokens, outsider.pupil)
    before = await db.fetchval("SELECT count(*) FROM absence_reports")
    audited = await db.fetchval("SELECT count(*) FROM audit_log")
    r = await _call(client, endpoint, ctx, await _headers(tokens, clock, outsider))
    status = expected(endpoint, outsider)
    if status >= 400:
        body = assert_problem(r, status)
        if status == 404:
            # exactly as if the pupil did not exist: the same document for a random id
            ghost = {**ctx, "pupil_id": str(uuid.uuid4()), "school_id": str(uuid.uuid4())}
            ghost_r = await _call(client, endpoint, ghost, await tokens.headers(outsider.username or ""))
            assert ghost_r.status_code == 404 and ghost_r.json() == body
        assert await db.fetchval("SELECT count(*) FROM absence_reports") == before
        assert await db.fetchval("SELECT count(*) FROM audit_log") == audited
    else:
        assert r.status_code == status, r.text
        if endpoint.method == "GET" and not endpoint.school_scoped:
            assert all(i["note"] is None for i in r.json()["items"])  # not the submitter


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
async def test_rightful_user(client, tokens, endpoint):
    ctx = await _arrange(client, tokens, OLA)
    r = await _call(client, endpoint, ctx, await tokens.headers(endpoint.owner))
    assert r.status_code == endpoint.ok, r.text
