"""HTTP for absence reports (api.md: Absence reports)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

import asyncpg
from litestar import Controller, delete, get, post
from litestar.params import Parameter

from backend.absence import service
from backend.access.policy import pupil_access
from backend.access.principal import Principal
from backend.edge.idempotency import Idempotent
from backend.edge.openapi import problems
from backend.edge.pagination import DEFAULT_LIMIT, Limit
from backend.flows.absence_report import file_absence_report
from schemas.absence import AbsenceReport, AbsenceReportCreate, AbsenceReportPage


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
        conn: asyncpg.Connection,
        now: datetime,
        principal: Principal,
        once: Idempotent,
        pupil_id: uuid.UUID,
        data: AbsenceReportCreate,
    ) -> AbsenceReport:
        # The key is checked first, before the pupil is looked up, as always.
        await once.key()
        access, calendar = await service.report_access(conn, principal.person_id, pupil_id, data, now)
        # Without a key and with no case to answer, the single INSERT commits on its own.
        run = once if service.may_answer_a_case(access, data) else once.single_statement
        return await run(201, file_absence_report, conn, access, principal.person_id, data, now, calendar)

    @get("/", summary="List absence reports", responses=problems(401, 404, 422))
    async def list_reports(
        self,
        conn: asyncpg.Connection,
        now: datetime,
        principal: Principal,
        pupil_id: uuid.UUID,
        from_: Annotated[date | None, Parameter(query="from")] = None,
        to: date | None = None,
        cursor: str | None = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> AbsenceReportPage:
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
        now: datetime,
        principal: Principal,
        pupil_id: uuid.UUID,
        report_id: uuid.UUID,
    ) -> None:
        access = await pupil_access(conn, principal.person_id, pupil_id, now)
        await service.withdraw_report(conn, access, principal.person_id, report_id, now)


__all__ = ["AbsenceController"]
