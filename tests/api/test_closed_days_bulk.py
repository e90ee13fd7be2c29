"""Closed days in bulk: a range by POST, a school calendar (.ics) by the CLI,
and the roster settings of a school."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import date

import pytest

from backend.roster.importer import import_roster
from backend.roster.oneroster.csv_reader import read_roster
from tests.support.demo import DEFAULT_NOW, SCHOOL
from tests.support.problems import assert_problem
from tests.support.roster_sets import small_set, write_csv

URL = f"/api/v1/schools/{SCHOOL}/closed-days"

SKOLERUTE = "\r\n".join(
    [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Bergen kommune//Skolerute//NO",
        "BEGIN:VEVENT",
        "UID:haust-2026@bergen",
        "DTSTART;VALUE=DATE:20261005",
        "DTEND;VALUE=DATE:20261010",
        "SUMMARY:Haustferie",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:plan-2026@bergen",
        "DTSTART;VALUE=DATE:20261113",
        "SUMMARY:Planleggingsdag\\, elevane har fri",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:jul-2026@bergen",
        "DTSTART;VALUE=DATE:20261221",
        "DTEND;VALUE=DATE:20270104",
        "SUMMARY:Juleferie for elevar i grunnskulen i Bergen ",
        " kommune",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:moete@bergen",
        "DTSTART:20261118T170000Z",
        "DTEND:20261118T190000Z",
        "SUMMARY:Foreldremøte",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:kvar-fredag@bergen",
        "DTSTART;VALUE=DATE:20261106",
        "RRULE:FREQ=WEEKLY;COUNT=3",
        "SUMMARY:Fri fredag",
        "END:VEVENT",
        "END:VCALENDAR",
        "",
    ]
)


async def _days(db) -> dict[date, str]:
    return {
        r["day"]: r["label"]
        for r in await db.fetch("SELECT day, label FROM closed_days WHERE school_id = $1", SCHOOL)
    }


async def test_a_range_closes_every_weekday_in_it_and_keeps_days_already_closed(client, tokens, db):
    h = await tokens.headers("leader")
    r = await client.post(URL, headers=h, json={"date": "2026-10-07", "label": "Skulefotografering"})
    assert r.status_code == 201
    r = await client.post(
        URL, headers=h, json={"first_day": "2026-10-03", "last_day": "2026-10-11", "label": "Haustferie"}
    )
    assert r.status_code == 201, r.text
    # Sat 3rd, Sun 4th, Sat 10th, Sun 11th are closed anyway; the 7th was already listed.
    assert [d["date"] for d in r.json()["items"]] == ["2026-10-05", "2026-10-06", "2026-10-08", "2026-10-09"]
    days = await _days(db)
    assert days[date(2026, 10, 7)] == "Skulefotografering" and len(days) == 5


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"first_day": "2026-10-09", "last_day": "2026-10-05", "label": "x"}, "schools.closed_day_range"),
        ({"first_day": "2026-01-01", "last_day": "2027-06-01", "label": "x"}, "schools.closed_day_range"),
        ({"first_day": "2026-10-05", "label": "x"}, "schools.closed_day_form"),
        (
            {"date": "2026-10-05", "first_day": "2026-10-05", "last_day": "2026-10-06", "label": "x"},
            "schools.closed_day_form",
        ),
        ({"label": "x"}, "schools.closed_day_form"),
    ],
)
async def test_bad_ranges_are_refused_and_change_nothing(client, tokens, db, body, code):
    r = await client.post(URL, headers=await tokens.headers("leader"), json=body)
    assert_problem(r, 422, code)
    assert await _days(db) == {}


async def test_teachers_cannot_close_a_range(client, tokens, db):
    body = {"first_day": "2026-10-05", "last_day": "2026-10-09", "label": "Haustferie"}
    r = await client.post(URL, headers=await tokens.headers("teacher.9b"), json=body)
    assert_problem(r, 403)
    r = await client.post(URL, headers=await tokens.headers("leader.other"), json=body)
    assert_problem(r, 404)
    assert await _days(db) == {}


def _cli(env, *args):
    return subprocess.run(
        [sys.executable, "-m", "backend.app.cli", *args], env=env, capture_output=True, text=True, timeout=120
    )


async def test_calendar_import_reads_a_skolerute(db, db_dsn, tmp_path):
    ics = tmp_path / "skolerute.ics"
    ics.write_text(SKOLERUTE, encoding="utf-8")
    env = {
        **os.environ,
        "DATABASE_URL": db_dsn,
        "SKOLEBRO_ENV": "test",
        "SKOLEBRO_LOG_LEVEL": "warning",
        "SKOLEBRO_DATA_DIR": str(tmp_path / "data"),
    }
    dry = await asyncio.to_thread(_cli, env, "calendar", "import", str(SCHOOL), str(ics), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "dry run: nothing was written" in dry.stdout and await _days(db) == {}
    run = await asyncio.to_thread(_cli, env, "calendar", "import", str(SCHOOL), str(ics))
    assert run.returncode == 0, run.stderr
    assert (
        "5 events: 16 weekdays, 16 new closed days (0 already closed); skipped 1 timed and 1 repeating"
        in run.stdout
    )
    days = await _days(db)
    assert [d for d in days if d.month == 10] == [date(2026, 10, n) for n in range(5, 10)]
    assert days[date(2026, 11, 13)] == "Planleggingsdag, elevane har fri"
    assert days[date(2027, 1, 1)] == "Juleferie for elevar i grunnskulen i Bergen kommune"
    assert date(2027, 1, 4) not in days and date(2026, 11, 18) not in days
    again = await asyncio.to_thread(_cli, env, "calendar", "import", str(SCHOOL), str(ics))
    assert "0 new closed days (16 already closed)" in again.stdout
    (tmp_path / "bad.ics").write_text("Dato;Hva\n05.10.2026;Haustferie\n", encoding="utf-8")
    bad = await asyncio.to_thread(_cli, env, "calendar", "import", str(SCHOOL), str(tmp_path / "bad.ics"))
    assert bad.returncode == 1 and "BEGIN:VCALENDAR" in bad.stderr and "Traceback" not in bad.stderr


async def test_roster_settings_of_a_school(client, tokens, db, tmp_path):
    h = await tokens.headers("leader")
    settings = (await client.get(f"/api/v1/schools/{SCHOOL}/settings", headers=h)).json()
    assert settings["roster_sync_at"] == "05:00" and settings["feide_realm"] is None
    r = await client.put(
        f"/api/v1/schools/{SCHOOL}/settings",
        headers=h,
        json={"roster_sync_at": "04:30", "feide_realm": "vassenden.no"},
    )
    assert r.status_code == 200 and r.json()["feide_realm"] == "vassenden.no"
    r = await client.put(f"/api/v1/schools/{SCHOOL}/settings", headers=h, json={"feide_realm": "not a realm"})
    assert r.status_code == 422
    # A school naming its realm: bare usernames become Feide identities username@realm.
    await import_roster(db, read_roster(write_csv(small_set(), tmp_path / "x")), now=DEFAULT_NOW)
    await db.execute("UPDATE schools SET feide_realm = 'lia-skule.no' WHERE source_id = 'org-lia'")
    tables = small_set()
    for u in tables["users"]:
        u["userIds"] = ""
    await import_roster(db, read_roster(write_csv(tables, tmp_path / "y")), now=DEFAULT_NOW)
    subjects = {
        r[0]
        for r in await db.fetch(
            "SELECT subject FROM identities i JOIN people p ON p.id = i.person_id"
            " WHERE p.source_id = 'u-p2' AND provider = 'feide'"
        )
    }
    assert "lia.p2@lia-skule.no" in subjects
    r = await client.put(f"/api/v1/schools/{SCHOOL}/settings", headers=h, json={"feide_realm": ""})
    assert r.json()["feide_realm"] is None
