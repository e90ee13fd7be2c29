"""Authorization matrix: every follow-up and school-owner endpoint and page × every outsider.

Ola (3A) and Kari (9B) each have an open follow-up. A follow-up is staff-only: the
contact teacher of the pupil's class and the school's leaders. Everyone else — the
pupil, a guardian with full or read-only access, the class team, a subject teacher,
teachers and leaders elsewhere, the school owner — gets 404 exactly as for a
follow-up that does not exist; a bad or missing token is 401 (a redirect to sign-in
on the web). The owner's statistics are the owner's only.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest

from backend.roster.demo import demo_id
from tests.access.test_matrix import OUTSIDERS, Outsider, _headers
from tests.support.demo import KARI, OLA
from tests.support.follow_ups import EVENING, MONDAYS, past_report, run_follow_up_job
from tests.support.problems import assert_problem
from tests.support.web_portal import web_login

pytestmark = pytest.mark.fresh_tokens

DISTRICT = demo_id("district:sunnfjord")

# The follow-up's own outsiders beyond the shared list: people close to the pupil who
# still may not see a follow-up.
FOLLOW_UP_OUTSIDERS = [
    *OUTSIDERS,
    Outsider("guardian with full access", "guardian.hansen"),
    Outsider("the pupil", "pupil.ola"),
    Outsider("class team of the pupil's class", "team.3a"),
    Outsider("subject teacher of the pupil (9B maths)", "teacher.math9b", pupil=KARI),
    Outsider("read-only guardian of the pupil", "guardian.readonly", pupil=KARI),
    Outsider("school owner", "owner"),
]


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str
    body: dict[str, Any] | None = None
    owner: str = "teacher.3a"
    ok: int = 200
    expect: dict[str, int] = field(default_factory=dict)


ENDPOINTS = [
    Endpoint("follow-up detail", "GET", "/api/v1/follow-ups/{follow_up_id}"),
    Endpoint(
        "log an action",
        "POST",
        "/api/v1/follow-ups/{follow_up_id}/actions",
        body={"kind": "meeting", "on": "2026-11-23"},
        ok=201,
    ),
    Endpoint("close", "POST", "/api/v1/follow-ups/{follow_up_id}/close", ok=409),
    Endpoint("owner statistics", "GET", "/api/v1/owners/{district_id}/absence-statistics", owner="owner"),
]


async def _arrange(client: Any, tokens: Any, db: Any, clock: Any) -> dict[uuid.UUID, str]:
    for pupil in (OLA, KARI):
        for day in MONDAYS:
            await past_report(db, pupil, day)
    clock.set(EVENING)
    assert (await run_follow_up_job(client, tokens))["opened"] == 2
    rows = await db.fetch("SELECT pupil_id, id FROM follow_ups")
    return {r["pupil_id"]: str(r["id"]) for r in rows}


def _expected(endpoint: Endpoint, outsider: Outsider) -> int:
    return 401 if outsider.token != "login" else 404


# Every endpoint × every outsider, but the owner's own statistics: there the owner is
# the rightful user (the control test's row).
CELLS = [
    pytest.param(e, o, id=f"{e.name}-{o.name}")
    for e in ENDPOINTS
    for o in FOLLOW_UP_OUTSIDERS
    if not (e.owner == "owner" and o.username == "owner")
]


@pytest.mark.parametrize(("endpoint", "outsider"), CELLS)
async def test_outsider(client, tokens, clock, db, endpoint, outsider):
    ids = await _arrange(client, tokens, db, clock)
    ctx = {"follow_up_id": ids[outsider.pupil], "district_id": str(DISTRICT)}
    counts = (
        "SELECT (SELECT count(*) FROM follow_up_actions), (SELECT count(*) FROM audit_log),"
        " (SELECT count(*) FROM follow_ups WHERE status = 'open')"
    )
    before = await db.fetchrow(counts)
    # The clock moved to the evening: tokens are minted there, and expire 15 minutes later.
    if outsider.token == "expired":
        headers = await tokens.headers(outsider.username or "")
        clock.set(EVENING + timedelta(minutes=16))
    else:
        headers = await _headers(tokens, clock, outsider)
    r = await client.request(
        endpoint.method, endpoint.path.format(**ctx), headers=headers, json=endpoint.body
    )
    status = _expected(endpoint, outsider)
    body = assert_problem(r, status)
    if status == 404:
        ghost = {"follow_up_id": str(uuid.uuid4()), "district_id": str(uuid.uuid4())}
        ghost_r = await client.request(
            endpoint.method,
            endpoint.path.format(**ghost),
            headers=await tokens.headers(outsider.username or ""),
            json=endpoint.body,
        )
        assert ghost_r.status_code == 404 and ghost_r.json() == body
    assert await db.fetchrow(counts) == before


@pytest.mark.parametrize(
    "outsider", [o for o in FOLLOW_UP_OUTSIDERS if o.token == "login"], ids=lambda o: o.name
)
async def test_the_list_leaves_out_what_the_outsider_may_not_see(client, tokens, clock, db, outsider):
    ids = await _arrange(client, tokens, db, clock)
    r = await client.get("/api/v1/follow-ups", headers=await tokens.headers(outsider.username or ""))
    assert r.status_code == 200
    assert ids[outsider.pupil] not in {i["id"] for i in r.json()["items"]}


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
async def test_rightful_user(client, tokens, clock, db, endpoint):
    ids = await _arrange(client, tokens, db, clock)
    ctx = {"follow_up_id": ids[OLA], "district_id": str(DISTRICT)}
    for who in (endpoint.owner, "leader") if endpoint.owner != "owner" else ("owner",):
        r = await client.request(
            endpoint.method,
            endpoint.path.format(**ctx),
            headers=await tokens.headers(who),
            json=endpoint.body,
        )
        # Closing with no action is the contract's 409, which proves the route was reached.
        assert r.status_code == endpoint.ok, (who, r.text)


# --- web pages -----------------------------------------------------------------

PAGES = ["/web/follow-ups/{follow_up_id}", "/web/owners/{district_id}/statistics"]


@pytest.mark.parametrize(
    "outsider", [o for o in FOLLOW_UP_OUTSIDERS if o.token == "login"], ids=lambda o: o.name
)
async def test_pages_are_404_for_outsiders(client, tokens, clock, db, outsider):
    ids = await _arrange(client, tokens, db, clock)
    await web_login(client, outsider.username or "")
    ctx = {"follow_up_id": ids[outsider.pupil], "district_id": str(DISTRICT)}
    for path in PAGES:
        if outsider.username == "owner" and "owners" in path:
            continue
        r = await client.get(path.format(**ctx))
        assert r.status_code == 404, (path, outsider.name)
    r = await client.post(
        f"/web/follow-ups/{ids[outsider.pupil]}/close", data={"csrf_token": "x"}, follow_redirects=False
    )
    assert r.status_code in (403, 404)
    assert await db.fetchval("SELECT count(*) FROM follow_ups WHERE status = 'open'") == 2


async def test_pages_send_a_browser_without_a_session_to_sign_in(client, tokens, clock, db):
    ids = await _arrange(client, tokens, db, clock)
    for path in (*PAGES, "/web/follow-ups"):
        r = await client.get(path.format(follow_up_id=ids[OLA], district_id=DISTRICT), follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/web/login"), path
