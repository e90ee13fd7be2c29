"""The archive extract (docs/archive-extract.md): per pupil, schools attended with
dates, absence of the year and assessments; deterministic; with checksums."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import subprocess
import sys

import pytest

from backend.flows.archive_extract import ExtractError, write_extract
from tests.support.demo import DEFAULT_NOW, OLA, SCHOOL


async def test_the_demo_year_twice_gives_byte_identical_files(client, tokens, db, tmp_path):
    r = await client.post(
        f"/api/v1/pupils/{OLA}/absence-reports",
        headers=await tokens.headers("guardian.hansen"),
        json={"first_day": "2026-11-23", "reason": "sick", "note": "Feber"},
    )
    assert r.status_code == 201, r.text
    at = DEFAULT_NOW.replace(hour=20)
    lines = await write_extract(db, SCHOOL, "2026-2027", tmp_path / "a", at)
    await write_extract(db, SCHOOL, "2026-2027", tmp_path / "b", at)
    assert "pupils" in lines[0]

    def tree(root):
        return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}

    a, b = tree(tmp_path / "a"), tree(tmp_path / "b")
    assert a == b and len(a) > 10
    # the checksum manifest covers every other file
    sums = dict(reversed(line.split("  ")) for line in a["SHA256SUMS"].decode().splitlines())
    assert set(sums) == set(a) - {"SHA256SUMS"}
    for name, digest in sums.items():
        assert hashlib.sha256(a[name]).hexdigest() == digest
    ola = json.loads(a[f"pupils/{OLA}.json"])
    assert ola["version"] == "1.0" and ola["pupil"]["name"]
    assert ola["schools_attended"][0]["school_id"] == str(SCHOOL)
    attended = ola["schools_attended"][0]
    assert attended["from"] <= "2026-11-23" <= attended["to"] and not attended["left_during_year"]
    year = ola["absence"][0]
    assert year["school_year"] == "2026-2027" and year["days"]["reported"] >= 1
    index = json.loads(a["extract.json"])
    assert str(OLA) in index["pupils"] and f"pupils/{OLA}.json" in index["files"]
    # the archive's reads are no staff reads
    assert await db.fetchval("SELECT count(*) FROM audit_log") == await db.fetchval(
        "SELECT count(*) FROM audit_log WHERE at < $1", at
    )


@pytest.mark.parametrize("year", ["2026", "2026-2028", "abcd-efgh", "1999-2000"])
async def test_bad_school_year(db, tmp_path, year):
    with pytest.raises(ExtractError):
        await write_extract(db, SCHOOL, year, tmp_path / "x", DEFAULT_NOW)
    assert not (tmp_path / "x").exists()


async def test_refuses_a_folder_with_files(db, tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(ExtractError):
        await write_extract(db, SCHOOL, "2026-2027", tmp_path, DEFAULT_NOW)
    assert (tmp_path / "keep.txt").read_text() == "mine"


async def test_cli(db_dsn, settings, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": db_dsn,
        "SKOLEBRO_ENV": "test",
        "SKOLEBRO_DATA_DIR": str(settings.data_dir),
        "SKOLEBRO_NOW": DEFAULT_NOW.isoformat(),
    }
    args = [
        "archive",
        "extract",
        "--school",
        str(SCHOOL),
        "--school-year",
        "2026-2027",
        "--out",
        str(tmp_path / "o"),
    ]
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "backend.app.cli",
        *args,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    assert b"archive extract of" in out and (tmp_path / "o" / "SHA256SUMS").is_file()
    bad = [
        "archive",
        "extract",
        "--school",
        "nope",
        "--school-year",
        "2026-2027",
        "--out",
        str(tmp_path / "p"),
    ]
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "backend.app.cli", *bad, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    _, err = await proc.communicate()
    assert proc.returncode == 2 and b"not a school id" in err
