"""The archive extract (docs/archive-extract.md): per pupil of a school year, the schools
attended with dates, the year's absence and the assessments and grades, as the
archive regulations list them (Riksarkivarens forskrift § 7-28).

Deterministic: the same data gives byte-identical files (sorted keys and rows, no
time of generation in any file), and ``SHA256SUMS`` lists every file's checksum.
The absence figures are the absence summary's own (the same rules as the API).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import msgspec

from backend.absence.summary import absence_summary
from backend.access.policy import Adulthood, PupilAccess
from backend.retention import archive_queries as q

FORMAT = "skolebro.archive-extract"
VERSION = "1.0"


class ExtractError(Exception):
    """The extract cannot be written as asked; the message says why."""


def _json(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode()


def _first_year(school_year: str) -> int:
    first, _, second = school_year.partition("-")
    if not (first.isdigit() and second.isdigit() and len(first) == 4 and int(second) == int(first) + 1):
        raise ExtractError(f"--school-year {school_year!r}: use YYYY-YYYY, e.g. 2026-2027")
    return int(first)


def _check_out(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ExtractError(f"{out} exists and is not an empty folder")


def _write_files(out: Path, files: dict[str, bytes]) -> None:
    """Every file, then SHA256SUMS over them (``sha256sum -c`` checks it)."""
    (out / "pupils").mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (out / name).write_bytes(content)
    sums = "".join(f"{hashlib.sha256(files[name]).hexdigest()}  {name}\n" for name in sorted(files))
    (out / "SHA256SUMS").write_text(sums, encoding="utf-8")


def _archive_access(year: asyncpg.Record, pupil: asyncpg.Record, today: date) -> PupilAccess:
    """The archive reads the school's own records of the pupil, as its former leader would;
    no staff read is audited, since no person reads."""
    return PupilAccess(
        pupil_id=pupil["pupil_id"],
        pupil_name=pupil["name"],
        school_id=year["school_id"],
        school_name=year["school_name"],
        class_id=pupil["class_id"],
        class_name=pupil["class_name"],
        grade=pupil["grade"],
        timezone=year["timezone"],
        report_deadline=year["report_deadline"],
        local_today=today,
        adulthood=Adulthood.child,
        relation="archive",
        can_read=True,
        can_report_absence=False,
        is_staff=False,
        all_subjects=True,
        subjects=(),
        leave_teacher_max_days=year["leave_teacher_max_days"],
        records_school_id=year["school_id"],
    )


async def _pupil(
    conn: asyncpg.Connection, year: asyncpg.Record, pupil: asyncpg.Record, school_year: str, now: datetime
) -> dict[str, Any]:
    today = now.astimezone(ZoneInfo(year["timezone"])).date()
    summary = await absence_summary(
        conn, _archive_access(year, pupil, today), pupil["pupil_id"], school_year, now
    )
    absence = msgspec.to_builtins(summary)
    absence.pop("pupil_id", None)
    attended = [
        {
            "school_id": str(r["school_id"]),
            "school_name": r["school_name"],
            "school_year": r["school_year"],
            "class_name": r["class_name"],
            "grade": r["grade"],
            "from": r["from_day"].isoformat(),
            "to": r["to_day"].isoformat(),
            "left_during_year": r["left_early"],
        }
        for r in await conn.fetch(q.ATTENDED, pupil["pupil_id"])
    ]
    assessments = [
        {
            "subject": r["subject"],
            "kind": r["kind"],
            "grade": r["grade"],
            "comment": r["comment"],
            "published_at": r["published_at"].astimezone(ZoneInfo(year["timezone"])).isoformat(),
            "teacher_name": r["teacher_name"],
        }
        for r in await conn.fetch(q.ASSESSMENTS, pupil["pupil_id"], year["school_year_id"], now)
    ]
    return {
        "format": FORMAT,
        "version": VERSION,
        "pupil": {
            "pupil_id": str(pupil["pupil_id"]),
            "name": pupil["name"],
            "birth_date": pupil["birth_date"].isoformat() if pupil["birth_date"] else None,
        },
        "schools_attended": attended,
        "absence": [absence],
        "assessments": assessments,
    }


async def write_extract(
    conn: asyncpg.Connection, school_id: uuid.UUID, school_year: str, out: Path, now: datetime
) -> list[str]:
    """Write the extract into ``out`` (created; must be empty) and say what was written."""
    first = _first_year(school_year)
    await asyncio.to_thread(_check_out, out)
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        year = await conn.fetchrow(q.SCHOOL_YEAR, school_id, first)
        if year is None:
            raise ExtractError(f"no school {school_id} with a school year {school_year}")
        rows = await conn.fetch(q.PUPILS, year["school_year_id"])
        seen: set[uuid.UUID] = set()
        pupils: list[dict[str, Any]] = []
        for row in rows:  # a pupil in two classes that year: the highest grade, once
            if row["pupil_id"] in seen:
                continue
            seen.add(row["pupil_id"])
            pupils.append(await _pupil(conn, year, row, school_year, now))
    files: dict[str, bytes] = {f"pupils/{p['pupil']['pupil_id']}.json": _json(p) for p in pupils}
    files["extract.json"] = _json(
        {
            "format": FORMAT,
            "version": VERSION,
            "school": {"school_id": str(year["school_id"]), "name": year["school_name"]},
            "school_year": school_year,
            "school_year_days": {"first": year["starts_on"].isoformat(), "last": year["ends_on"].isoformat()},
            "pupils": sorted(p["pupil"]["pupil_id"] for p in pupils),
            "files": sorted(files),
            "checksums": "SHA256SUMS",
        }
    )
    await asyncio.to_thread(_write_files, out, files)
    return [
        f"archive extract of {year['school_name']} {school_year}: {len(pupils)} pupils,"
        f" {len(files) + 1} files in {out}",
        "check it with: cd OUT && sha256sum -c SHA256SUMS",
    ]
