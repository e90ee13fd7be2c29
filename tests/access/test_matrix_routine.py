"""Authorization matrix for the routine's endpoints × every outsider.

404 for whoever may not see the object, 403 for whoever sees it but may not
change it (api.md conventions), 401 without a token.
"""

from __future__ import annotations

import pytest

from tests.support.demo import CLASS_3A, CLASS_9B, KARI, OLA, SCHOOL
from tests.support.routine import MONDAY, oslo, pupil_row, roll_call, run_job

# These tests move the clock past a token's lifetime: a new token per call.
pytestmark = pytest.mark.fresh_tokens

OUTSIDERS = [
    "guardian.other",
    "guardian.blocked",
    "guardian.readonly",
    "teacher.other",
    "teacher.9b",
    "teacher.math9b",
    "leader.other",
    "pupil.other",
    "pupil.ola",
]
DAY = MONDAY.isoformat()


@pytest.fixture
async def cases(client, tokens, db, clock):
    """Ola's case sought (3A, at once) and Kari's case sought (9B, at 10:00)."""
    clock.set(oslo(MONDAY, 8, 40))
    r = await roll_call(client, await tokens.headers("teacher.9b"), db, CLASS_9B, MONDAY, {KARI})
    kari = pupil_row(r.json(), KARI)["missing_case_id"]
    clock.set(oslo(MONDAY, 9, 45))
    r = await roll_call(client, await tokens.headers("teacher.3a"), db, CLASS_3A, MONDAY, {OLA})
    ola = pupil_row(r.json(), OLA)["missing_case_id"]
    clock.set(oslo(MONDAY, 10, 0))
    await run_job(client, tokens, "missing-pupil-sweep")
    return {"ola": ola, "kari": kari}


def _requests(cases):
    ola = cases["ola"]
    return {
        "board": ("GET", f"/api/v1/classes/{CLASS_3A}/attendance", None),
        "roll_call": (
            "PUT",
            f"/api/v1/classes/{CLASS_3A}/attendance/{DAY}",
            {"marks": [{"pupil_id": str(OLA), "status": "present"}]},
        ),
        "complete": ("POST", f"/api/v1/classes/{CLASS_3A}/attendance/{DAY}/complete", None),
        "case": ("GET", f"/api/v1/missing-cases/{ola}", None),
        "resolve": ("POST", f"/api/v1/missing-cases/{ola}/resolve", {"outcome": "found_other"}),
        "settings": ("GET", f"/api/v1/schools/{SCHOOL}/settings", None),
        "settings_put": ("PUT", f"/api/v1/schools/{SCHOOL}/settings", {"escalate_after_minutes": 40}),
        "closed_days": ("GET", f"/api/v1/schools/{SCHOOL}/closed-days", None),
        "closed_day_add": (
            "POST",
            f"/api/v1/schools/{SCHOOL}/closed-days",
            {"date": "2026-12-01", "label": "Fri"},
        ),
        "closed_day_remove": ("DELETE", f"/api/v1/schools/{SCHOOL}/closed-days/2026-12-01", None),
    }


ENDPOINTS = [
    "board",
    "roll_call",
    "complete",
    "case",
    "resolve",
    "settings",
    "settings_put",
    "closed_days",
    "closed_day_add",
    "closed_day_remove",
]

# Staff of the school may read closed days and see they cannot change them.
STAFF_OF_SCHOOL = {"teacher.9b", "teacher.math9b"}
EXPECTED = (
    {("closed_days", u): 200 for u in STAFF_OF_SCHOOL}
    | {("closed_day_add", u): 403 for u in STAFF_OF_SCHOOL}
    | {("closed_day_remove", u): 403 for u in STAFF_OF_SCHOOL}
)


async def _send(client, method, url, body, headers):
    if body is None:
        return await client.request(method, url, headers=headers)
    return await client.request(method, url, headers=headers, json=body)


@pytest.mark.parametrize("outsider", OUTSIDERS)
async def test_outsiders(client, tokens, db, cases, outsider):
    headers = await tokens.headers(outsider)
    got = {}
    for endpoint in ENDPOINTS:
        method, url, body = _requests(cases)[endpoint]
        got[endpoint] = (await _send(client, method, url, body, headers)).status_code
    assert got == {e: EXPECTED.get((e, outsider), 404) for e in ENDPOINTS}
    # Nothing an outsider sent was written.
    assert await db.fetchval("SELECT status FROM missing_cases WHERE pupil_id = $1", OLA) == "sought"
    assert await db.fetchval("SELECT count(*) FROM closed_days") == 0
    assert await db.fetchval("SELECT escalate_after_minutes FROM schools WHERE id = $1", SCHOOL) == 30


async def test_no_token(client, cases):
    for endpoint in ENDPOINTS:
        method, url, body = _requests(cases)[endpoint]
        r = await _send(client, method, url, body, {})
        assert r.status_code == 401, endpoint


async def test_no_token_for_lists_and_jobs(client):
    assert (await client.get("/api/v1/missing-cases")).status_code == 401
    assert (await client.post("/api/v1/dev/jobs/missing-pupil-sweep/run")).status_code == 401


@pytest.mark.parametrize("outsider", OUTSIDERS)
async def test_outsiders_list_no_foreign_cases(client, tokens, cases, outsider):
    r = await client.get("/api/v1/missing-cases", headers=await tokens.headers(outsider))
    assert r.status_code == 200
    ids = {c["id"] for c in r.json()["items"]}
    assert cases["ola"] not in ids
    expected = {cases["kari"]} if outsider in ("guardian.readonly", "teacher.9b") else set()
    assert ids == expected


async def test_read_only_guardian_reads_but_cannot_answer(client, tokens, db, cases):
    h = await tokens.headers("guardian.readonly")
    r = await client.get(f"/api/v1/missing-cases/{cases['kari']}", headers=h)
    assert r.status_code == 200
    r = await client.post(
        f"/api/v1/missing-cases/{cases['kari']}/resolve", headers=h, json={"outcome": "on_the_way"}
    )
    assert r.status_code == 403
    assert r.json()["code"] == "missing.read_only"
    assert await db.fetchval("SELECT status FROM missing_cases WHERE pupil_id = $1", KARI) == "sought"


@pytest.mark.parametrize(
    "who", ["teacher.math9b", "teacher.3a", "pupil.kari", "guardian.blocked", "guardian.nilsen"]
)
async def test_kari_case_hidden_from_others(client, tokens, cases, who):
    for method, url, body in (
        ("GET", f"/api/v1/missing-cases/{cases['kari']}", None),
        ("POST", f"/api/v1/missing-cases/{cases['kari']}/resolve", {"outcome": "other"}),
    ):
        r = await _send(client, method, url, body, await tokens.headers(who))
        assert r.status_code == 404, (who, r.text)


@pytest.mark.parametrize("insider", ["teacher.3a", "team.3a", "leader"])
async def test_class_team_and_leaders_see_the_board(client, tokens, insider):
    r = await client.get(f"/api/v1/classes/{CLASS_3A}/attendance", headers=await tokens.headers(insider))
    assert r.status_code == 200
