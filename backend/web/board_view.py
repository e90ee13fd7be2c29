"""The morning board for the web page: the attendance service, in the contract's shape.

The page uses the same use cases as ``/api/v1/classes/{class_id}/attendance`` —
access, missing-pupil cases and pushes included — and renders the board as
the plain dict api.md fixes.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import asyncpg
import msgspec

from backend.attendance import service as attendance
from backend.flows.roll_call import record_roll_call
from backend.problems.codes import Code
from backend.problems.errors import Invalid
from schemas.attendance import Mark, MarkStatus, RollCall

Board = dict[str, Any]
MARKS = tuple(m.value for m in MarkStatus)


async def board(
    conn: asyncpg.Connection,
    viewer: uuid.UUID,
    class_id: uuid.UUID,
    day: date | None,
    now: datetime,
) -> Board:
    result = await attendance.get_board(conn, viewer, class_id, day, now)
    return msgspec.to_builtins(result)


async def roll_call(
    conn: asyncpg.Connection,
    viewer: uuid.UUID,
    class_id: uuid.UUID,
    day: date,
    marks: list[dict[str, str]],
    now: datetime,
) -> None:
    try:
        data = RollCall(
            marks=[Mark(pupil_id=uuid.UUID(m["pupil_id"]), status=MarkStatus(m["status"])) for m in marks]
        )
    except ValueError as exc:
        raise Invalid(Code.REQUEST_INVALID, field="marks") from exc
    await record_roll_call(conn, viewer, class_id, day, data, now)


async def complete(
    conn: asyncpg.Connection,
    viewer: uuid.UUID,
    class_id: uuid.UUID,
    day: date,
    now: datetime,
) -> None:
    await attendance.complete_check(conn, viewer, class_id, day, now)
