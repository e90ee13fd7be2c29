"""The imported roster as plain sorted rows, so two imports can be compared."""

from __future__ import annotations

from typing import Any

import asyncpg

_QUERIES = {
    "schools": "SELECT source_id, name, owner_name FROM schools WHERE source_id LIKE 'org-%'",
    "years": "SELECT y.source_id, y.name, y.starts_on, y.ends_on FROM school_years y"
    " JOIN schools s ON s.id = y.school_id WHERE s.source_id LIKE 'org-%'",
    "people": "SELECT source_id, username, name, birth_date, roster_role, sign_in_enabled,"
    " mobile, email, deactivated_at IS NOT NULL AS gone FROM people WHERE source_id LIKE 'u-%'",
    "identities": "SELECT i.provider, i.subject, p.source_id FROM identities i"
    " JOIN people p ON p.id = i.person_id WHERE p.source_id LIKE 'u-%'",
    "classes": "SELECT c.source_id, c.name, c.grade, y.source_id AS year FROM classes c"
    " JOIN school_years y ON y.id = c.school_year_id WHERE c.source_id NOT LIKE 'demo%'",
    "groups": "SELECT g.source_id, g.name, g.subject, c.source_id AS class, y.source_id AS year"
    " FROM teaching_groups g JOIN school_years y ON y.id = g.school_year_id"
    " LEFT JOIN classes c ON c.id = g.class_id WHERE g.source_id NOT LIKE 'demo%'",
    "class_enrollments": "SELECT c.source_id, p.source_id FROM class_enrollments e"
    " JOIN classes c ON c.id = e.class_id JOIN people p ON p.id = e.pupil_id WHERE p.source_id LIKE 'u-%'",
    "group_enrollments": "SELECT g.source_id, p.source_id FROM group_enrollments e"
    " JOIN teaching_groups g ON g.id = e.group_id JOIN people p ON p.id = e.pupil_id"
    " WHERE p.source_id LIKE 'u-%'",
    "relations": "SELECT g.source_id, p.source_id, r.access, r.roster_access, r.school_access"
    " FROM guardian_relations r JOIN people g ON g.id = r.guardian_id JOIN people p ON p.id = r.pupil_id"
    " WHERE p.source_id LIKE 'u-%'",
    "assignments": "SELECT p.source_id, a.role, c.source_id AS class, g.source_id AS grp"
    " FROM staff_assignments a JOIN people p ON p.id = a.person_id"
    " LEFT JOIN classes c ON c.id = a.class_id LEFT JOIN teaching_groups g ON g.id = a.group_id"
    " WHERE p.source_id LIKE 'u-%'",
}


async def roster_state(db: asyncpg.Connection) -> dict[str, list[tuple[Any, ...]]]:
    return {
        name: sorted((tuple(r) for r in await db.fetch(sql)), key=lambda r: tuple(str(x) for x in r))
        for name, sql in _QUERIES.items()
    }
