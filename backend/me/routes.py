"""HTTP for the signed-in person (api.md: Me)."""

from __future__ import annotations

from datetime import datetime

import asyncpg
from litestar import Controller, get
from litestar.response import Stream

from backend.access.principal import Principal
from backend.edge.openapi import problems
from backend.edge.ratelimit import RateLimited
from backend.me import export, service
from backend.problems.codes import Code
from schemas.me import Me


def too_soon(retry_after: int) -> RateLimited:
    """429 with Retry-After, in the export's own words."""
    exc = RateLimited(retry_after)
    exc.code = Code.EXPORT_TOO_SOON
    return exc


class MeController(Controller):
    path = "/me"
    tags = ["me"]

    @get("/", summary="Who I am: roles, children, classes, groups", responses=problems(401))
    async def me(self, conn: asyncpg.Connection, now: datetime, principal: Principal) -> Me:
        return await service.me(conn, principal.person_id, now)

    @get(
        "/export",
        summary="Everything Skolebro holds about me and the children I may see, with which staff read it",
        description=(
            "One JSON document (`format` skolebro.export/1), streamed as an attachment: person, contact,"
            " preferences, devices, inbox, threads, pupils, absence_reports, leave_requests, missing_cases,"
            " assessments and staff_reads `[{pupil_id, staff_name, role, what, at}]`. At most one export"
            " per person per 10 minutes (429 with Retry-After); every export is recorded."
        ),
        responses=problems(401, 429),
        media_type="application/json",
    )
    async def export(
        self, conn: asyncpg.Connection, pool: asyncpg.Pool | None, now: datetime, principal: Principal
    ) -> Stream:
        plan = await export.start_export(conn, principal.person_id, principal.client, now)
        if plan.retry_after is not None:
            raise too_soon(plan.retry_after)
        if pool is None:
            raise RuntimeError("the database pool is not open")
        return Stream(
            export.export_document(pool, plan),
            media_type="application/json",
            headers={
                "Content-Disposition": f'attachment; filename="skolebro-{now.date().isoformat()}.json"',
                "Cache-Control": "no-store",
            },
        )
