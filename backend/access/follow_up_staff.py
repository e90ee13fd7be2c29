"""Who may see and act on an absence follow-up, and what a school owner may see.

A follow-up is staff-only (product.md: Following up absence): the contact
teacher of the pupil's class and the school's leaders, in the running school
year. The class team, subject teachers, guardians, the pupil, other schools and
school owners get the same 404 as for a follow-up that does not exist.

A school owner (the roster's district administrator) sees aggregated numbers of
the district's schools and nothing of any person: the owner has no relation in
``pupil_relation``, so every pupil endpoint is 404 for them already; here is only
the district they may read statistics of.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from backend.access.follow_up_staff_queries import FOLLOW_UP_ROLES, OWNED_DISTRICTS
from backend.problems.errors import NotFound


@dataclass(frozen=True, slots=True)
class District:
    district_id: uuid.UUID
    name: str


async def follow_up_roles(
    conn: asyncpg.Connection, viewer: uuid.UUID, follow_up_id: uuid.UUID, now: datetime
) -> frozenset[str]:
    """The viewer's roles on the follow-up (contact_teacher, school_leader); NotFound when none."""
    roles = await conn.fetchval(FOLLOW_UP_ROLES, viewer, now, follow_up_id)
    if not roles:
        raise NotFound()
    return frozenset(roles)


async def owned_districts(conn: asyncpg.Connection, person: uuid.UUID) -> list[District]:
    rows = await conn.fetch(OWNED_DISTRICTS, person)
    return [District(r["district_id"], r["name"]) for r in rows]


async def district_owner_access(
    conn: asyncpg.Connection, person: uuid.UUID, district_id: uuid.UUID
) -> District:
    """The district, if the person is its school owner; NotFound otherwise (as for no district)."""
    for district in await owned_districts(conn, person):
        if district.district_id == district_id:
            return district
    raise NotFound()
