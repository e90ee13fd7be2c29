"""A roll call opens and closes missing-pupil cases: a pupil marked absent with no report
and no leave is a pending case, one marked present or late closes theirs."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import asyncpg

from backend.attendance import service as attendance
from backend.db.transactions import atomic
from backend.missing import hooks as missing
from schemas.attendance import Board, RollCall


async def record_roll_call(
    conn: asyncpg.Connection,
    viewer: uuid.UUID,
    class_id: uuid.UUID,
    day: date,
    data: RollCall,
    now: datetime,
) -> Board:
    """Record (or correct) the roll call and its cases in one transaction; the board after it."""
    async with atomic(conn):
        marked = await attendance.record_marks(conn, viewer, class_id, day, data, now)
        await missing.after_roll_call(
            conn,
            school_id=marked.ctx.school_id,
            class_id=class_id,
            day=day,
            today=marked.ctx.local_today,
            roll_time=marked.roll_time,
            arrived=marked.arrived,
            newly_absent=marked.newly_absent,
            actor=viewer,
            now=now,
        )
        return await attendance.board(conn, marked.ctx, viewer, now)
