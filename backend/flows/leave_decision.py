"""Approved leave accounts for its days, so the open missing-pupil cases of those days close."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg

from backend.db.transactions import atomic
from backend.leave import service as leave
from backend.missing import hooks as missing
from schemas.leave import LeaveDecisionCreate, LeaveRequest, LeaveStatus


async def decide_leave(
    conn: asyncpg.Connection,
    viewer: uuid.UUID,
    request_id: uuid.UUID,
    data: LeaveDecisionCreate,
    now: datetime,
) -> LeaveRequest:
    """Approve or reject a request; approved leave accounts for its days, so the open
    cases of those days close. In a transaction."""
    async with atomic(conn):
        decided = await leave.decide(conn, viewer, request_id, data, now)
        if decided.status is LeaveStatus.approved:
            await missing.leave_approved(
                conn,
                pupil_id=decided.pupil_id,
                first_day=decided.first_day,
                last_day=decided.last_day,
                actor=viewer,
                now=now,
            )
        return decided
