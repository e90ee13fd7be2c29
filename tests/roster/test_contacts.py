"""Guardians' contact points from the roster: OneRoster users'
``sms``/``phone``/``email`` fill the mobile number and e-mail address that the
guardian sees on /me/contact and the class team calls from the call list; the
REST sync gives the same; later imports update or clear them; an unusable
value is a warning, never a refused import."""

from __future__ import annotations

import dataclasses

from backend.roster.importer import import_roster
from backend.roster.oneroster.csv_reader import read_roster
from backend.roster.rest import Provider, sync_roster
from tests.fakes.oneroster import FakeOneRoster
from tests.support.demo import DEFAULT_NOW
from tests.support.roster_sets import Tables, small_set, write_csv
from tests.support.roster_state import roster_state
from tests.support.routine import MONDAY, oslo, pupil_row, roll_call


def _with_contacts() -> Tables:
    t = small_set()
    users = {u["sourcedId"]: u for u in t["users"]}
    # As people type them into school systems.
    users["u-g1"].update(sms="400 00 111", phone="22 11 11 11", email="forelder1@example.no")
    # No sms: a mobile number in phone is used; e-mail trimmed.
    users["u-g2"].update(phone="0047 950 00 222", email="  forelder2@example.no ")
    # Nothing usable: a typo in sms, a landline, no e-mail address.
    users["u-g3"].update(sms="4000 0A33", phone="55 33 33 33", email="forelder3(at)example.no")
    return t


async def _import(db, tables: Tables, folder, **kw):
    return await import_roster(db, read_roster(write_csv(tables, folder, **kw)), now=DEFAULT_NOW)


async def _contact(client, username: str) -> dict[str, str | None]:
    r = await client.post("/api/v1/auth/dev-login", json={"username": username, "client": "app"})
    assert r.status_code == 200, r.text
    headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
    r = await client.get("/api/v1/me/contact", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def test_imported_contact_points_reach_me_contact_and_the_summary(db, client, tmp_path):
    summary = await _import(db, _with_contacts(), tmp_path / "x")
    assert await _contact(client, "lia.g1") == {"mobile": "+4740000111", "email": "forelder1@example.no"}
    assert await _contact(client, "lia.g2") == {"mobile": "+4795000222", "email": "forelder2@example.no"}
    assert await _contact(client, "lia.g3") == {"mobile": None, "email": None}
    lines = summary.lines()
    assert (
        "guardians reachable outside the app: 2 of 3 have a mobile number, 2 an e-mail address, 1 neither"
        in lines
    )
    # The bad values are warnings with file, line and fix; the guardian is imported all the same.
    text = "\n".join(lines)
    assert "2 warning(s), contact values not used:" in text
    assert "users.csv line 9: sms '4000 0A33' is not a phone number we can text" in text
    assert "users.csv line 9: email 'forelder3(at)example.no' is not an e-mail address" in text
    assert "fix it in the school system" in text
    assert summary.created["people"] == 8 and summary.skipped["users"] == 0


async def test_the_call_list_uses_the_rosters_numbers(db, client, clock, tmp_path):
    await _import(db, _with_contacts(), tmp_path / "x")
    class_id = await db.fetchval("SELECT id FROM classes WHERE source_id = 'cls-a'")
    pupil = await db.fetchval("SELECT id FROM people WHERE source_id = 'u-p1'")
    clock.set(oslo(MONDAY, 8, 40))
    r = await client.post("/api/v1/auth/dev-login", json={"username": "lia.teacher", "client": "app"})
    teacher = {"Authorization": f"Bearer {r.json()['access_token']}"}
    r = await roll_call(client, teacher, db, class_id, MONDAY, {pupil})
    assert r.status_code == 200, r.text
    case_id = pupil_row(r.json(), pupil)["missing_case_id"]
    assert case_id is not None
    r = await client.get(f"/api/v1/missing-cases/{case_id}/call-list", headers=teacher)
    assert r.status_code == 200, r.text
    assert [(i["name"], i["mobile"]) for i in r.json()["items"]] == [("Forelder1 Lia", "+4740000111")]


async def test_a_later_import_updates_and_clears_them(db, client, tmp_path):
    tables = _with_contacts()
    await _import(db, tables, tmp_path / "a")
    # Unchanged: the fast path writes nobody.
    again = await _import(db, tables, tmp_path / "b")
    assert again.updated["people"] == 0 and again.created["people"] == 0
    users = {u["sourcedId"]: u for u in tables["users"]}
    users["u-g1"]["sms"] = "+47 480 00 999"
    users["u-g2"].update(phone="", email="")  # the roster no longer gives them
    bulk = await _import(db, tables, tmp_path / "c")
    assert bulk.updated["people"] == 2
    assert await _contact(client, "lia.g1") == {"mobile": "+4748000999", "email": "forelder1@example.no"}
    assert await _contact(client, "lia.g2") == {"mobile": None, "email": None}
    # A delta file changes only the people it names.
    users["u-g1"]["email"] = "ny@example.no"
    delta: Tables = {
        "users": [users["u-g1"]],
        "roles": [r for r in tables["roles"] if r["userSourcedId"] == "u-g1"],
    }
    summary = await _import(db, delta, tmp_path / "d", modes={"users": "delta", "roles": "delta"})
    assert summary.updated["people"] == 1
    assert await _contact(client, "lia.g1") == {"mobile": "+4748000999", "email": "ny@example.no"}
    assert await _contact(client, "lia.g3") == {"mobile": None, "email": None}
    assert (
        await db.fetchval("SELECT count(*) FROM people WHERE source_id LIKE 'u-%' AND mobile IS NOT NULL")
        == 1
    )


async def test_the_rest_sync_gives_the_same_contact_points(db, settings, tmp_path):
    fake = FakeOneRoster(_with_contacts())
    try:
        sync_settings = dataclasses.replace(
            settings.roster,
            oneroster_url=fake.url,
            oneroster_token_url=fake.token_url,
            oneroster_client_id=fake.client_id,
            oneroster_client_secret=fake.client_secret,
        )
        provider = Provider.from_settings(sync_settings, backoff_seconds=0.01)
        synced = await sync_roster(db, sync_settings, now=DEFAULT_NOW, provider=provider)
    finally:
        fake.close()
    assert synced.guardian_contacts == {"total": 3, "mobile": 2, "email": 2, "neither": 1}
    assert synced.contact_warning_count == 2
    state = await roster_state(db)
    assert ("u-g2", "+4795000222", "forelder2@example.no") in {(p[0], p[6], p[7]) for p in state["people"]}
    csv = await _import(db, _with_contacts(), tmp_path / "x")
    assert csv.updated["people"] == 0
    assert await roster_state(db) == state
