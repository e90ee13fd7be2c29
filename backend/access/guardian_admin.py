"""Who may administer a pupil's guardians (api.md: Guardians of a pupil).

School leaders of the pupil's school read and change; the contact teacher
reads. Anyone else who may see the pupil gets 403 (they know the pupil);
everyone else 404, as if the pupil did not exist. A leader who is also the
pupil's guardian decides nothing about their own family: the guardian
relation is what the policy reports first.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg

from backend.access.policy import PupilAccess, pupil_access
from backend.problems.codes import Code
from backend.problems.errors import Forbidden

READERS = frozenset({"school_leader", "contact_teacher"})
CHANGERS = frozenset({"school_leader"})


async def guardians_access(
    conn: asyncpg.Connection, viewer: uuid.UUID, pupil_id: uuid.UUID, now: datetime, *, change: bool
) -> PupilAccess:
    access = await pupil_access(conn, viewer, pupil_id, now)
    if access.relation not in (CHANGERS if change else READERS):
        raise Forbidden(Code.GUARDIANS_LEADERS_ONLY if change else Code.GUARDIANS_NOT_YOURS)
    return access
