"""Authorization matrix for legal holds (api.md: Data lifecycle) × every outsider.

Only the school leaders of the pupil's school place or lift a hold: 404 for whoever
may not see the pupil, 403 for whoever sees the pupil (guardians, the pupil, the
class team, subject teachers), 401 without a token. Nothing an outsider sends is
written, and nothing is audited.
"""

from __future__ import annotations

import pytest

from tests.support.demo import OLA, SCHOOL

OUTSIDERS = [
    "guardian.other",
    "guardian.blocked",
    "guardian.readonly",
    "guardian.hansen",
    "guardian.nilsen",
    "foresatt.3a.02",
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
REQUESTS = {
    "place": ("POST", f"/api/v1/pupils/{OLA}/legal-hold", {"reason": "Klagesak"}),
    "lift": ("DELETE", f"/api/v1/pupils/{OLA}/legal-hold", None),
}
# Those who see Ola know him (403); everyone else gets 404.
SEES_OLA = {"guardian.hansen", "guardian.nilsen", "pupil.ola", "team.3a", "teacher.3a"}


async def _send(client, method, url, body, headers):
    if body is None:
        return await client.request(method, url, headers=headers)
    return await client.request(method, url, headers=headers, json=body)


async def _state(db):
    return (
        await db.fetch("SELECT * FROM legal_holds ORDER BY pupil_id"),
        await db.fetchval("SELECT count(*) FROM audit_log WHERE action LIKE 'legal_hold.%'"),
    )


@pytest.fixture
async def held(db):
    """A hold already stands, so an outsider's DELETE would have something to lift."""
    leader = await db.fetchval("SELECT id FROM people WHERE username = 'leader'")
    await db.execute(
        "INSERT INTO legal_holds (pupil_id, school_id, reason, placed_by, placed_at)"
        " VALUES ($1, $2, 'Sak', $3, now())",
        OLA,
        SCHOOL,
        leader,
    )


@pytest.mark.parametrize("outsider", OUTSIDERS)
async def test_outsiders(client, tokens, db, held, outsider):
    before = await _state(db)
    headers = await tokens.headers(outsider)
    got = {}
    for name, (method, url, body) in REQUESTS.items():
        got[name] = (await _send(client, method, url, body, headers)).status_code
    expected = 403 if outsider in SEES_OLA else 404
    assert got == dict.fromkeys(REQUESTS, expected)
    assert await _state(db) == before


async def test_no_token(client, db, held):
    before = await _state(db)
    for method, url, body in REQUESTS.values():
        assert (await _send(client, method, url, body, {})).status_code == 401, url
    assert await _state(db) == before


async def test_the_leader(client, tokens, db, held):
    headers = await tokens.headers("leader")
    assert (await _send(client, "DELETE", *REQUESTS["lift"][1:], headers)).status_code == 204
    assert (
        await _send(client, "DELETE", *REQUESTS["lift"][1:], headers)
    ).status_code == 204  # already lifted
    assert (await _send(client, "POST", *REQUESTS["place"][1:], headers)).status_code == 201
    assert await db.fetchval("SELECT count(*) FROM legal_holds") == 1
