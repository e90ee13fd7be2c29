"""HTTP for absence reports (api.md: Absence reports)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

import asyncpg
from litestar import Controller, Request, delete, get, post
from litestar.params import Parameter

from backend.absence import service
from backend.access.policy import pupil_access
from backend.access.principal import Principal
from backend.app.runtime import Runtime
from backend.edge import idempotency
from backend.edge.openapi import problems
from backend.edge.pagination import DEFAULT_LIMIT, MAX_LIMIT
from backend.flows.absence_report import file_absence_report
from schemas.absence import AbsenceReport, AbsenceReportCreate, AbsenceReportPage

Limit = Annotated[int, Parameter(ge=1, le=MAX_LIMIT, description="page size")]


class AbsenceController(Controller):
    path = "/pupils/{pupil_id:uuid}/absence-reports"
    tags = ["absence"]

    @post(
        "/",
        status_code=201,
        summary="Report absence",
        responses=problems(400, 401, 403, 404, 409, 422),
    )
    async def create(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        pupil_id: uuid.UUID,
        data: AbsenceReportCreate,
    ) -> AbsenceReport:
        # The hot path of the morning: with only one injected dependency Litestar skips
        # the task group it resolves several through (~0.1 ms a request), so the runtime
        # and the caller come straight from the request (what deps.py would return).
        rt: Runtime = request.app.state.runtime
        principal: Principal = request.user
        now = rt.clock.now()
        key = await idempotency.key_of(request, principal.person_id)
        access, calendar = await service.report_access(conn, principal.person_id, pupil_id, data, now)
        if key is None and not service.may_answer_a_case(access, data):
            # Nothing else to write: the single INSERT commits on its own (no BEGIN/COMMIT).
            return await file_absence_report(conn, access, principal.person_id, data, now, calendar)
        async with conn.transaction():
            replay = await idempotency.claim(conn, key)
            if replay is not None:
                return replay  # type: ignore[return-value]
            report = await file_absence_report(conn, access, principal.person_id, data, now, calendar)
            await idempotency.store(conn, key, 201, report)
        return report

    @get("/", summary="List absence reports", responses=problems(401, 404, 422))
    async def list_reports(
        self,
        conn: asyncpg.Connection,
        rt: Runtime,
        principal: Principal,
        pupil_id: uuid.UUID,
        from_: Annotated[date | None, Parameter(query="from")] = None,
        to: date | None = None,
        cursor: str | None = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> AbsenceReportPage:
        now = rt.clock.now()
        access = await pupil_access(conn, principal.person_id, pupil_id, now)
        return await service.list_reports(conn, access, principal.person_id, from_, to, cursor, limit, now)

    @delete(
        "/{report_id:uuid}",
        status_code=204,
        summary="Withdraw a report (submitter, before the first day's deadline)",
        responses=problems(401, 403, 404, 409),
    )
    async def withdraw(
        self,
        conn: asyncpg.Connection,
        rt: Runtime,
        principal: Principal,
        pupil_id: uuid.UUID,
        report_id: uuid.UUID,
    ) -> None:
        now = rt.clock.now()
        access = await pupil_access(conn, principal.person_id, pupil_id, now)
        await service.withdraw_report(conn, access, principal.person_id, report_id, now)


__all__ = ["AbsenceController"]
