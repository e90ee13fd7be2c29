"""Who the signed-in person is, from the roster."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg

from backend.access.follow_up_staff import owned_districts
from backend.me import queries as q
from backend.problems.codes import Code
from backend.problems.errors import Unauthorized
from schemas.common import Access, Role
from schemas.me import Child, Me, MyClass, MyGroup, MySchool
from schemas.owners import District


async def me(conn: asyncpg.Connection, person_id: uuid.UUID, now: datetime) -> Me:
    row = await conn.fetchrow(q.ME, person_id, now)
    if row is None:
        # A valid token for a person removed from the roster.
        raise Unauthorized(Code.AUTH_UNKNOWN_USER)
    # Who the children are is the access policy's (guardians_with_access); a guardian
    # who may not act for the child (read-only, or the child is or may be an adult) reads.
    children = [
        Child(
            pupil_id=uuid.UUID(c["pupil_id"]),
            name=c["name"],
            class_name=c["class_name"],
            grade=c["grade"],
            access=Access.full if c["may_act"] else Access.read_only,
        )
        for c in row["children"]
    ]
    classes = [
        MyClass(
            class_id=uuid.UUID(c["class_id"]),
            name=c["name"],
            grade=c["grade"],
            is_contact_teacher=c["is_contact_teacher"],
        )
        for c in row["classes"]
    ]
    groups = [
        MyGroup(
            group_id=uuid.UUID(g["group_id"]),
            name=g["name"],
            subject=g["subject"],
            class_id=uuid.UUID(g["class_id"]) if g["class_id"] else None,
        )
        for g in row["groups"]
    ]
    schools = [
        MySchool(school_id=uuid.UUID(s["school_id"]), name=s["name"], role=Role(s["role"]))
        for s in row["schools"]
    ]
    roles: list[Role] = []
    if children:
        roles.append(Role.guardian)
    for role in (Role.pupil, Role.teacher, Role.school_leader):
        if any(s.role is role for s in schools):
            roles.append(role)
    if row["is_system_admin"]:
        roles.append(Role.system_admin)
    districts = [
        District(district_id=d.district_id, name=d.name) for d in await owned_districts(conn, person_id)
    ]
    if districts:
        roles.append(Role.school_owner)
    return Me(
        id=row["id"],
        name=row["name"],
        locale=row["locale"],
        roles=roles,
        children=children,
        classes=classes,
        groups=groups,
        schools=schools,
        districts=districts,
    )
