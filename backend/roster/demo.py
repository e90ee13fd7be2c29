"""The demo school of the contract (api.md: Demo roster).

Vassenden skule, grades 1–10, classes 1A–10B of 20 pupils each, the fixed
demo users, and generated pupils, guardians and staff. Seeded only into a
database that does not already hold it.
"""

from __future__ import annotations

import logging
import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

import asyncpg

from backend.signin.identity import DEV_PEPPER, stored_subject

log = logging.getLogger("skolebro.roster")

DEMO_SOURCE_ID = "demo-vassenden"
PUPILS_PER_CLASS = 20
OFFICE_PHONE = "+4757000000"
_NS = uuid.UUID("6f1f2f5e-3c0a-4a55-9d0e-5b1c2c8b7a10")

DEMO_USERS = {
    "guardian.hansen": "guardian, full access, of pupil.ola (3A) and pupil.kari (9B)",
    "guardian.nilsen": "guardian, full access, of pupil.ola",
    "guardian.readonly": "guardian, read-only access, of pupil.kari",
    "guardian.blocked": "guardian relation with access none to pupil.ola",
    "pupil.ola": "pupil in 3A, age 8",
    "pupil.kari": "pupil in 9B, age 14",
    "teacher.3a": "contact teacher of 3A",
    "teacher.9b": "contact teacher of 9B, teaches Norwegian in 9B",
    "teacher.math9b": "subject teacher, maths group of 9B",
    "leader": "school leader of Vassenden skule",
    "pupil.vg": "pupil in VG1A of Sunnfjord vidaregåande skule, born 2009-03-14 (17), 12 subjects",
    "guardian.vg": "guardian, full access, of pupil.vg",
    "teacher.vg1a": "contact teacher of VG1A, teaches maths in VG1A",
    "leader.vg": "school leader of Sunnfjord vidaregåande skule",
    "owner": "school owner (school_owner) of the district Sunnfjord kommune, which owns Vassenden skule",
}
DISTRICT_NAME = "Sunnfjord kommune"


def demo_id(name: str) -> uuid.UUID:
    """Stable ids, so the demo school looks the same on every machine."""
    return uuid.uuid5(_NS, name)


def school_year_of(day: date) -> tuple[date, date]:
    """Norwegian school years run from mid-August to about 20 June."""
    start_year = day.year if day.month >= 8 else day.year - 1
    return date(start_year, 8, 15), date(start_year + 1, 6, 20)


def birth_date_for(grade: int, start_year: int, rng: random.Random) -> date:
    # Pupils start grade 1 in the calendar year they turn 6.
    year = start_year - 5 - grade
    return date(year, rng.randint(1, 12), rng.randint(1, 28))


@dataclass
class RosterBatch:
    """Rows to insert, gathered first so they go in with a few bulk statements."""

    people: list[tuple[object, ...]] = field(default_factory=list)
    identities: list[tuple[object, ...]] = field(default_factory=list)
    classes: list[tuple[object, ...]] = field(default_factory=list)
    groups: list[tuple[object, ...]] = field(default_factory=list)
    class_enrollments: list[tuple[object, ...]] = field(default_factory=list)
    group_enrollments: list[tuple[object, ...]] = field(default_factory=list)
    guardians: list[tuple[object, ...]] = field(default_factory=list)
    staff: list[tuple[object, ...]] = field(default_factory=list)

    def person(
        self,
        username: str,
        name: str,
        birth: date | None = None,
        locale: str = "nb",
        mobile: str | None = None,
        email: str | None = None,
    ) -> uuid.UUID:
        pid = demo_id(f"person:{username}")
        self.people.append((pid, f"demo:{username}", username, name, birth, locale, mobile, email))
        self.identities.append(("feide", f"{username}@vassenden.no", pid))
        return pid


async def write_batch(conn: asyncpg.Connection, school_id: uuid.UUID, b: RosterBatch) -> None:
    await conn.copy_records_to_table(
        "people",
        records=b.people,
        columns=["id", "source_id", "username", "name", "birth_date", "locale", "mobile", "email"],
    )
    await conn.copy_records_to_table(
        "identities", records=b.identities, columns=["provider", "subject", "person_id"]
    )
    await conn.copy_records_to_table(
        "classes",
        records=b.classes,
        columns=["id", "school_id", "school_year_id", "source_id", "name", "grade"],
    )
    await conn.copy_records_to_table(
        "teaching_groups",
        records=b.groups,
        columns=["id", "school_id", "school_year_id", "class_id", "source_id", "name", "subject"],
    )
    await conn.copy_records_to_table(
        "class_enrollments", records=b.class_enrollments, columns=["class_id", "pupil_id", "school_id"]
    )
    await conn.copy_records_to_table(
        "group_enrollments", records=b.group_enrollments, columns=["group_id", "pupil_id", "school_id"]
    )
    await conn.copy_records_to_table(
        "guardian_relations", records=b.guardians, columns=["guardian_id", "pupil_id", "access"]
    )
    await conn.copy_records_to_table(
        "staff_assignments",
        records=b.staff,
        columns=["id", "person_id", "school_id", "school_year_id", "role", "class_id", "group_id"],
    )


async def seed_demo(conn: asyncpg.Connection, now: datetime, pepper: str = DEV_PEPPER) -> bool:
    """Seed the demo school; False when it is already there.

    ``pepper`` keys the hash of the guardians' (made-up) national identity
    numbers, as the roster import does (backend.signin.identity)."""
    async with conn.transaction():
        await conn.execute("LOCK TABLE schools IN SHARE ROW EXCLUSIVE MODE")
        if await conn.fetchval("SELECT 1 FROM schools WHERE source_id = $1", DEMO_SOURCE_ID):
            return False
        starts, ends = school_year_of(now.date())
        school_id = demo_id("school")
        year_id = demo_id(f"year:{starts.year}")
        await conn.execute(
            "INSERT INTO schools (id, source_id, name, office_phone) VALUES ($1, $2, 'Vassenden skule', $3)",
            school_id,
            DEMO_SOURCE_ID,
            OFFICE_PHONE,
        )
        await conn.execute(
            "INSERT INTO school_years (id, school_id, source_id, name, starts_on, ends_on)"
            " VALUES ($1, $2, $3, $4, $5, $6)",
            year_id,
            school_id,
            f"demo-year-{starts.year}",
            f"{starts.year}–{ends.year}",
            starts,
            ends,
        )
        batch = build_demo_batch(school_id, year_id, starts.year, pepper)
        await write_batch(conn, school_id, batch)
        await seed_upper_secondary(conn, starts, ends, pepper)
        await _seed_owner(conn, school_id)
    log.info("seeded the demo school Vassenden skule (%d people)", len(batch.people))
    return True


@dataclass
class _DemoBuild:
    """What every step of building the demo school shares; one seeded ``rng`` keeps it repeatable."""

    school_id: uuid.UUID
    year_id: uuid.UUID
    start_year: int
    pepper: str
    rng: random.Random = field(default_factory=lambda: random.Random(20260817))
    batch: RosterBatch = field(default_factory=RosterBatch)

    def staff(
        self,
        person: uuid.UUID,
        role: str,
        class_id: uuid.UUID | None = None,
        group_id: uuid.UUID | None = None,
    ) -> None:
        self.batch.staff.append(
            (uuid.uuid4(), person, self.school_id, self.year_id, role, class_id, group_id)
        )

    def random_name(self, surname: str | None = None) -> str:
        from backend.roster.names import FIRST_NAMES, SURNAMES

        first = self.rng.choice(FIRST_NAMES)
        return f"{first} {surname if surname is not None else self.rng.choice(SURNAMES)}"


# The two fixed demo pupils (api.md: Demo roster), by (grade, letter):
# username, name, age, birth month and day.
_FIXED_PUPILS = {
    (3, "A"): ("pupil.ola", "Ola Hansen", 8, 3, 14),
    (9, "B"): ("pupil.kari", "Kari Hansen", 14, 5, 2),
}


def build_demo_batch(
    school_id: uuid.UUID, year_id: uuid.UUID, start_year: int, pepper: str = DEV_PEPPER
) -> RosterBatch:
    d = _DemoBuild(school_id, year_id, start_year, pepper)
    fixed: dict[str, uuid.UUID] = {}
    for grade in range(1, 11):
        for letter in ("A", "B"):
            class_id, norsk, maths = _add_class_and_groups(d, f"{grade}{letter}", grade)
            _add_class_staff(d, f"{grade}{letter}", class_id, norsk, maths)
            pupils = _add_class_pupils(d, grade, letter)
            for pid in pupils:
                d.batch.class_enrollments.append((class_id, pid, school_id))
                d.batch.group_enrollments.append((norsk, pid, school_id))
                d.batch.group_enrollments.append((maths, pid, school_id))
            if (grade, letter) in _FIXED_PUPILS:
                fixed[_FIXED_PUPILS[(grade, letter)][0]] = pupils[0]
    _add_fixed_guardians(d, ola=fixed["pupil.ola"], kari=fixed["pupil.kari"])
    d.staff(d.batch.person("leader", "Astrid Rektor"), "school_leader")
    return d.batch


def _add_class_and_groups(d: _DemoBuild, cname: str, grade: int) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    """The class and its two teaching groups (Norwegian, maths)."""
    class_id = demo_id(f"class:{cname}")
    d.batch.classes.append((class_id, d.school_id, d.year_id, f"demo-class-{cname}", cname, grade))
    norsk = demo_id(f"group:{cname}:norsk")
    maths = demo_id(f"group:{cname}:matematikk")
    d.batch.groups.append(
        (norsk, d.school_id, d.year_id, class_id, f"demo-group-{cname}-nor", f"{cname} norsk", "Norsk")
    )
    d.batch.groups.append(
        (
            maths,
            d.school_id,
            d.year_id,
            class_id,
            f"demo-group-{cname}-mat",
            f"{cname} matematikk",
            "Matematikk",
        )
    )
    return class_id, norsk, maths


def _add_class_staff(
    d: _DemoBuild, cname: str, class_id: uuid.UUID, norsk: uuid.UUID, maths: uuid.UUID
) -> None:
    """A contact teacher (who teaches both groups but 9B's maths), and a class team member."""
    b = d.batch
    if cname == "3A":
        contact = b.person("teacher.3a", "Ingrid Lærar")
    elif cname == "9B":
        contact = b.person("teacher.9b", "Torstein Kontaktlærar")
    else:
        contact = b.person(f"laerer.{cname.lower()}", d.random_name())
    d.staff(contact, "contact_teacher", class_id=class_id)
    d.staff(contact, "subject_teacher", group_id=norsk)
    team = b.person(f"team.{cname.lower()}", d.random_name())
    d.staff(team, "class_team", class_id=class_id)
    if cname == "9B":
        d.staff(b.person("teacher.math9b", "Sigrid Matematikk"), "subject_teacher", group_id=maths)
    else:
        d.staff(contact, "subject_teacher", group_id=maths)


def _add_class_pupils(d: _DemoBuild, grade: int, letter: str) -> list[uuid.UUID]:
    """The class's pupils (its fixed demo pupil first), each generated one with a reachable guardian."""
    from backend.roster.names import SURNAMES

    b, rng, cname = d.batch, d.rng, f"{grade}{letter}"
    pupils = []
    fixed = _FIXED_PUPILS.get((grade, letter))
    if fixed:
        username, name, age, month, day = fixed
        pupils.append(b.person(username, name, date(d.start_year - age, month, day)))
    while len(pupils) < PUPILS_PER_CLASS:
        n = len(pupils) + 1
        surname = rng.choice(SURNAMES)
        pid = b.person(
            f"elev.{cname.lower()}.{n:02d}",
            d.random_name(surname),
            birth_date_for(grade, d.start_year, rng),
        )
        pupils.append(pid)
        # Every demo guardian can be reached (api.md: Demo roster): numbers in
        # the +47400… range, one per generated guardian.
        serial = (grade * 2 + (letter == "B")) * 100 + n
        guardian = b.person(
            f"foresatt.{cname.lower()}.{n:02d}",
            d.random_name(surname),
            mobile=f"+47400{10000 + serial:05d}",
            email=f"foresatt.{cname.lower()}.{n:02d}@example.no",
        )
        b.guardians.append((guardian, pid, "full"))
        b.identities.append(
            (
                "idporten",
                stored_subject("idporten", f"demo-pid-{cname.lower()}-{n:02d}", d.pepper),
                guardian,
            )
        )
    return pupils


def _add_fixed_guardians(d: _DemoBuild, ola: uuid.UUID, kari: uuid.UUID) -> None:
    """The four fixed demo guardians of Ola and Kari, with their ID-porten identities and access."""
    b = d.batch
    hansen = b.person(
        "guardian.hansen", "Kari Nordmann Hansen", mobile="+4740000001", email="hansen@example.no"
    )
    nilsen = b.person("guardian.nilsen", "Per Nilsen", mobile="+4740000002", email="nilsen@example.no")
    readonly = b.person(
        "guardian.readonly", "Ragnhild Hansen", mobile="+4740000003", email="ragnhild@example.no"
    )
    blocked = b.person("guardian.blocked", "Bjørn Hansen", mobile="+4740000004", email="bjorn@example.no")
    for gid, nid in (
        (hansen, "01017012345"),
        (nilsen, "02027012345"),
        (readonly, "03037012345"),
        (blocked, "04047012345"),
    ):
        b.identities.append(("idporten", stored_subject("idporten", nid, d.pepper), gid))
    b.guardians += [
        (hansen, ola, "full"),
        (hansen, kari, "full"),
        (nilsen, ola, "full"),
        (readonly, kari, "read_only"),
        (blocked, ola, "none"),
    ]


# --- the upper-secondary school ----------------------------------------------
# Sunnfjord vidaregåande skule (api.md: Demo roster), owned by the district Vestland
# fylkeskommune, with class VG1A, its twelve subjects of known annual hours, and the
# fixed users pupil.vg (born 2009-03-14: 17 on the demo's school days), guardian.vg
# and teacher.vg1a; seeded beside Vassenden skule by seed_demo in the same
# transaction, so the upper-secondary absence rules can be tried over HTTP.

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


async def _seed_owner(conn: asyncpg.Connection, school_id: uuid.UUID) -> None:
    """The district that owns Vassenden skule and its school owner (api.md: Demo roster)."""
    district_id = demo_id("district:sunnfjord")
    owner = demo_id("person:owner")
    await conn.execute(
        "INSERT INTO districts (id, source_id, name) VALUES ($1, 'demo-sunnfjord', $2)",
        district_id,
        DISTRICT_NAME,
    )
    await conn.execute("UPDATE schools SET district_id = $2 WHERE id = $1", school_id, district_id)
    await conn.execute(
        "INSERT INTO people (id, source_id, username, name, locale)"
        " VALUES ($1, 'demo:owner', 'owner', $2, 'nn')",
        owner,
        "Solveig Kommunalsjef",
    )
    await conn.execute(
        "INSERT INTO identities (provider, subject, person_id) VALUES ('feide', $2, $1)",
        owner,
        "owner@sunnfjord.kommune.no",
    )
    await conn.execute(
        "INSERT INTO district_administrators (person_id, district_id) VALUES ($1, $2)", owner, district_id
    )
    # The upper-secondary school's owner has no user in the demo.
    county_id = demo_id("district:vestland")
    await conn.execute(
        "INSERT INTO districts (id, source_id, name) VALUES ($1, 'demo-vestland', $2)",
        county_id,
        VG_DISTRICT_NAME,
    )
    await conn.execute("UPDATE schools SET district_id = $2 WHERE id = $1", vg_school_id(), county_id)
