"""Who hears about a pupil: the pupil and the guardians with access.

The same definition as read access (SQL ``guardians_with_access``, product.md:
Who may see what): a guardian relation `none` hears nothing; from 18 a guardian
hears only with the pupil's consent. Used for pushes about grades and absence.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

# $1 pupils, $2 the instant.
_AUDIENCE = """
SELECT p.id AS pupil_id, p.name,
       ARRAY(SELECT g.guardian_id FROM guardians_with_access($2) g
             WHERE g.pupil_id = p.id ORDER BY g.guardian_id) AS guardians
FROM people p
WHERE p.id = any($1::uuid[])
  AND EXISTS (SELECT 1 FROM pupil_placement(p.id, $2))
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
    return {r["pupil_id"]: Audience(r["name"], [r["pupil_id"], *r["guardians"]]) for r in rows}
