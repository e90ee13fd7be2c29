"""Who may reach guardians on a pupil's behalf: the class team and the school's leaders.

The call list (guardians' phone numbers), logging a call and a class's
reachability are for the people who act on a missing pupil (product.md:
Reaching guardians): the contact teacher and class team of the pupil's class,
and the leaders of its school, in the running school year. Everyone else —
a teacher of another class, a subject teacher, a guardian, a blocked guardian,
another school — gets the same 404 as for something that does not exist.
Test alerts are a leader's (``policy.school_leader_access``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

import asyncpg

from backend.access.case_staff_queries import CASE_STAFF, CLASS_STAFF
from backend.problems.errors import NotFound

STAFF_ROLES = frozenset({"contact_teacher", "class_team", "school_leader"})


@dataclass(frozen=True, slots=True)
class CaseStaff:
    case_id: uuid.UUID
    pupil_id: uuid.UUID
    class_id: uuid.UUID
    school_id: uuid.UUID
    day: date
    status: str
    timezone: str
    roles: frozenset[str]

    @property
    def is_open(self) -> bool:
        return self.status != "resolved"


@dataclass(frozen=True, slots=True)
class ClassStaff:
    class_id: uuid.UUID
    school_id: uuid.UUID
    class_name: str
    timezone: str
    local_today: date
    roles: frozenset[str]


async def case_staff_access(
    conn: asyncpg.Connection, viewer: uuid.UUID, case_id: uuid.UUID, now: datetime
) -> CaseStaff:
    """The case, if the viewer is on its class team or leads its school; NotFound otherwise."""
    row = await conn.fetchrow(CASE_STAFF, viewer, case_id, now)
    if row is None or not STAFF_ROLES & set(row["roles"]):
        raise NotFound()
    return CaseStaff(
        case_id=row["case_id"],
        pupil_id=row["pupil_id"],
        class_id=row["class_id"],
        school_id=row["school_id"],
        day=row["day"],
        status=row["status"],
        timezone=row["timezone"],
        roles=frozenset(row["roles"]),
    )


async def class_staff_access(
    conn: asyncpg.Connection, viewer: uuid.UUID, class_id: uuid.UUID, now: datetime
) -> ClassStaff:
    """The class, if the viewer is on its class team or leads its school; NotFound otherwise."""
    row = await conn.fetchrow(CLASS_STAFF, viewer, class_id, now)
    if row is None or not STAFF_ROLES & set(row["roles"]):
        raise NotFound()
    return ClassStaff(
        class_id=row["class_id"],
        school_id=row["school_id"],
        class_name=row["class_name"],
        timezone=row["timezone"],
        local_today=row["local_today"],
        roles=frozenset(row["roles"]),
    )


__all__ = ["CaseStaff", "ClassStaff", "case_staff_access", "class_staff_access"]
