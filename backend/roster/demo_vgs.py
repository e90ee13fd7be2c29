"""The demo's upper-secondary school (api.md: Demo roster): Sunnfjord vidaregåande
skule, owned by the district Vestland fylkeskommune, with class VG1A, its twelve
subjects of known annual hours, and the fixed users ``pupil.vg`` (born 2009-03-14:
17 on the demo's school days), ``guardian.vg`` and ``teacher.vg1a``.

Seeded beside Vassenden skule by ``seed_demo``, in the same transaction, so the
upper-secondary absence rules (the 2025 counting, written warnings) can be tried
over HTTP.
"""

from __future__ import annotations

import uuid
from datetime import date

import asyncpg

from backend.roster.demo import RosterBatch, demo_id, write_batch
from backend.signin.identity import stored_subject

VG_SOURCE_ID = "demo-sunnfjord-vgs"
VG_SCHOOL_NAME = "Sunnfjord vidaregåande skule"
# The school owner (OneRoster district) of the upper-secondary school; the districts
# themselves are the school owner's part of the roster.
VG_DISTRICT_NAME = "Vestland fylkeskommune"
VG_OFFICE_PHONE = "+4757000100"
VG_PUPILS = 15

# VG1A's subjects (Vg1 studieførebuande) with their annual hours (årstimetal in
# 60-minute hours, from the subject curricula's hours as the roster would carry them).
VG1A_SUBJECTS: tuple[tuple[str, str, int], ...] = (
    ("norsk", "Norsk", 112),
    ("matematikk", "Matematikk 1T", 140),
    ("engelsk", "Engelsk", 140),
    ("naturfag", "Naturfag", 140),
    ("spansk", "Spansk II", 113),
    ("samfunnskunnskap", "Samfunnskunnskap", 84),
    ("geografi", "Geografi", 56),
    ("kroppsoving", "Kroppsøving", 56),
    ("it1", "Informasjonsteknologi 1", 140),
    ("entreprenorskap", "Entreprenørskap og bedriftsutvikling 1", 140),
    ("fysikk", "Fysikk 1", 140),
    ("kjemi", "Kjemi 1", 140),
)


def vg_school_id() -> uuid.UUID:
    return demo_id("school:sunnfjord-vgs")


async def seed_upper_secondary(
    conn: asyncpg.Connection, starts: date, ends: date, pepper: str
) -> RosterBatch:
    """Write the school, its school year and VG1A; inside the caller's transaction."""
    school_id = vg_school_id()
    year_id = demo_id(f"year:sunnfjord-vgs:{starts.year}")
    await conn.execute(
        "INSERT INTO schools (id, source_id, name, office_phone) VALUES ($1, $2, $3, $4)",
        school_id,
        VG_SOURCE_ID,
        VG_SCHOOL_NAME,
        VG_OFFICE_PHONE,
    )
    await conn.execute(
        "INSERT INTO school_years (id, school_id, source_id, name, starts_on, ends_on)"
        " VALUES ($1, $2, $3, $4, $5, $6)",
        year_id,
        school_id,
        f"demo-sunnfjord-year-{starts.year}",
        f"{starts.year}–{ends.year}",
        starts,
        ends,
    )
    b = RosterBatch()
    class_id = demo_id("class:VG1A")
    b.classes.append((class_id, school_id, year_id, "demo-class-vg1a", "VG1A", 11))
    groups: dict[str, uuid.UUID] = {}
    for key, subject, _hours in VG1A_SUBJECTS:
        gid = demo_id(f"group:VG1A:{key}")
        groups[key] = gid
        b.groups.append(
            (gid, school_id, year_id, class_id, f"demo-group-vg1a-{key}", f"VG1A {subject}", subject)
        )

    def staff(
        person: uuid.UUID, role: str, cid: uuid.UUID | None = None, gid: uuid.UUID | None = None
    ) -> None:
        b.staff.append((uuid.uuid4(), person, school_id, year_id, role, cid, gid))

    contact = b.person("teacher.vg1a", "Solveig Kontaktlærar")
    staff(contact, "contact_teacher", cid=class_id)
    staff(contact, "subject_teacher", gid=groups["matematikk"])
    subject_teacher = b.person("faglaerer.vg1a", "Eirik Faglærar")
    for key, gid in groups.items():
        if key != "matematikk":
            staff(subject_teacher, "subject_teacher", gid=gid)
    staff(b.person("leader.vg", "Marit Rektor"), "school_leader")

    pupils = [b.person("pupil.vg", "Vilde Sunde", date(2009, 3, 14))]
    guardian = b.person("guardian.vg", "Geir Sunde", mobile="+4740000005", email="sunde@example.no")
    b.identities.append(("idporten", stored_subject("idporten", "05057512345", pepper), guardian))
    b.guardians.append((guardian, pupils[0], "full"))
    for n in range(2, VG_PUPILS + 1):
        pid = b.person(f"elev.vg1a.{n:02d}", f"Elev Vg {n}", date(2009 + n % 2, 1 + n % 12, 1 + n))
        pupils.append(pid)
        g = b.person(
            f"foresatt.vg1a.{n:02d}",
            f"Foresatt Vg {n}",
            mobile=f"+47400{90000 + n:05d}",
            email=f"foresatt.vg1a.{n:02d}@example.no",
        )
        b.guardians.append((g, pid, "full"))
    for pid in pupils:
        b.class_enrollments.append((class_id, pid, school_id))
        for gid in groups.values():
            b.group_enrollments.append((gid, pid, school_id))
    await write_batch(conn, school_id, b)
    # The roster's course data carries each subject's annual hours.
    await conn.executemany(
        "UPDATE teaching_groups SET planned_hours = $2 WHERE id = $1",
        [(groups[key], hours) for key, _subject, hours in VG1A_SUBJECTS],
    )
    return b
