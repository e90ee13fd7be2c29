"""Roster factories: a school, a class, a person, a relation in one line each."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import asyncpg

from backend.roster.demo import school_year_of


@dataclass
class School:
    id: uuid.UUID
    year_id: uuid.UUID
    name: str


async def create_school(
    conn: asyncpg.Connection, name: str, *, today: date = date(2026, 11, 23), **settings: object
) -> School:
    school_id, year_id = uuid.uuid4(), uuid.uuid4()
    starts, ends = school_year_of(today)
    await conn.execute("INSERT INTO schools (id, name) VALUES ($1, $2)", school_id, name)
    for column, value in settings.items():
        await conn.execute(f"UPDATE schools SET {column} = $2 WHERE id = $1", school_id, value)
    await conn.execute(
        "INSERT INTO school_years (id, school_id, name, starts_on, ends_on) VALUES ($1, $2, $3, $4, $5)",
        year_id,
        school_id,
        f"{starts.year}-{ends.year}",
        starts,
        ends,
    )
    return School(school_id, year_id, name)


async def create_person(
    conn: asyncpg.Connection,
    username: str,
    name: str | None = None,
    birth_date: date | None = None,
    locale: str = "nb",
) -> uuid.UUID:
    pid = uuid.uuid4()
    await conn.execute(
        "INSERT INTO people (id, username, name, birth_date, locale) VALUES ($1, $2, $3, $4, $5)",
        pid,
        username,
        name or username,
        birth_date,
        locale,
    )
    return pid


async def create_class(conn: asyncpg.Connection, school: School, name: str, grade: int) -> uuid.UUID:
    cid = uuid.uuid4()
    await conn.execute(
        "INSERT INTO classes (id, school_id, school_year_id, name, grade) VALUES ($1, $2, $3, $4, $5)",
        cid,
        school.id,
        school.year_id,
        name,
        grade,
    )
    return cid


async def create_group(
    conn: asyncpg.Connection, school: School, name: str, subject: str, class_id: uuid.UUID | None = None
) -> uuid.UUID:
    gid = uuid.uuid4()
    await conn.execute(
        "INSERT INTO teaching_groups (id, school_id, school_year_id, class_id, name, subject)"
        " VALUES ($1, $2, $3, $4, $5, $6)",
        gid,
        school.id,
        school.year_id,
        class_id,
        name,
        subject,
    )
    return gid


async def enroll(
    conn: asyncpg.Connection, school: School, pupil: uuid.UUID, class_id: uuid.UUID, *groups: uuid.UUID
) -> None:
    await conn.execute("INSERT INTO class_enrollments VALUES ($1, $2, $3)", class_id, pupil, school.id)
    for gid in groups:
        await conn.execute("INSERT INTO group_enrollments VALUES ($1, $2, $3)", gid, pupil, school.id)


async def relate(
    conn: asyncpg.Connection,
    guardian: uuid.UUID,
    pupil: uuid.UUID,
    access: str = "full",
    adult_consent: bool = False,
) -> None:
    await conn.execute(
        "INSERT INTO guardian_relations (guardian_id, pupil_id, access, adult_consent)"
        " VALUES ($1, $2, $3, $4)",
        guardian,
        pupil,
        access,
        adult_consent,
    )


async def assign(
    conn: asyncpg.Connection,
    school: School,
    person: uuid.UUID,
    role: str,
    class_id: uuid.UUID | None = None,
    group_id: uuid.UUID | None = None,
) -> None:
    await conn.execute(
        "INSERT INTO staff_assignments (id, person_id, school_id, school_year_id, role,"
        " class_id, group_id) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        uuid.uuid4(),
        person,
        school.id,
        school.year_id,
        role,
        class_id,
        group_id,
    )


async def seed_other_school(conn: asyncpg.Connection) -> None:
    """Fjellheim skule: the outsiders of the authorization matrix live here.

    ``leader.other`` leads it, ``teacher.other`` is contact teacher of its 5A,
    ``pupil.other`` is in 5A with guardian ``guardian.other``.
    """
    school = await create_school(conn, "Fjellheim skule")
    class_id = await create_class(conn, school, "5A", 5)
    group = await create_group(conn, school, "5A matematikk", "Matematikk", class_id)
    pupil = await create_person(conn, "pupil.other", "Per Fjellheim", date(2016, 2, 2))
    guardian = await create_person(conn, "guardian.other", "Anne Fjellheim")
    teacher = await create_person(conn, "teacher.other", "Lise Lærar")
    leader = await create_person(conn, "leader.other", "Rolf Rektor")
    await enroll(conn, school, pupil, class_id, group)
    await relate(conn, guardian, pupil)
    await assign(conn, school, teacher, "contact_teacher", class_id=class_id)
    await assign(conn, school, teacher, "subject_teacher", group_id=group)
    await assign(conn, school, leader, "school_leader")
