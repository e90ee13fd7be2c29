"""School owners from the roster: district administrators of a district org."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from backend.roster.importer import import_roster
from backend.roster.oneroster.csv_reader import read_roster
from tests.roster.test_import import make_export


def _add_users(folder: Path, rows: list[dict[str, str]]) -> None:
    path = folder / "users.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    with path.open("a", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        for row in rows:
            w.writerow([row.get(col, "") for col in header])


def _owner(sid: str, role: str, org: str) -> dict[str, str]:
    return {
        "sourcedId": sid,
        "enabledUser": "true",
        "orgSourcedIds": org,
        "role": role,
        "username": sid,
        "userIds": f"{{Feide:{sid}@bergen.kommune.no}}",
        "givenName": "Kari",
        "familyName": sid.title(),
    }


async def test_district_administrators_become_school_owners(client, tokens, db, tmp_path):
    folder = make_export(tmp_path / "export")
    _add_users(
        folder,
        [
            _owner("kommune.eigar", "districtAdministrator", "org-kommune"),
            _owner("kommune.admin", "administrator", "org-kommune"),
            # An administrator at a school is its leader, not a school owner.
            _owner("skule.admin", "administrator", "org-lia"),
        ],
    )
    summary = await import_roster(db, read_roster(folder))
    assert summary.created["school owners"] == 2
    district = await db.fetchrow("SELECT id, name FROM districts WHERE source_id = 'org-kommune'")
    assert district["name"] == "Bergen kommune"
    assert await db.fetchval("SELECT district_id FROM schools WHERE source_id = 'org-lia'") == district["id"]
    owners = await db.fetch(
        "SELECT p.username FROM district_administrators da JOIN people p ON p.id = da.person_id"
        " WHERE da.district_id = $1 ORDER BY 1",
        district["id"],
    )
    assert [o["username"] for o in owners] == ["kommune.admin", "kommune.eigar"]

    r = await client.get("/api/v1/me", headers=await tokens.headers("kommune.eigar"))
    assert r.status_code == 200, r.text
    assert r.json()["districts"] == [{"district_id": str(district["id"]), "name": "Bergen kommune"}]
    assert "school_owner" in r.json()["roles"]
    r = await client.get(
        f"/api/v1/owners/{district['id']}/absence-statistics", headers=await tokens.headers("kommune.eigar")
    )
    assert r.status_code == 200, r.text
    r = await client.get("/api/v1/me", headers=await tokens.headers("skule.admin"))
    assert r.json()["districts"] == []

    # Idempotent; a bulk users file without one of them removes that school owner.
    again = await import_roster(db, read_roster(folder))
    assert again.created["school owners"] == 0
    folder2 = make_export(tmp_path / "export2")
    _add_users(folder2, [_owner("kommune.eigar", "districtAdministrator", "org-kommune")])
    after = await import_roster(db, read_roster(folder2))
    assert after.removed["school owners"] == 1
    assert (
        await db.fetchval(
            "SELECT count(*) FROM district_administrators WHERE district_id = $1", district["id"]
        )
        == 1
    )


@pytest.mark.parametrize("version", ["1.2"])
async def test_roles_csv_names_the_district(db, tmp_path, version):
    folder = make_export(tmp_path / "export", version=version)
    _add_users(folder, [_owner("kommune.eigar", "districtAdministrator", "org-kommune")])
    with (folder / "roles.csv").open(newline="", encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    with (folder / "roles.csv").open("a", newline="", encoding="utf-8") as fh:
        values = {
            "sourcedId": "r-eigar",
            "userSourcedId": "kommune.eigar",
            "role": "districtAdministrator",
            "orgSourcedId": "org-kommune",
            "roleType": "primary",
        }
        csv.writer(fh).writerow([values.get(c, "") for c in header])
    await import_roster(db, read_roster(folder))
    owners = await db.fetchval(
        "SELECT count(*) FROM district_administrators da JOIN districts d ON d.id = da.district_id"
        " WHERE d.source_id = 'org-kommune'"
    )
    assert owners == 1
