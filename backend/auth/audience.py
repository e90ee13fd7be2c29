"""Who hears about a pupil: the pupil and the guardians with access.

The same rules as the access policy (product.md: Who may see what): a
guardian relation `none` hears nothing; from 18 a guardian hears only with
the pupil's consent. Used for pushes about grades and absence.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from backend.auth.policy import ADULT_AGE, age_on

# $1 pupils, $2 the instant. The local date is the pupil's school's, for the age rule.
_AUDIENCE = """
SELECT p.id AS pupil_id, p.name, p.birth_date,
       (($2::timestamptz) AT TIME ZONE coalesce(cur.timezone, 'Europe/Oslo'))::date AS local_today,
       coalesce((SELECT array_agg(g.guardian_id) FROM guardian_relations g
                 WHERE g.pupil_id = p.id AND g.access <> 'none'), '{}') AS guardians,
       coalesce((SELECT array_agg(g.guardian_id) FROM guardian_relations g
                 WHERE g.pupil_id = p.id AND g.access <> 'none' AND g.adult_consent),
                '{}') AS consenting
FROM people p
LEFT JOIN LATERAL (
    SELECT s.timezone FROM class_enrollments ce JOIN schools s ON s.id = ce.school_id
    WHERE ce.pupil_id = p.id LIMIT 1
) cur ON true
WHERE p.id = any($1::uuid[])
"""


@dataclass(frozen=True, slots=True)
class Audience:
    pupil_name: str
    recipients: list[uuid.UUID]


async def pupil_audiences(
    conn: asyncpg.Connection, pupils: Sequence[uuid.UUID], now: datetime
) -> dict[uuid.UUID, Audience]:
    """For each pupil: the pupil and every guardian who may read their data, in one query."""
    if not pupils:
        return {}
    rows = await conn.fetch(_AUDIENCE, list(set(pupils)), now)
    result: dict[uuid.UUID, Audience] = {}
    for row in rows:
        adult = age_on(row["birth_date"], row["local_today"]) >= ADULT_AGE
        guardians = row["consenting"] if adult else row["guardians"]
        result[row["pupil_id"]] = Audience(row["name"], [row["pupil_id"], *guardians])
    return result
