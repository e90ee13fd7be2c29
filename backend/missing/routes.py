"""HTTP for missing-pupil cases (api.md: Missing-pupil cases)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

import asyncpg
from litestar import Controller, get, post
from litestar.params import Parameter

from backend.access.principal import Principal
from backend.edge.idempotency import Idempotent
from backend.edge.openapi import problems
from backend.edge.pagination import DEFAULT_LIMIT, Limit
from backend.flows.case_answer import resolve_case
from backend.missing import reads
from schemas.missing import CaseFilter, MissingCase, MissingCasePage, ResolveCase


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
        now: datetime,
        principal: Principal,
        status: CaseFilter | None = None,
        date_: Annotated[date | None, Parameter(query="date")] = None,
        cursor: str | None = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> MissingCasePage:
        return await reads.list_cases(conn, principal.person_id, status, date_, cursor, limit, now)

    @get("/{case_id:uuid}", summary="One case with its history", responses=problems(401, 404))
    async def get_case(
        self, conn: asyncpg.Connection, now: datetime, principal: Principal, case_id: uuid.UUID
    ) -> MissingCase:
        return await reads.get_case(conn, principal.person_id, case_id, now)

    @post(
        "/{case_id:uuid}/resolve",
        status_code=200,
        summary="Answer a case (guardians: sick_at_home/on_the_way/found_other; staff: arrived/other)",
        responses=problems(400, 401, 403, 404, 409, 422),
    )
    async def resolve(
        self,
        once: Idempotent,
        conn: asyncpg.Connection,
        now: datetime,
        principal: Principal,
        case_id: uuid.UUID,
        data: ResolveCase,
    ) -> MissingCase:
        return await once(200, resolve_case, conn, principal.person_id, case_id, data, now)


__all__ = ["MissingCaseController"]
