"""The signed-in person (api.md: Me)."""

from __future__ import annotations

import uuid

import msgspec

from schemas.common import Access, Role
from schemas.owners import District


class Child(msgspec.Struct):
    pupil_id: uuid.UUID
    name: str
    class_name: str
    grade: int
    access: Access


class MyClass(msgspec.Struct):
    class_id: uuid.UUID
    name: str
    grade: int
    is_contact_teacher: bool


class MyGroup(msgspec.Struct):
    group_id: uuid.UUID
    name: str
    subject: str
    class_id: uuid.UUID | None


class MySchool(msgspec.Struct):
    school_id: uuid.UUID
    name: str
    role: Role


class Me(msgspec.Struct):
    id: uuid.UUID
    name: str
    locale: str
    roles: list[Role]
    children: list[Child]
    classes: list[MyClass]
    groups: list[MyGroup]
    schools: list[MySchool]
    # School owner: the districts whose statistics are theirs (api.md: School owner statistics).
    districts: list[District] = []
