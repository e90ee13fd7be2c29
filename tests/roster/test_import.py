"""OneRoster 1.1 and 1.2 import: idempotent by sourcedId, dry run, clear errors."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from backend.roster.importer import import_roster
from backend.roster.oneroster.csv_reader import read_roster
from backend.roster.oneroster.model import RosterError
from tests.support.roster_sets import COLUMNS


def write(folder: Path, name: str, header: list[str], rows: list[list[str]]) -> None:
    with (folder / name).open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


def make_export(folder: Path, version: str = "1.1", pupils: int = 3) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    write(
        folder,
        "manifest.csv",
        ["propertyName", "value"],
        [["manifest.version", "1.0"], ["oneroster.version", version]],
    )
    write(
        folder,
        "orgs.csv",
        COLUMNS["orgs"],
        [
            ["org-kommune", "", "", "Bergen kommune", "district", "", ""],
            ["org-lia", "", "", "Lia skule", "school", "975000001", "org-kommune"],
        ],
    )
    write(
        folder,
        "academicSessions.csv",
        COLUMNS["academicSessions"],
        [
            ["sy-2026", "", "", "2026–2027", "schoolYear", "2026-08-17", "2027-06-18", "", "2027"],
            ["t-autumn", "", "", "Haust", "term", "2026-08-17", "2026-12-20", "sy-2026", "2027"],
        ],
    )
    write(
        folder,
        "classes.csv",
        COLUMNS["classes"],
        [
            ["cls-4a", "", "", "4A", "04", "", "4A", "homeroom", "", "org-lia", "sy-2026", ""],
            [
                "grp-4a-mat",
                "",
                "",
                "4A matematikk",
                "04",
                "",
                "4AMAT",
                "scheduled",
                "",
                "org-lia",
                "t-autumn",
                "Matematikk",
            ],
        ],
    )
    users_header = [
        "sourcedId",
        "status",
        "dateLastModified",
        "enabledUser",
        "orgSourcedIds",
        "role",
        "username",
        "userIds",
        "givenName",
        "familyName",
        "middleName",
        "identifier",
        "email",
        "sms",
        "phone",
        "agentSourcedIds",
        "grades",
        "password",
        "metadata.agentAccess",
    ]
    users = [
        [
            "u-teacher",
            "",
            "",
            "true",
            "org-lia",
            "teacher",
            "lia.teacher",
            "{Feide:lia.teacher@lia.no}",
            "Liv",
            "Lærar",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
        [
            "u-rektor",
            "",
            "",
            "true",
            "org-lia",
            "administrator",
            "lia.rektor",
            "{Feide:lia.rektor@lia.no}",
            "Rut",
            "Rektor",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
    ]
    enrollments = [
        ["e-t1", "", "", "cls-4a", "org-lia", "u-teacher", "teacher", "true", "", ""],
        ["e-t2", "", "", "grp-4a-mat", "org-lia", "u-teacher", "teacher", "false", "", ""],
    ]
    demographics = []
    for n in range(1, pupils + 1):
        users.append(
            [
                f"u-p{n}",
                "",
                "",
                "true",
                "org-lia",
                "student",
                f"lia.p{n}",
                f"{{Feide:p{n}@lia.no}}",
                f"Elev{n}",
                "Lia",
                "",
                "",
                "",
                "",
                "",
                f"u-g{n}",
                "04",
                "",
                "",
            ]
        )
        access = f"u-p{n}:read_only" if n == 2 else ""
        users.append(
            [
                f"u-g{n}",
                "",
                "",
                "true",
                "org-lia",
                "parent",
                f"lia.g{n}",
                f"{{IdPorten:0101{n:07d}}}",
                f"Forelder{n}",
                "Lia",
                "",
                "",
                "",
                "",
                "",
                f"u-p{n}",
                "",
                "",
                access,
            ]
        )
        enrollments.append([f"e-p{n}", "", "", "cls-4a", "org-lia", f"u-p{n}", "student", "false", "", ""])
        enrollments.append(
            [f"e-pm{n}", "", "", "grp-4a-mat", "org-lia", f"u-p{n}", "student", "false", "", ""]
        )
        demographics.append([f"u-p{n}", "", "", "2017-04-0" + str(n % 9 + 1), "female"])
    if version == "1.2":
        write(
            folder,
            "roles.csv",
            COLUMNS["roles"],
            [[f"r-{u[0]}", "", "", u[0], "primary", u[5], "org-lia", "", "", ""] for u in users],
        )
        for u in users:
            u[5] = ""
    write(folder, "users.csv", users_header, users)
    write(
        folder,
        "enrollments.csv",
        COLUMNS["enrollments"],
        enrollments,
    )
    write(
        folder,
        "demographics.csv",
        COLUMNS["demographics"],
        demographics,
    )
    return folder


async def counts(db) -> dict[str, int]:
    q = {
        "people": "SELECT count(*) FROM people WHERE source_id LIKE 'u-%'",
        "enrollments": "SELECT count(*) FROM class_enrollments e JOIN classes c"
        " ON c.id = e.class_id WHERE c.source_id = 'cls-4a'",
        "relations": "SELECT count(*) FROM guardian_relations r JOIN people p"
        " ON p.id = r.pupil_id WHERE p.source_id LIKE 'u-p%'",
        "assignments": "SELECT count(*) FROM staff_assignments a JOIN people p"
        " ON p.id = a.person_id WHERE p.source_id IN ('u-teacher', 'u-rektor')",
    }
    return {k: await db.fetchval(v) for k, v in q.items()}


@pytest.mark.parametrize("version", ["1.1", "1.2"])
async def test_import_builds_the_roster_and_a_second_run_changes_nothing(db, tmp_path, version):
    folder = make_export(tmp_path / "export", version)
    roster = read_roster(folder)
    assert roster.version == version
    first = await import_roster(db, roster)
    assert first.created["people"] == 8 and first.created["classes"] == 1
    assert await counts(db) == {"people": 8, "enrollments": 3, "relations": 3, "assignments": 3}
    # Roles: contact teacher of 4A, subject teacher of the maths group, school leader.
    roles = {
        r["role"]
        for r in await db.fetch(
            "SELECT role FROM staff_assignments a JOIN people p ON p.id = a.person_id"
            " WHERE p.source_id IN ('u-teacher', 'u-rektor')"
        )
    }
    assert roles == {"contact_teacher", "subject_teacher", "school_leader"}
    assert (
        await db.fetchval(
            "SELECT access FROM guardian_relations r JOIN people p"
            " ON p.id = r.pupil_id WHERE p.source_id = 'u-p2'"
        )
        == "read_only"
    )
    assert (
        await db.fetchval(
            "SELECT c.name FROM teaching_groups g JOIN classes c"
            " ON c.id = g.class_id WHERE g.source_id = 'grp-4a-mat'"
        )
        == "4A"
    )
    assert (
        await db.fetchval(
            "SELECT count(*) FROM identities i JOIN people p"
            " ON p.id = i.person_id WHERE p.source_id LIKE 'u-%'"
        )
        == 8
    )

    again = await import_roster(db, read_roster(folder))
    assert sum(again.created.values()) == 0
    assert sum(again.updated.values()) == 0
    assert sum(again.removed.values()) == 0
    assert await counts(db) == {"people": 8, "enrollments": 3, "relations": 3, "assignments": 3}


async def test_import_follows_changes_and_deletions(db, tmp_path):
    folder = make_export(tmp_path / "export", pupils=3)
    await import_roster(db, read_roster(folder))
    # Next export: pupil 3 left (tobedeleted), pupil 1 renamed.
    make_export(folder, pupils=2)
    rows = list(csv.reader((folder / "users.csv").open(encoding="utf-8")))
    rows[3][8] = "Omdøypt"
    rows.append(["u-p3", "tobedeleted"] + [""] * 17)
    with (folder / "users.csv").open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    summary = await import_roster(db, read_roster(folder))
    assert summary.updated["people"] == 1
    assert summary.removed["people"] == 1
    assert await db.fetchval("SELECT name FROM people WHERE source_id = 'u-p1'") == "Omdøypt Lia"
    # Deactivated, not erased: the row stays for the records that point at it.
    assert await db.fetchval("SELECT deactivated_at IS NOT NULL FROM people WHERE source_id = 'u-p3'")
    assert (await counts(db))["enrollments"] == 2


async def test_dry_run_writes_nothing(db, tmp_path):
    folder = make_export(tmp_path / "export")
    before = await db.fetchval("SELECT count(*) FROM people")
    summary = await import_roster(db, read_roster(folder), dry_run=True)
    assert summary.created["people"] == 8 and summary.dry_run
    assert await db.fetchval("SELECT count(*) FROM people") == before


def test_unknown_role_is_refused_with_the_line_and_the_fix(tmp_path):
    folder = make_export(tmp_path / "export")
    text = (folder / "users.csv").read_text(encoding="utf-8").replace(",student,", ",wizard,", 1)
    (folder / "users.csv").write_text(text, encoding="utf-8")
    with pytest.raises(RosterError) as err:
        read_roster(folder)
    assert any(
        str(p).startswith("users.csv line 4: role 'wizard' is not a OneRoster role — use one of")
        for p in err.value.problems
    )


def test_missing_files_are_named(tmp_path):
    folder = make_export(tmp_path / "export")
    (folder / "enrollments.csv").unlink()
    with pytest.raises(RosterError, match=r"lacks enrollments\.csv"):
        read_roster(folder)


def test_bad_date_names_the_column(tmp_path):
    folder = make_export(tmp_path / "export")
    text = (folder / "academicSessions.csv").read_text().replace("2027-06-18", "18.06.2027")
    (folder / "academicSessions.csv").write_text(text)
    with pytest.raises(RosterError) as err:
        read_roster(folder)
    assert [str(p) for p in err.value.problems] == [
        "academicSessions.csv line 2: endDate '18.06.2027' is not a date — write YYYY-MM-DD"
    ]


async def test_cli_prints_progress_and_a_summary(db_dsn, tmp_path, data_dir, signing_key):
    folder = make_export(tmp_path / "export")
    env = {
        **os.environ,
        "DATABASE_URL": db_dsn,
        "SKOLEBRO_ENV": "test",
        "SKOLEBRO_DATA_DIR": str(tmp_path / "data"),
        "SKOLEBRO_LOG_LEVEL": "warning",
    }
    run = subprocess.run(
        [sys.executable, "-m", "backend.app.cli", "roster", "import", str(folder), "--dry-run"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "OneRoster 1.1: 1 schools, 2 classes, 8 users" in run.stdout
    assert "dry run: nothing was written" in run.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "backend.app.cli", "roster", "import", str(tmp_path / "nowhere")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 1
    assert "nothing was changed" in bad.stderr and "is not a folder" in bad.stderr


async def test_a_run_is_recorded_for_the_leaders_roster_page_and_a_dry_run_is_not(db, tmp_path):
    folder = make_export(tmp_path / "export")
    await import_roster(db, read_roster(folder), dry_run=True)
    assert await db.fetchval("SELECT count(*) FROM roster_runs") == 0
    summary = await import_roster(db, read_roster(folder))
    run = await db.fetchrow("SELECT source, summary FROM roster_runs")
    assert run["source"] == "import"
    recorded = run["summary"] if isinstance(run["summary"], dict) else json.loads(run["summary"])
    assert recorded["rows_read"] == summary.rows_read
    assert recorded["created"]["people"] == 8 and recorded["warning_count"] == summary.warning_count
