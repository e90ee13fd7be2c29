"""Authorization matrix for a pupil's guardians (api.md: Guardians of a pupil) × every outsider.

404 for whoever may not see the pupil, 403 for whoever sees the pupil but may
not read (or change) its guardians, 401 without a token. Nothing an outsider
sends is written.
"""

from __future__ import annotations

import pytest

from tests.support.demo import KARI, OLA, person
from tests.support.problems import assert_problem

NILSEN = person("guardian.nilsen")
BLOCKED = person("guardian.blocked")

OUTSIDERS = [
    "guardian.other",
    "guardian.blocked",
    "guardian.readonly",
    "guardian.hansen",
    "guardian.nilsen",
    "teacher.other",
    "teacher.9b",
    "teacher.math9b",
    "team.3a",
    "teacher.3a",
    "leader.other",
    "pupil.other",
    "pupil.ola",
    "pupil.kari",
]
BODY = {"access": "none", "reason": "Hemmelig adresse"}
REQUESTS = {
    "list": ("GET", f"/api/v1/pupils/{OLA}/guardians", None),
    "set": ("PUT", f"/api/v1/pupils/{OLA}/guardians/{NILSEN}", BODY),
    "lift": ("DELETE", f"/api/v1/pupils/{OLA}/guardians/{BLOCKED}/school-access", None),
}
# Those who see Ola: his guardians with access and Ola himself know him (403);
# his class team reads nothing here, the contact teacher reads only.
SEES_OLA = {"guardian.hansen", "guardian.nilsen", "pupil.ola", "team.3a"}
EXPECTED = {(e, u): 403 for u in SEES_OLA for e in REQUESTS} | {
    ("list", "teacher.3a"): 200,
    ("set", "teacher.3a"): 403,
    ("lift", "teacher.3a"): 403,
}


async def _send(client, method, url, body, headers):
    if body is None:
        return await client.request(method, url, headers=headers)
    return await client.request(method, url, headers=headers, json=body)


async def _state(db):
    return await db.fetch(
        "SELECT guardian_id, access, roster_access, school_access FROM guardian_relations"
        " WHERE pupil_id = $1 ORDER BY guardian_id",
        OLA,
    )


@pytest.mark.parametrize("outsider", OUTSIDERS)
async def test_outsiders(client, tokens, db, outsider):
    before = await _state(db)
    headers = await tokens.headers(outsider)
    got = {}
    for name, (method, url, body) in REQUESTS.items():
        got[name] = (await _send(client, method, url, body, headers)).status_code
    assert got == {e: EXPECTED.get((e, outsider), 404) for e in REQUESTS}
    assert await _state(db) == before
    assert await db.fetchval("SELECT count(*) FROM guardian_access_changes") == 0


async def test_no_token(client):
    for method, url, body in REQUESTS.values():
        assert (await _send(client, method, url, body, {})).status_code == 401, url


async def test_leader_of_the_school_lists_blocked_guardians_too(client, tokens):
    r = await client.get(f"/api/v1/pupils/{OLA}/guardians", headers=await tokens.headers("leader"))
    assert r.status_code == 200
    assert r.json()["birth_date_missing"] is False
    by_id = {g["guardian_id"]: g for g in r.json()["items"]}
    assert by_id[str(BLOCKED)]["access"] == "none"
    assert by_id[str(NILSEN)] == {
        "guardian_id": str(NILSEN),
        "name": "Per Nilsen",
        "access": "full",
        "source": "roster",
        "roster_access": "full",
        "adult_consent": False,
    }


async def test_a_guardian_of_another_pupil_is_not_found(client, tokens):
    # guardian.readonly is Kari's guardian, not Ola's.
    r = await client.put(
        f"/api/v1/pupils/{OLA}/guardians/{person('guardian.readonly')}",
        headers=await tokens.headers("leader"),
        json=BODY,
    )
    assert_problem(r, 404)
    r = await client.put(
        f"/api/v1/pupils/{KARI}/guardians/{NILSEN}", headers=await tokens.headers("leader"), json=BODY
    )
    assert_problem(r, 404)


@pytest.mark.parametrize(
    "body",
    [
        {"access": "none"},
        {"access": "none", "reason": ""},
        {"access": "none", "reason": "x" * 501},
        {"access": "blocked", "reason": "x"},
        {"access": "none", "reason": "x", "extra": 1},
    ],
)
async def test_bad_bodies_are_refused_and_change_nothing(client, tokens, db, body):
    before = await _state(db)
    r = await client.put(
        f"/api/v1/pupils/{OLA}/guardians/{NILSEN}", headers=await tokens.headers("leader"), json=body
    )
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert await _state(db) == before


async def test_a_guardian_the_school_blocks_learns_nothing_more(client, db, clock):
    from tests.support.demo import CLASS_3A
    from tests.support.routine import MONDAY, inbox, oslo, pupil_row, roll_call
    from tests.support.tokens import FreshTokens

    tokens = FreshTokens(client)
    r = await client.put(
        f"/api/v1/pupils/{OLA}/guardians/{NILSEN}",
        headers=await tokens.headers("leader"),
        json={"access": "none", "reason": "Besøksforbud"},
    )
    assert r.status_code == 200 and r.json()["access"] == "none"
    nilsen = await tokens.headers("guardian.nilsen")
    assert (await client.get("/api/v1/me", headers=nilsen)).json()["children"] == []
    assert (await client.get(f"/api/v1/pupils/{OLA}/absence-reports", headers=nilsen)).status_code == 404

    clock.set(oslo(MONDAY, 8, 40))
    r = await roll_call(client, await tokens.headers("teacher.3a"), db, CLASS_3A, MONDAY, {OLA})
    case_id = pupil_row(r.json(), OLA)["missing_case_id"]
    assert len(await inbox(db, "guardian.hansen", "missing_pupil")) == 1
    assert await inbox(db, "guardian.nilsen") == []
    r = await client.get(f"/api/v1/missing-cases/{case_id}", headers=await tokens.headers("guardian.nilsen"))
    assert r.status_code == 404
