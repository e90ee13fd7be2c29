"""HTTP for missing-pupil cases (api.md: Missing-pupil cases)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

import asyncpg
from litestar import Controller, Request, get, post
from litestar.params import Parameter

from backend import flows
from backend.access.principal import Principal
from backend.app.runtime import Runtime
from backend.edge import idempotency
from backend.edge.openapi import problems
from backend.edge.pagination import DEFAULT_LIMIT, MAX_LIMIT
from backend.missing import reads
from schemas.missing import CaseFilter, MissingCase, MissingCasePage, ResolveCase

Limit = Annotated[int, Parameter(ge=1, le=MAX_LIMIT, description="page size")]


class MissingCaseController(Controller):
    path = "/missing-cases"
    tags = ("missing-cases",)

    @get(
        "/",
        summary="Cases: staff for their classes/school, guardians their children's",
        responses=problems(401, 422),
    )
    async def list_cases(
        self,
        conn: asyncpg.Connection,
        rt: Runtime,
        principal: Principal,
        status: CaseFilter | None = None,
        date_: Annotated[date | None, Parameter(query="date")] = None,
        cursor: str | None = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> MissingCasePage:
        return await reads.list_cases(conn, principal.person_id, status, date_, cursor, limit, rt.clock.now())

    @get("/{case_id:uuid}", summary="One case with its history", responses=problems(401, 404))
    async def get_case(
        self, conn: asyncpg.Connection, rt: Runtime, principal: Principal, case_id: uuid.UUID
    ) -> MissingCase:
        return await reads.get_case(conn, principal.person_id, case_id, rt.clock.now())

    @post(
        "/{case_id:uuid}/resolve",
        status_code=200,
        summary="Answer a case (guardians: sick_at_home/on_the_way/found_other; staff: arrived/other)",
        responses=problems(400, 401, 403, 404, 409, 422),
    )
    async def resolve(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        rt: Runtime,
        principal: Principal,
        case_id: uuid.UUID,
        data: ResolveCase,
    ) -> MissingCase:
        return await idempotency.once(
            request,
            conn,
            principal.person_id,
            200,
            lambda: flows.resolve_case(conn, principal.person_id, case_id, data, rt.clock.now()),
        )


__all__ = ["MissingCaseController"]
