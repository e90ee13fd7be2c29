"""HTTP for school settings and closed days (api.md: School settings and calendar)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

import asyncpg
from litestar import Controller, Request, delete, get, post, put
from litestar.params import Parameter

from backend.access.principal import Principal
from backend.app.runtime import Runtime
from backend.edge import idempotency
from backend.edge.openapi import problems
from backend.edge.pagination import DEFAULT_LIMIT, MAX_LIMIT
from backend.schools import service
from schemas.schools import (
    ClosedDay,
    ClosedDayCreate,
    ClosedDayPage,
    SchoolSettings,
    SchoolSettingsUpdate,
)

Limit = Annotated[int, Parameter(ge=1, le=MAX_LIMIT, description="page size")]


class SchoolController(Controller):
    path = "/schools/{school_id:uuid}"
    tags = ("schools",)

    @get("/settings", summary="School settings (school leaders)", responses=problems(401, 404))
    async def get_settings(
        self, conn: asyncpg.Connection, rt: Runtime, principal: Principal, school_id: uuid.UUID
    ) -> SchoolSettings:
        return await service.get_settings(conn, principal.person_id, school_id, rt.clock.now())

    @put(
        "/settings", summary="Change school settings (school leaders)", responses=problems(400, 401, 404, 422)
    )
    async def put_settings(
        self,
        conn: asyncpg.Connection,
        rt: Runtime,
        principal: Principal,
        school_id: uuid.UUID,
        data: SchoolSettingsUpdate,
    ) -> SchoolSettings:
        return await service.put_settings(conn, principal.person_id, school_id, data, rt.clock.now())

    @get(
        "/closed-days",
        summary="The school's own closed days (staff of the school)",
        responses=problems(401, 404, 422),
    )
    async def list_closed_days(
        self,
        conn: asyncpg.Connection,
        rt: Runtime,
        principal: Principal,
        school_id: uuid.UUID,
        from_: Annotated[dt.date | None, Parameter(query="from")] = None,
        to: dt.date | None = None,
        cursor: str | None = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> ClosedDayPage:
        return await service.list_closed_days(
            conn, principal.person_id, school_id, from_, to, cursor, limit, rt.clock.now()
        )

    @post(
        "/closed-days",
        status_code=201,
        summary="Add a closed day, or every weekday of a range (school leaders)",
        responses=problems(400, 401, 403, 404, 409, 422),
    )
    async def add_closed_day(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        rt: Runtime,
        principal: Principal,
        school_id: uuid.UUID,
        data: ClosedDayCreate,
    ) -> ClosedDay | ClosedDayPage:
        return await idempotency.once(
            request,
            conn,
            principal.person_id,
            201,
            lambda: service.add_closed_day(conn, principal.person_id, school_id, data, rt.clock.now()),
        )

    @delete(
        "/closed-days",
        status_code=204,
        summary="Remove a closed day, named by ?date= (school leaders)",
        responses=problems(401, 403, 404, 422),
    )
    async def remove_closed_day_by_query(
        self,
        conn: asyncpg.Connection,
        rt: Runtime,
        principal: Principal,
        school_id: uuid.UUID,
        date_: Annotated[dt.date, Parameter(query="date")],
    ) -> None:
        await service.remove_closed_day(conn, principal.person_id, school_id, date_, rt.clock.now())

    @delete(
        "/closed-days/{date:date}",
        status_code=204,
        summary="Remove a closed day (school leaders)",
        responses=problems(401, 403, 404),
    )
    async def remove_closed_day(
        self,
        conn: asyncpg.Connection,
        rt: Runtime,
        principal: Principal,
        school_id: uuid.UUID,
        date: dt.date,
    ) -> None:
        await service.remove_closed_day(conn, principal.person_id, school_id, date, rt.clock.now())


__all__ = ["SchoolController"]
