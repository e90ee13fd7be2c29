"""HTTP for the morning board (api.md: Morning check and roll call)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import asyncpg
from litestar import Controller, get, post, put
from litestar.params import Parameter

from backend.access.principal import Principal
from backend.attendance import service
from backend.edge.idempotency import Idempotent
from backend.edge.openapi import problems
from backend.flows.roll_call import record_roll_call
from schemas.attendance import Board, RollCall


class AttendanceController(Controller):
    path = "/classes/{class_id:uuid}/attendance"
    tags = ("attendance",)

    @get(
        "/",
        summary="The class's board for a day (class team, school leaders)",
        responses=problems(401, 404, 422),
    )
    async def get_board(
        self,
        conn: asyncpg.Connection,
        now: dt.datetime,
        principal: Principal,
        class_id: uuid.UUID,
        date_: Annotated[dt.date | None, Parameter(query="date", description="default: today")] = None,
    ) -> Board:
        return await service.get_board(conn, principal.person_id, class_id, date_, now)

    @put("/{date:date}", summary="Roll call; send again to correct", responses=problems(400, 401, 404, 422))
    async def roll_call(
        self,
        conn: asyncpg.Connection,
        now: dt.datetime,
        principal: Principal,
        class_id: uuid.UUID,
        date: dt.date,
        data: RollCall,
    ) -> Board:
        return await record_roll_call(conn, principal.person_id, class_id, date, data, now)

    @post(
        "/{date:date}/complete",
        status_code=200,
        summary="The class team's absence check is done",
        responses=problems(401, 404, 422),
    )
    async def complete(
        self,
        once: Idempotent,
        conn: asyncpg.Connection,
        now: dt.datetime,
        principal: Principal,
        class_id: uuid.UUID,
        date: dt.date,
    ) -> Board:
        return await once(200, service.complete_check, conn, principal.person_id, class_id, date, now)


__all__ = ["AttendanceController"]
