"""HTTP for school settings and closed days (api.md: School settings and calendar)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import asyncpg
from litestar import Controller, delete, get, post, put
from litestar.params import Parameter

from backend.access.principal import Principal
from backend.edge.idempotency import Idempotent
from backend.edge.openapi import problems
from backend.edge.pagination import DEFAULT_LIMIT, Limit
from backend.schools import service
from schemas.schools import (
    ClosedDay,
    ClosedDayCreate,
    ClosedDayPage,
    SchoolSettings,
    SchoolSettingsUpdate,
)


class SchoolController(Controller):
    path = "/schools/{school_id:uuid}"
    tags = ("schools",)

    @get("/settings", summary="School settings (school leaders)", responses=problems(401, 404))
    async def get_settings(
        self, conn: asyncpg.Connection, now: dt.datetime, principal: Principal, school_id: uuid.UUID
    ) -> SchoolSettings:
        return await service.get_settings(conn, principal.person_id, school_id, now)

    @put(
        "/settings", summary="Change school settings (school leaders)", responses=problems(400, 401, 404, 422)
    )
    async def put_settings(
        self,
        conn: asyncpg.Connection,
        now: dt.datetime,
        principal: Principal,
        school_id: uuid.UUID,
        data: SchoolSettingsUpdate,
    ) -> SchoolSettings:
        return await service.put_settings(conn, principal.person_id, school_id, data, now)

    @get(
        "/closed-days",
        summary="The school's own closed days (staff of the school)",
        responses=problems(401, 404, 422),
    )
    async def list_closed_days(
        self,
        conn: asyncpg.Connection,
        now: dt.datetime,
        principal: Principal,
        school_id: uuid.UUID,
        from_: Annotated[dt.date | None, Parameter(query="from")] = None,
        to: dt.date | None = None,
        cursor: str | None = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> ClosedDayPage:
        return await service.list_closed_days(
            conn, principal.person_id, school_id, from_, to, cursor, limit, now
        )

    @post(
        "/closed-days",
        status_code=201,
        summary="Add a closed day, or every weekday of a range (school leaders)",
        responses=problems(400, 401, 403, 404, 409, 422),
    )
    async def add_closed_day(
        self,
        once: Idempotent,
        conn: asyncpg.Connection,
        now: dt.datetime,
        principal: Principal,
        school_id: uuid.UUID,
        data: ClosedDayCreate,
    ) -> ClosedDay | ClosedDayPage:
        return await once(201, service.add_closed_day, conn, principal.person_id, school_id, data, now)

    @delete(
        "/closed-days",
        status_code=204,
        summary="Remove a closed day, named by ?date= (school leaders)",
        responses=problems(401, 403, 404, 422),
    )
    async def remove_closed_day_by_query(
        self,
        conn: asyncpg.Connection,
        now: dt.datetime,
        principal: Principal,
        school_id: uuid.UUID,
        date_: Annotated[dt.date, Parameter(query="date")],
    ) -> None:
        await service.remove_closed_day(conn, principal.person_id, school_id, date_, now)

    @delete(
        "/closed-days/{date:date}",
        status_code=204,
        summary="Remove a closed day (school leaders)",
        responses=problems(401, 403, 404),
    )
    async def remove_closed_day(
        self,
        conn: asyncpg.Connection,
        now: dt.datetime,
        principal: Principal,
        school_id: uuid.UUID,
        date: dt.date,
    ) -> None:
        await service.remove_closed_day(conn, principal.person_id, school_id, date, now)


__all__ = ["SchoolController"]
