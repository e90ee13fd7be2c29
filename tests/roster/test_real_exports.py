"""Real exports in, safely: the shapes Norwegian school systems deliver,
the school's decisions kept, people with history deactivated, all problems at once."""

from __future__ import annotations

import csv
import uuid
from datetime import date

import pytest

from backend.roster.importer import import_roster
from backend.roster.oneroster.csv_reader import read_roster
from backend.roster.oneroster.model import ReadOptions, RosterError
from backend.signin.identity import DEV_PEPPER, national_id_hash
from tests.support.demo import DEFAULT_NOW
from tests.support.problems import assert_problem
from tests.support.roster_sets import national_id, small_set, write_csv, zip_folder
from tests.support.roster_state import roster_state


async def _import(db, path, **kw):
    return await import_roster(db, read_roster(path, options=kw.pop("options", None)), now=DEFAULT_NOW, **kw)


async def _id(db, source_id: str) -> uuid.UUID:
    return await db.fetchval("SELECT id FROM people WHERE source_id = $1", source_id)


async def _relation(db, guardian: str, pupil: str):
    return await db.fetchrow(
        "SELECT access, roster_access, school_access FROM guardian_relations r"
        " JOIN people g ON g.id = r.guardian_id JOIN people p ON p.id = r.pupil_id"
        " WHERE g.source_id = $1 AND p.source_id = $2",
        guardian,
        pupil,
    )


# --- shapes of real exports ---------------------------------------------------


async def test_term_only_sessions_take_the_year_from_the_schoolyear_column(db, tmp_path):
    summary = await _import(db, write_csv(small_set(term_only=True), tmp_path / "x"))
    years = await db.fetch(
        "SELECT source_id, name, starts_on, ends_on FROM school_years WHERE source_id LIKE '%org-lia'"
    )
    assert [tuple(y) for y in years] == [
        ("schoolYear:2027@org-lia", "2026–2027", date(2026, 8, 17), date(2027, 6, 18))
    ]
    assert summary.created["classes"] == 1 and summary.created["groups"] == 1
    assert (await roster_state(db))["class_enrollments"] == [("cls-a", f"u-p{n}") for n in (1, 2, 3)]


async def test_terms_without_any_year_take_it_from_their_dates(db, tmp_path):
    tables = small_set(term_only=True)
    for s in tables["academicSessions"]:
        s["schoolYear"] = ""
    await _import(db, write_csv(tables, tmp_path / "x"))
    assert (
        await db.fetchval("SELECT name FROM school_years WHERE source_id = 'schoolYear:2027@org-lia'")
        == "2026–2027"
    )


async def test_upper_secondary_levels_and_classes_without_grades(db, tmp_path):
    await _import(db, write_csv(small_set(vg=True), tmp_path / "vg"))
    assert await db.fetchval("SELECT grade FROM classes WHERE source_id = 'cls-a'") == 11
    # FINT: no grades anywhere; a county school's 1STA is VG1.
    tables = small_set(vg=True, grades_on_classes=False)
    for u in tables["users"]:
        u["grades"] = ""
    for c in tables["classes"]:
        c["sourcedId"] += "-fint"
    for e in tables["enrollments"]:
        e["classSourcedId"] += "-fint"
    summary = await _import(db, write_csv(tables, tmp_path / "fint"))
    assert await db.fetchval("SELECT grade FROM classes WHERE source_id = 'cls-a-fint'") == 11
    assert any("had no grade" in n for n in summary.notes)


async def test_orgs_above_the_school_are_its_owner_and_departments_belong_to_it(db, tmp_path):
    await _import(db, write_csv(small_set(owner="Bergen kommune"), tmp_path / "x"))
    assert await db.fetchval("SELECT owner_name FROM schools WHERE source_id = 'org-lia'") == "Bergen kommune"
    assert (
        await db.fetchval("SELECT count(*) FROM schools WHERE source_id IN ('org-owner', 'org-lia-dept')")
        == 0
    )
    # The maths group names the department as its school: it lands in Lia skule.
    assert (
        await db.fetchval(
            "SELECT s.name FROM teaching_groups g JOIN schools s ON s.id = g.school_id"
            " WHERE g.source_id = 'grp-mat'"
        )
        == "Lia skule"
    )


async def test_a_zip_gives_the_same_roster_as_the_folder(db, tmp_path):
    folder = write_csv(small_set(), tmp_path / "x")
    await _import(db, folder)
    state = await roster_state(db)
    again = await _import(db, zip_folder(folder, tmp_path / "export.zip"))
    assert sum(again.created.values()) + sum(again.updated.values()) + sum(again.removed.values()) == 0
    assert await roster_state(db) == state


async def test_semicolon_files_are_read_and_the_summary_says_so(db, tmp_path):
    comma = write_csv(small_set(), tmp_path / "comma")
    semi = write_csv(small_set(), tmp_path / "semi", delimiter=";")
    summary = await _import(db, semi)
    state = await roster_state(db)
    assert state["people"] and any("separated by semicolons" in n for n in summary.notes)
    assert sum((await _import(db, comma)).updated.values()) == 0
    assert await roster_state(db) == state


async def test_rows_pointing_at_deleted_or_missing_people_are_skipped_with_their_line(db, tmp_path):
    tables = small_set()
    tables["users"].append({"sourcedId": "u-gone", "status": "tobedeleted"})
    tables["classes"].append({"sourcedId": "cls-gone", "status": "tobedeleted"})
    tables["enrollments"] += [
        {"sourcedId": "e-x1", "classSourcedId": "cls-a", "userSourcedId": "u-gone", "role": "student"},
        {"sourcedId": "e-x2", "classSourcedId": "cls-gone", "userSourcedId": "u-p1", "role": "student"},
        {"sourcedId": "e-x3", "classSourcedId": "cls-a", "userSourcedId": "u-nobody", "role": "student"},
    ]
    summary = await _import(db, write_csv(tables, tmp_path / "x"))
    assert summary.skipped["enrollments"] == 3
    where = [w.where for w in summary.warnings]
    assert where == ["enrollments.csv line 10", "enrollments.csv line 11", "enrollments.csv line 12"]
    assert any("3 warning(s), rows skipped" in line for line in summary.lines())
    assert len((await roster_state(db))["class_enrollments"]) == 3


def test_every_problem_of_a_run_is_reported_at_once(tmp_path):
    tables = small_set()
    tables["academicSessions"][0]["startDate"] = "17.08.2026"
    tables["roles"][3]["role"] = "wizard"
    tables["demographics"][1]["birthDate"] = "2017-13-40"
    del tables["classes"][0]["title"]
    with pytest.raises(RosterError) as err:
        read_roster(write_csv(tables, tmp_path / "x"))
    assert sorted(str(p) for p in err.value.problems) == sorted(
        [
            "academicSessions.csv line 2: startDate '17.08.2026' is not a date — write YYYY-MM-DD",
            "classes.csv line 2: the column 'title' is empty or missing — every row needs sourcedId, title, "
            "schoolSourcedId",
            "demographics.csv line 3: birthDate '2017-13-40' is not a date — write YYYY-MM-DD",
            "roles.csv line 5: role 'wizard' is not a OneRoster role — use one of administrator, aide, "
            "districtAdministrator, guardian, parent, principal, proctor, relative, siteAdministrator, "
            "student, teacher",
        ]
    )


async def test_unused_columns_are_listed_once(db, tmp_path):
    summary = await _import(db, write_csv(small_set(), tmp_path / "x"))
    assert "not used from users.csv: identifier, password" in summary.lines()


async def test_a_delta_manifest_updates_only_what_it_names(db, tmp_path):
    await _import(db, write_csv(small_set(), tmp_path / "bulk"))
    # Delta: class 4A renamed; one pupil leaves the maths group; nothing else sent.
    delta = {
        "classes": [
            {
                "sourcedId": "cls-a",
                "status": "active",
                "title": "4A (Lia)",
                "grades": "04",
                "classType": "homeroom",
                "schoolSourcedId": "org-lia",
                "termSourcedIds": "t-haust",
            }
        ],
        "enrollments": [
            {
                "sourcedId": "e-grp-mat-2",
                "status": "tobedeleted",
                "classSourcedId": "grp-mat",
                "userSourcedId": "u-p2",
                "role": "student",
            }
        ],
    }
    modes = {"classes": "delta", "enrollments": "delta"}
    summary = await _import(db, write_csv(delta, tmp_path / "delta", modes=modes))
    assert summary.updated["classes"] == 1 and summary.removed["enrollments"] == 1
    state = await roster_state(db)
    assert [c[1] for c in state["classes"]] == ["4A (Lia)"]
    assert len(state["class_enrollments"]) == 3  # the rename removed nobody
    assert ("grp-mat", "u-p2") not in state["group_enrollments"] and len(state["group_enrollments"]) == 2
    assert len(state["relations"]) == 3 and len(state["people"]) == 8


async def test_disabled_users_cannot_sign_in_and_are_listed(db, client, tmp_path):
    tables = small_set()
    tables["users"][0]["enabledUser"] = "false"  # the teacher
    summary = await _import(db, write_csv(tables, tmp_path / "x"))
    r = await client.post("/api/v1/auth/dev-login", json={"username": "lia.teacher", "client": "app"})
    assert_problem(r, 401, "auth.unknown_user")
    assert any("Liv Lærar (teacher, u-teacher): enabledUser=false" in line for line in summary.lines())
    assert summary.sign_in["teacher"] == (0, 1) and summary.sign_in["pupil"] == (3, 3)


async def test_guardians_sign_in_by_a_keyed_hash_of_their_number(db, tmp_path, client, clock, idporten):
    options = ReadOptions(
        hash_national_id=lambda n: national_id_hash(n, DEV_PEPPER), national_id_column="identifier"
    )
    summary = await _import(db, write_csv(small_set(), tmp_path / "x"), options=options)
    assert summary.sign_in["guardian"] == (3, 3)
    number = national_id(1)
    # The number itself is stored nowhere.
    dump = await db.fetchval("SELECT string_agg(subject, ' ') FROM identities")
    assert number not in dump and national_id_hash(number, DEV_PEPPER) in dump
    r = await client.post(
        "/api/v1/auth/token",
        data={
            "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
            "subject_token": idporten.id_token(number, now=clock.now().timestamp()),
            "client": "app",
        },
    )
    assert r.status_code == 200, r.text
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {r.json()['access_token']}"})
    assert me.json()["id"] == str(await _id(db, "u-g1"))


async def test_the_summary_warns_about_missing_birth_dates_and_a_year_not_running(db, tmp_path):
    tables = small_set()
    tables["demographics"] = tables["demographics"][1:]
    for s in tables["academicSessions"]:
        s["startDate"], s["endDate"] = (
            s["startDate"].replace("2026", "2025").replace("2027", "2026"),
            s["endDate"].replace("2026", "2025").replace("2027", "2026"),
        )
        s["schoolYear"] = "2026"
    summary = await _import(db, write_csv(tables, tmp_path / "x"))
    text = "\n".join(summary.lines())
    assert "1 pupil(s) have no birth date" in text and "Elev1 Lia (u-p1)" in text
    assert "is not the one running today (2026-11-23)" in text


# --- the school's decision wins -------------------------------------------------


async def test_a_blocked_guardian_stays_blocked_after_a_reimport(db, client, tokens, tmp_path):
    folder = write_csv(small_set(), tmp_path / "x")
    await _import(db, folder)
    pupil, guardian = await _id(db, "u-p1"), await _id(db, "u-g1")
    leader = await tokens.headers("lia.rektor")
    r = await client.put(
        f"/api/v1/pupils/{pupil}/guardians/{guardian}",
        headers=leader,
        json={"access": "none", "reason": "Hemmelig adresse etter vedtak"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["access"] == "none" and r.json()["source"] == "school"

    again = await _import(db, folder)
    assert sum(again.updated.values()) == 0
    assert tuple(await _relation(db, "u-g1", "u-p1")) == ("none", "full", "none")
    # The roster dropping and bringing the guardian back does not undo it either.
    tables = small_set()
    for u in tables["users"]:
        if u["sourcedId"] in ("u-p1", "u-g1"):
            u["agentSourcedIds"] = ""
    await _import(db, write_csv(tables, tmp_path / "dropped"))
    assert tuple(await _relation(db, "u-g1", "u-p1")) == ("none", "none", "none")
    await _import(db, folder)
    assert tuple(await _relation(db, "u-g1", "u-p1")) == ("none", "full", "none")

    # The guardian sees nothing of the child.
    g = await tokens.headers("lia.g1")
    assert (await client.get("/api/v1/me", headers=g)).json()["children"] == []
    for url in (f"/api/v1/pupils/{pupil}/absence-reports", f"/api/v1/pupils/{pupil}/guardians"):
        assert (await client.get(url, headers=g)).status_code == 404, url
    # Listed, with who decided and why, for the leader only.
    rows = (await client.get(f"/api/v1/pupils/{pupil}/guardians", headers=leader)).json()["items"]
    mine = next(x for x in rows if x["guardian_id"] == str(guardian))
    assert mine["reason"] == "Hemmelig adresse etter vedtak" and mine["changed_by"] == str(
        await _id(db, "u-rektor")
    )
    changes = await db.fetch("SELECT new_school_access, reason FROM guardian_access_changes")
    assert [tuple(c) for c in changes] == [("none", "Hemmelig adresse etter vedtak")]
    assert await db.fetchval("SELECT count(*) FROM audit_log WHERE action = 'guardians.set_none'") == 1

    # Lifted by a leader: the roster's value applies again, and that is audited too.
    r = await client.delete(f"/api/v1/pupils/{pupil}/guardians/{guardian}/school-access", headers=leader)
    assert r.status_code == 204
    assert tuple(await _relation(db, "u-g1", "u-p1")) == ("full", "full", None)
    assert (
        await db.fetchval("SELECT count(*) FROM guardian_access_changes WHERE new_school_access IS NULL") == 1
    )


async def test_the_roster_may_lower_access_but_never_raise_it_above_the_school(db, client, tokens, tmp_path):
    await _import(db, write_csv(small_set(), tmp_path / "x"))
    pupil, guardian = await _id(db, "u-p2"), await _id(db, "u-g2")
    r = await client.put(
        f"/api/v1/pupils/{pupil}/guardians/{guardian}",
        headers=await tokens.headers("lia.rektor"),
        json={"access": "read_only", "reason": "Avtale med barnevernet"},
    )
    assert r.status_code == 200
    tables = small_set()
    for u in tables["users"]:
        if u["sourcedId"] == "u-g2":
            u["metadata.agentAccess"] = "u-p2:none"
    await _import(db, write_csv(tables, tmp_path / "lower"))
    assert tuple(await _relation(db, "u-g2", "u-p2")) == ("none", "none", "read_only")
    await _import(db, write_csv(small_set(), tmp_path / "raise"))
    assert tuple(await _relation(db, "u-g2", "u-p2")) == ("read_only", "full", "read_only")
    # A writer that only knows `access` cannot step over the school's decision either.
    await db.execute("UPDATE guardian_relations SET access = 'full' WHERE guardian_id = $1", guardian)
    assert tuple(await _relation(db, "u-g2", "u-p2")) == ("read_only", "full", "read_only")


# --- people with history are deactivated ------------------------------------------


async def test_a_user_with_history_is_deactivated_not_erased(db, client, tokens, tmp_path, clock):
    folder = write_csv(small_set(), tmp_path / "x")
    await _import(db, folder)
    pupil, guardian = await _id(db, "u-p1"), await _id(db, "u-g1")
    g = await tokens.headers("lia.g1")
    r = await client.post("/api/v1/auth/dev-login", json={"username": "lia.g1", "client": "app"})
    refresh = r.json()["refresh_token"]
    await client.post("/api/v1/me/devices", headers=g, json={"token": "fcm-token-g1", "platform": "android"})
    r = await client.post(
        f"/api/v1/pupils/{pupil}/absence-reports",
        headers=g,
        json={"first_day": "2026-11-24", "last_day": "2026-11-24", "reason": "sick"},
    )
    assert r.status_code == 201, r.text

    tables = small_set()
    tables["users"] = [u for u in tables["users"] if u["sourcedId"] not in ("u-p1", "u-g1")]
    tables["users"] += [
        {"sourcedId": "u-p1", "status": "tobedeleted"},
        {"sourcedId": "u-g1", "status": "tobedeleted"},
    ]
    tables["roles"] = [x for x in tables["roles"] if x["userSourcedId"] not in ("u-p1", "u-g1")]
    tables["enrollments"] = [e for e in tables["enrollments"] if e["userSourcedId"] != "u-p1"]
    summary = await _import(db, write_csv(tables, tmp_path / "deleted"))
    assert summary.removed["people"] == 2

    # The record stays, pointing at the same people.
    assert (
        await db.fetchval("SELECT submitted_by FROM absence_reports WHERE pupil_id = $1", pupil) == guardian
    )
    assert await db.fetchval("SELECT count(*) FROM people WHERE id = any($1::uuid[])", [pupil, guardian]) == 2
    state = await roster_state(db)
    assert all("u-p1" not in row for row in state["class_enrollments"] + state["relations"])
    # No sign-in, no refresh, no device to push to.
    r = await client.post("/api/v1/auth/dev-login", json={"username": "lia.g1", "client": "app"})
    assert_problem(r, 401, "auth.unknown_user")
    r = await client.post(
        "/api/v1/auth/token", data={"grant_type": "refresh_token", "refresh_token": refresh}
    )
    assert_problem(r, 400, "auth.invalid_grant")
    assert await db.fetchval("SELECT count(*) FROM devices WHERE person_id = $1", guardian) == 0
    # Nothing new reaches them, even from code that names them directly.
    from notifications.outbox import notify

    await notify(
        db,
        recipients=[guardian],
        kind="message",
        data={"thread_id": "t"},
        params={"sender": "Liv"},
        now=DEFAULT_NOW,
    )
    assert await db.fetchval("SELECT count(*) FROM notifications WHERE person_id = $1", guardian) == 0
    # The roster naming them again brings them back.
    await _import(db, folder)
    assert await db.fetchval("SELECT deactivated_at FROM people WHERE id = $1", guardian) is None


async def test_cli_lists_every_problem_and_changes_nothing(db_dsn, tmp_path, db):
    import os
    import subprocess
    import sys

    tables = small_set()
    tables["academicSessions"][0]["startDate"] = "17.08.2026"
    tables["academicSessions"][1]["endDate"] = "18/06/2027"
    env = {
        **os.environ,
        "DATABASE_URL": db_dsn,
        "SKOLEBRO_ENV": "test",
        "SKOLEBRO_LOG_LEVEL": "warning",
        "SKOLEBRO_DATA_DIR": str(tmp_path / "data"),
    }
    run = subprocess.run(
        [sys.executable, "-m", "backend.app.cli", "roster", "import", str(write_csv(tables, tmp_path / "x"))],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1
    assert (
        "academicSessions.csv line 2: startDate '17.08.2026' is not a date — write YYYY-MM-DD" in run.stderr
    )
    assert "academicSessions.csv line 3: endDate '18/06/2027' is not a date" in run.stderr
    assert "Traceback" not in run.stderr
    assert await db.fetchval("SELECT count(*) FROM people WHERE source_id LIKE 'u-%'") == 0


def test_csv_reader_refuses_non_utf8_with_the_fix(tmp_path):
    folder = write_csv(small_set(), tmp_path / "x")
    path = folder / "users.csv"
    rows = list(csv.reader(path.open(encoding="utf-8")))
    with path.open("w", newline="", encoding="cp1252") as fh:
        csv.writer(fh).writerows(rows)
    with pytest.raises(RosterError) as err:
        read_roster(folder)
    assert any(
        "save the file as 'CSV UTF-8'" in str(p) or "save it as 'CSV UTF-8'" in str(p)
        for p in err.value.problems
    )


async def test_the_leader_sees_birth_date_missing(db, client, tokens, tmp_path):
    tables = small_set(vg=True)
    tables["demographics"] = []
    await _import(db, write_csv(tables, tmp_path / "x"))
    r = await client.get(
        f"/api/v1/pupils/{await _id(db, 'u-p1')}/guardians", headers=await tokens.headers("lia.rektor")
    )
    assert r.status_code == 200 and r.json()["birth_date_missing"] is True


async def test_a_deleted_class_loses_its_pupils_and_teachers_but_stays(db, tmp_path):
    await _import(db, write_csv(small_set(), tmp_path / "bulk"))
    delta = {"classes": [{"sourcedId": "grp-mat", "status": "tobedeleted", "dateLastModified": "2026-11-01"}]}
    summary = await _import(db, write_csv(delta, tmp_path / "delta", modes={"classes": "delta"}))
    assert summary.removed["enrollments"] == 3 and summary.removed["staff assignments"] == 1
    state = await roster_state(db)
    assert state["group_enrollments"] == [] and len(state["class_enrollments"]) == 3
    assert [g[0] for g in state["groups"]] == ["grp-mat"]
    assert ("u-teacher", "subject_teacher", None, "grp-mat") not in state["assignments"]
