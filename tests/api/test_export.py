"""A person's own data (api.md: GET /me/export): everything about them and the children
they may see, with which staff read it; blocked relations invisible; rate limited; audited."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from tests.support.demo import DEFAULT_NOW, KARI, OLA, person
from tests.support.problems import assert_problem

pytestmark = pytest.mark.fresh_tokens


async def report(
    client: Any, tokens: Any, pupil: Any, user: str = "guardian.hansen", note: str = "Feber"
) -> str:
    r = await client.post(
        f"/api/v1/pupils/{pupil}/absence-reports",
        headers=await tokens.headers(user),
        json={"first_day": "2026-11-23", "reason": "sick", "note": note},
    )
    assert r.status_code == 201, r.text
    return r.json()["id"]  # type: ignore[no-any-return]


async def export(client: Any, tokens: Any, user: str) -> dict[str, Any]:
    r = await client.get("/api/v1/me/export", headers=await tokens.headers(user))
    assert r.status_code == 200, r.text
    assert r.headers["content-disposition"].startswith("attachment")
    assert r.headers["content-type"].startswith("application/json")
    return json.loads(r.content)  # type: ignore[no-any-return]


async def test_guardian_export_has_both_children_and_the_staff_reads(client, tokens, db):
    ola_report = await report(client, tokens, OLA)
    kari_report = await report(client, tokens, KARI, note="Hodepine")
    r = await client.get(f"/api/v1/pupils/{KARI}/assessments", headers=await tokens.headers("teacher.math9b"))
    assert r.status_code == 200, r.text
    doc = await export(client, tokens, "guardian.hansen")

    assert doc["format"] == "skolebro.export/1"
    assert doc["person"]["id"] == str(person("guardian.hansen"))
    assert doc["contact"]["mobile"]
    assert {p["pupil_id"] for p in doc["pupils"]} == {str(OLA), str(KARI)}
    reports = {r["id"]: r for r in doc["absence_reports"]}
    assert ola_report in reports and kari_report in reports
    assert reports[kari_report]["note"] == "Hodepine"  # the writer sees their own note
    reads = doc["staff_reads"]
    maths = [x for x in reads if x["pupil_id"] == str(KARI) and x["what"] == "assessments.read"]
    assert maths == [
        {
            "pupil_id": str(KARI),
            "staff_name": "Sigrid Matematikk",
            "role": "subject_teacher",
            "what": "assessments.read",
            "at": maths[0]["at"],
        }
    ]
    assert set(doc) >= {
        "inbox",
        "threads",
        "devices",
        "preferences",
        "leave_requests",
        "missing_cases",
        "assessments",
    }
    # recorded
    assert (
        await db.fetchval("SELECT count(*) FROM data_exports WHERE person_id = $1", person("guardian.hansen"))
        == 1
    )


async def test_nothing_of_the_blocked_relation(client, tokens, db):
    await report(client, tokens, OLA, user="guardian.nilsen", note="Omgangskrangel")
    await client.get(f"/api/v1/pupils/{OLA}/guardians", headers=await tokens.headers("leader"))
    await client.put(
        f"/api/v1/pupils/{OLA}/guardians/{person('guardian.nilsen')}",
        headers=await tokens.headers("leader"),
        json={"access": "read_only", "reason": "Hemmelig"},
    )
    blocked = await export(client, tokens, "guardian.blocked")
    text = json.dumps(blocked)
    assert blocked["pupils"] == [] and blocked["absence_reports"] == [] and blocked["staff_reads"] == []
    assert str(OLA) not in text and "Ola" not in text
    hansen = await export(client, tokens, "guardian.hansen")
    text = json.dumps(hansen)
    assert "Bjørn" not in text and str(person("guardian.blocked")) not in text
    # another guardian's note, and the school's decisions about other guardians, are not Hansen's
    assert "Omgangskrangel" not in text and "Hemmelig" not in text
    assert not any(x["what"].startswith("guardians.set") for x in hansen["staff_reads"])


async def test_pupil_and_staff_export_themselves(client, tokens):
    await client.get(f"/api/v1/pupils/{KARI}/assessments", headers=await tokens.headers("teacher.math9b"))
    kari = await export(client, tokens, "pupil.kari")
    assert [p["pupil_id"] for p in kari["pupils"]] == [str(KARI)]
    assert any(x["what"] == "assessments.read" for x in kari["staff_reads"])
    teacher = await export(client, tokens, "teacher.math9b")
    assert teacher["person"]["id"] == str(person("teacher.math9b")) and teacher["pupils"] == []


async def test_one_export_per_ten_minutes(client, tokens, clock, db):
    await export(client, tokens, "guardian.hansen")
    r = await client.get("/api/v1/me/export", headers=await tokens.headers("guardian.hansen"))
    body = assert_problem(r, 429, "export.too_soon")
    assert 1 <= int(r.headers["retry-after"]) <= 600, body
    # another person is not limited by Hansen's export
    await export(client, tokens, "guardian.nilsen")
    clock.set(DEFAULT_NOW + timedelta(minutes=10, seconds=1))
    await export(client, tokens, "guardian.hansen")
    assert await db.fetchval("SELECT count(*) FROM data_exports") == 3


async def test_needs_a_token(client):
    r = await client.get("/api/v1/me/export")
    assert_problem(r, 401)
