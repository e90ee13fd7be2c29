"""The classes a staff member answers for: what their morning overview covers.

The same fact the board's access rests on (SQL ``class_staff``): the contact teacher
and class team of a class, and the leaders of its school, in the running school year.
A subject teacher answers for no class, a guardian or pupil for none: for them the
overview does not exist (404, as a page about what one may not see).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from backend.access.class_scope_queries import ANSWERED_CLASSES
from backend.problems.errors import NotFound


@dataclass(frozen=True, slots=True)
class ClassScope:
    """Class id -> the viewer's roles for it; and the schools those classes belong to."""

    classes: dict[uuid.UUID, frozenset[str]]
    schools: frozenset[uuid.UUID]

    def leads(self, class_id: uuid.UUID) -> bool:
        return "school_leader" in self.classes.get(class_id, frozenset())

    @property
    def leader_of_any(self) -> bool:
        return any("school_leader" in roles for roles in self.classes.values())


async def answered_classes(conn: asyncpg.Connection, viewer: uuid.UUID, now: datetime) -> ClassScope:
    """The viewer's classes; NotFound when there are none (not class staff at all)."""
    rows = await conn.fetch(ANSWERED_CLASSES, viewer, now)
    if not rows:
        raise NotFound()
    return ClassScope(
        classes={r["class_id"]: frozenset(r["roles"]) for r in rows},
        schools=frozenset(r["school_id"] for r in rows),
    )
