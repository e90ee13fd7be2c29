"""Untidy exports: blank manifest values, demographics columns spelt otherwise, and the
statistics an import leaves behind (ANALYZE of what it changed)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from backend.roster.importer import import_roster
from backend.roster.oneroster.csv_reader import read_roster
from backend.roster.oneroster.model import RosterError
from tests.roster.test_import import make_export


def _rewrite(path: Path, header_map: dict[str, str]) -> None:
    rows = list(csv.reader(path.open(encoding="utf-8")))
    rows[0] = [header_map.get(c, c) for c in rows[0]]
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)


def _manifest(folder: Path, extra: list[list[str]]) -> None:
    with (folder / "manifest.csv").open("a", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(extra)


def test_empty_manifest_values_are_absent_with_a_note(tmp_path):
    folder = make_export(tmp_path / "export", "1.2")
    _manifest(
        folder,
        [
            ["file.users", "bulk"],
            ["file.orgs", "bulk"],
            ["file.academicSessions", "bulk"],
            ["file.classes", "bulk"],
            ["file.enrollments", "bulk"],
            ["file.roles", "bulk"],
            ["file.demographics", "bulk"],
            ["file.scoreScales", ""],
            ["file.userProfiles", ""],
            ["file.userResources", ""],
            ["file.courses", ""],
        ],
    )
    roster = read_roster(folder)
    assert roster.modes["courses"] == "absent"
    assert any(
        "file.scoreScales, file.userProfiles, file.userResources, file.courses empty; read as absent" in n
        for n in roster.notes
    ), roster.notes


def test_a_bad_manifest_value_is_still_refused(tmp_path):
    folder = make_export(tmp_path / "export")
    _manifest(folder, [["file.users", "sometimes"]])
    with pytest.raises(RosterError) as err:
        read_roster(folder)
    assert any("write bulk, delta or absent" in str(p) for p in err.value.problems)


def test_demographics_with_user_sourced_id_and_birthdate(tmp_path):
    folder = make_export(tmp_path / "export", "1.1")
    _rewrite(folder / "demographics.csv", {"sourcedId": "userSourcedId", "birthDate": "birthdate"})
    roster = read_roster(folder)
    births = {u.source_id: u.birth_date for u in roster.users if u.birth_date}
    assert len(births) == 3, births
    assert any("read userSourcedId as sourcedId, birthdate as birthDate" in n for n in roster.notes)
    assert roster.unused_columns["demographics.csv"] == ["sex"]


def test_demographics_user_sourced_id_wins_over_its_own_sourced_id(tmp_path):
    folder = make_export(tmp_path / "export", "1.1")
    path = folder / "demographics.csv"
    rows = list(csv.reader(path.open(encoding="utf-8")))
    out = [["sourcedId", "userSourcedId", "date_of_birth", "sex"]]
    out += [[f"demo-{i}", r[0], r[3], r[4]] for i, r in enumerate(rows[1:])]
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(out)
    roster = read_roster(folder)
    assert sum(1 for u in roster.users if u.birth_date) == 3


async def test_import_analyzes_the_tables_it_changed(db, tmp_path):
    folder = make_export(tmp_path / "export")
    summary = await import_roster(db, read_roster(folder))
    assert {"people", "class_enrollments", "guardian_relations"} <= set(summary.analyzed)
    assert any(line.startswith("statistics updated (ANALYZE): ") for line in summary.lines())
    analyzed = await db.fetch(
        "SELECT relname FROM pg_stat_user_tables"
        " WHERE last_analyze IS NOT NULL AND relname = any($1::text[])",
        summary.analyzed,
    )
    assert {r["relname"] for r in analyzed} == set(summary.analyzed)
    # Nothing changed on the second run: nothing to analyse.
    again = await import_roster(db, read_roster(folder))
    assert again.analyzed == []


async def test_dry_run_analyzes_nothing(db, tmp_path):
    summary = await import_roster(db, read_roster(make_export(tmp_path / "export")), dry_run=True)
    assert summary.analyzed == []
