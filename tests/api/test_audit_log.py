"""GET /api/v1/schools/{school_id}/audit-log: school leaders read who read which pupil."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.support.demo import DEFAULT_NOW, KARI, OLA, SCHOOL, person
from tests.support.problems import assert_problem

LOG = f"/api/v1/schools/{SCHOOL}/audit-log"


async def read_absence(client: Any, tokens: Any, who: str, pupil: Any) -> None:
    r = await client.get(f"/api/v1/pupils/{pupil}/absence-reports", headers=await tokens.headers(who))
    assert r.status_code == 200, r.text


async def test_leader_sees_who_read_what_and_when(client, tokens, clock):
    await read_absence(client, tokens, "teacher.3a", OLA)
    clock.set(DEFAULT_NOW + timedelta(minutes=5))
    await read_absence(client, tokens, "teacher.math9b", KARI)
    await read_absence(client, tokens, "guardian.hansen", OLA)  # not a staff read
    r = await client.get(LOG, headers=await tokens.headers("leader"))
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert [(i["actor_name"], i["pupil_name"]) for i in items] == [
        ("Sigrid Matematikk", "Kari Hansen"),
        ("Ingrid Lærar", "Ola Hansen"),
    ]
    newest = items[0]
    assert newest["actor_id"] == str(person("teacher.math9b"))
    assert newest["pupil_id"] == str(KARI)
    assert newest["action"] == "absence_reports.read"
    at = datetime.fromisoformat(newest["at"])
    assert at.utcoffset() == timedelta(hours=1)  # school time, Europe/Oslo in winter
    assert abs(at - (DEFAULT_NOW + timedelta(minutes=5))) < timedelta(seconds=5)
    assert r.json()["next_cursor"] is None


async def test_pages_and_pupil_filter(client, tokens):
    for _ in range(3):
        await read_absence(client, tokens, "teacher.3a", OLA)
        await read_absence(client, tokens, "teacher.9b", KARI)
    leader = await tokens.headers("leader")
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 4}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get(LOG, headers=leader, params=params)).json()
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 6 == len(set(seen))
    only_ola = (await client.get(LOG, headers=leader, params={"pupil_id": str(OLA)})).json()
    assert {i["pupil_id"] for i in only_ola["items"]} == {str(OLA)}
    assert len(only_ola["items"]) == 3


async def test_leader_of_another_school_sees_only_their_own(client, tokens, db):
    await read_absence(client, tokens, "teacher.3a", OLA)
    other = await db.fetchval("SELECT id FROM schools WHERE name = 'Fjellheim skule'")
    r = await client.get(f"/api/v1/schools/{other}/audit-log", headers=await tokens.headers("leader.other"))
    assert r.status_code == 200 and r.json()["items"] == []
    assert_problem(await client.get(LOG, headers=await tokens.headers("leader.other")), 404)


async def test_former_leader_is_refused(client, tokens, clock):
    clock.set(datetime(2027, 7, 1, 9, 0, tzinfo=ZoneInfo("Europe/Oslo")))
    assert_problem(await client.get(LOG, headers=await tokens.headers("leader")), 404)


async def test_staff_who_are_not_leaders_are_refused(client, tokens):
    for who in ("teacher.3a", "team.3a", "teacher.math9b"):
        assert_problem(await client.get(LOG, headers=await tokens.headers(who)), 404)


async def test_bad_cursor_and_limit(client, tokens):
    leader = await tokens.headers("leader")
    assert_problem(await client.get(LOG, headers=leader, params={"cursor": "nope"}), 422)
    assert_problem(await client.get(LOG, headers=leader, params={"cursor": "WyJ4IiwieSJd"}), 422)
    assert_problem(await client.get(LOG, headers=leader, params={"limit": 500}), 422)
    assert_problem(await client.get(LOG, headers=leader, params={"pupil_id": "ola"}), 422)


async def test_cursor_is_exact_when_reads_share_an_instant(client, tokens, db):
    # Rows written in the same microsecond must neither repeat nor vanish between pages.
    at = DEFAULT_NOW
    for _ in range(5):
        await db.execute(
            "INSERT INTO audit_log (school_id, actor_id, pupil_id, action, at)"
            " VALUES ($1, $2, $3, 'absence_reports.read', $4)",
            SCHOOL,
            person("teacher.3a"),
            OLA,
            at,
        )
    leader = await tokens.headers("leader")
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await client.get(LOG, headers=leader, params=params)).json()
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 5 == len(set(seen))
