"""Authorization matrix for reaching guardians × every outsider (api.md: 404 for
whoever may not see the object). The call list, logging a call and reachability
are for the class team and the school's leaders; test alerts for leaders."""

from __future__ import annotations

import pytest

from tests.support.demo import CLASS_3A, OLA, SCHOOL, person
from tests.support.routine import MONDAY, oslo, pupil_row, roll_call

# These tests move the clock past a token's lifetime: a new token per call.
pytestmark = pytest.mark.fresh_tokens

OUTSIDERS = [
    "teacher.9b",  # a teacher of another class at the same school
    "teacher.math9b",
    "guardian.hansen",  # a guardian with access: not staff
    "guardian.nilsen",
    "guardian.blocked",
    "guardian.other",
    "pupil.ola",
    "teacher.other",
    "leader.other",
    "pupil.other",
]
INSIDERS = ["teacher.3a", "team.3a", "leader"]


@pytest.fixture
async def case_id(client, tokens, db, clock):
    clock.set(oslo(MONDAY, 8, 40))
    r = await roll_call(client, await tokens.headers("teacher.3a"), db, CLASS_3A, MONDAY, {OLA})
    return pupil_row(r.json(), OLA)["missing_case_id"]


def _requests(case_id):
    return {
        "call_list": ("GET", f"/api/v1/missing-cases/{case_id}/call-list", None),
        "log_call": (
            "POST",
            f"/api/v1/missing-cases/{case_id}/contacts",
            {"guardian_id": str(person("guardian.hansen")), "outcome": "reached"},
        ),
        "reachability": ("GET", f"/api/v1/classes/{CLASS_3A}/reachability", None),
        "test_alert": ("POST", f"/api/v1/schools/{SCHOOL}/test-alerts", None),
    }


async def _send(client, method, url, body, headers):
    if body is None:
        return await client.request(method, url, headers=headers)
    return await client.request(method, url, headers=headers, json=body)


@pytest.mark.parametrize("outsider", OUTSIDERS)
async def test_outsiders_get_404_and_change_nothing(client, tokens, db, case_id, outsider):
    headers = await tokens.headers(outsider)
    got = {}
    for name, (method, url, body) in _requests(case_id).items():
        r = await _send(client, method, url, body, headers)
        got[name] = r.status_code
        assert "+4740000001" not in r.text
    assert got == {name: 404 for name in got}
    assert await db.fetchval("SELECT count(*) FROM contact_attempts") == 0
    assert await db.fetchval("SELECT reached_at FROM missing_cases") is None
    assert await db.fetchval("SELECT count(*) FROM test_alerts") == 0
    assert await db.fetchval("SELECT count(*) FROM audit_log WHERE action = 'missing_cases.call_list'") == 0


@pytest.mark.parametrize("insider", INSIDERS)
async def test_class_team_and_leaders_may(client, tokens, case_id, insider):
    headers = await tokens.headers(insider)
    for name in ("call_list", "reachability"):
        method, url, body = _requests(case_id)[name]
        assert (await _send(client, method, url, body, headers)).status_code == 200, name
    method, url, body = _requests(case_id)["test_alert"]
    expected = 202 if insider == "leader" else 404
    assert (await _send(client, method, url, body, headers)).status_code == expected


async def test_no_token(client, case_id):
    for method, url, body in _requests(case_id).values():
        assert (await _send(client, method, url, body, {})).status_code == 401
    assert (await client.get("/api/v1/me/contact")).status_code == 401
