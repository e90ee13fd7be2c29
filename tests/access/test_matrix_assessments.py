"""Authorization matrix: assessments and the absence summary × every outsider.

A pupil the caller may not see is 404 exactly as if it did not exist. A
teaching group is visible only to staff of its school: others get 404 on
POST; staff of the school who do not teach the group get 403.
"""

from __future__ import annotations

import pytest

from backend.roster.demo import demo_id
from tests.support.demo import KARI, OLA

MATHS_9B = demo_id("group:9B:matematikk")

# (who, pupil) -> expected status on the pupil-scoped reads.
READS = [
    ("guardian.hansen", KARI, 200),
    ("guardian.readonly", KARI, 200),  # read-only guardians may read
    ("pupil.kari", KARI, 200),
    ("teacher.9b", KARI, 200),
    ("teacher.math9b", KARI, 200),
    ("leader", KARI, 200),
    ("guardian.nilsen", KARI, 404),  # another guardian (Ola's, not Kari's)
    ("guardian.other", KARI, 404),
    ("guardian.blocked", OLA, 404),  # relation with access none
    ("teacher.3a", KARI, 404),  # teacher of another class
    ("teacher.other", KARI, 404),
    ("leader.other", KARI, 404),  # leader of another school
    ("pupil.ola", KARI, 404),  # another pupil
    ("pupil.other", KARI, 404),
]

# who -> expected status when posting to 9B's maths group about Kari.
WRITES = [
    ("teacher.math9b", 201),
    ("teacher.9b", 403),  # same school, not this group's teacher
    ("teacher.3a", 403),  # teacher of another class at the school
    ("leader", 403),
    ("guardian.hansen", 404),
    ("guardian.readonly", 404),
    ("guardian.blocked", 404),
    ("guardian.other", 404),
    ("teacher.other", 404),
    ("leader.other", 404),
    ("pupil.kari", 404),
    ("pupil.other", 404),
]

ENDPOINTS = ["assessments", "absence-summary"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize(("who", "pupil", "expected"), READS)
async def test_reads(client, tokens, endpoint, who, pupil, expected):
    r = await client.get(f"/api/v1/pupils/{pupil}/{endpoint}", headers=await tokens.headers(who))
    assert r.status_code == expected, r.text
    if expected == 404:
        assert r.json()["code"] == "not_found"


@pytest.mark.parametrize(("who", "expected"), WRITES)
async def test_post_assessment(client, tokens, db, who, expected):
    r = await client.post(
        f"/api/v1/groups/{MATHS_9B}/assessments",
        headers=await tokens.headers(who),
        json={"pupil_id": str(KARI), "kind": "final", "grade": "4"},
    )
    assert r.status_code == expected, r.text
    written = await db.fetchval("SELECT count(*) FROM assessments")
    assert written == (1 if expected == 201 else 0)


async def test_unknown_group_is_404(client, tokens):
    r = await client.post(
        f"/api/v1/groups/{demo_id('nothing')}/assessments",
        headers=await tokens.headers("teacher.math9b"),
        json={"pupil_id": str(KARI), "kind": "final", "grade": "4"},
    )
    assert r.status_code == 404


@pytest.mark.parametrize("endpoint", ENDPOINTS)
async def test_unknown_pupil_is_404(client, tokens, endpoint):
    r = await client.get(
        f"/api/v1/pupils/{demo_id('nobody')}/{endpoint}", headers=await tokens.headers("leader")
    )
    assert r.status_code == 404


async def test_no_token_is_401(client):
    for r in (
        await client.get(f"/api/v1/pupils/{KARI}/assessments"),
        await client.get(f"/api/v1/pupils/{KARI}/absence-summary"),
        await client.post(
            f"/api/v1/groups/{MATHS_9B}/assessments",
            json={"pupil_id": str(KARI), "kind": "final", "grade": "4"},
        ),
    ):
        assert r.status_code == 401
        assert r.headers["content-type"].startswith("application/problem+json")
