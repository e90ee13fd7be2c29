"""HTTP for the morning board (api.md: Morning check and roll call)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

import asyncpg
from litestar import Controller, Request, get, post, put
from litestar.params import Parameter

from backend.access.principal import Principal
from backend.app.runtime import Runtime
from backend.attendance import service
from backend.edge import idempotency
from backend.edge.openapi import problems
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
        rt: Runtime,
        principal: Principal,
        class_id: uuid.UUID,
        date_: Annotated[dt.date | None, Parameter(query="date", description="default: today")] = None,
    ) -> Board:
        return await service.get_board(conn, principal.person_id, class_id, date_, rt.clock.now())

    @put("/{date:date}", summary="Roll call; send again to correct", responses=problems(400, 401, 404, 422))
    async def roll_call(
        self,
        conn: asyncpg.Connection,
        rt: Runtime,
        principal: Principal,
        class_id: uuid.UUID,
        date: dt.date,
        data: RollCall,
    ) -> Board:
        return await service.roll_call(conn, principal.person_id, class_id, date, data, rt.clock.now())

    @post(
        "/{date:date}/complete",
        status_code=200,
        summary="The class team's absence check is done",
        responses=problems(401, 404, 422),
    )
    async def complete(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        rt: Runtime,
        principal: Principal,
        class_id: uuid.UUID,
        date: dt.date,
    ) -> Board:
        return await idempotency.once(
            request,
            conn,
            principal.person_id,
            200,
            lambda: service.complete_check(conn, principal.person_id, class_id, date, rt.clock.now()),
        )


__all__ = ["AttendanceController"]
