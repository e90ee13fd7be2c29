"""HTTP for the school owner's statistics (api.md: School owner statistics)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

import asyncpg
from litestar import Controller, Response, get
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Parameter

from backend.access.principal import Principal
from backend.edge.openapi import problems
from backend.owners import service
from schemas.owners import AbsenceStatistics

SchoolYearParam = Annotated[
    str | None,
    Parameter(
        pattern=r"^[0-9]{4}-[0-9]{4}$", description="e.g. 2026-2027; default: the month's, else the current"
    ),
]
MonthParam = Annotated[
    str | None,
    Parameter(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", description="YYYY-MM; default: every month of the year"),
]


class StatisticsFormat(StrEnum):
    json = "json"
    csv = "csv"


class OwnerController(Controller):
    path = "/owners/{district_id:uuid}"
    tags = ("school owner",)

    @get(
        "/absence-statistics",
        summary="Absence per school, grade and month for the district's school owner; "
        "cells of fewer than 5 pupils suppressed; ?format=csv for CSV",
        responses={
            **problems(401, 404, 422),
            200: ResponseSpec(
                data_container=AbsenceStatistics,
                description="The statistics; with ?format=csv the same rows as text/csv (a header line, "
                "empty cells where suppressed)",
            ),
        },
    )
    async def statistics(
        self,
        conn: asyncpg.Connection,
        now: datetime,
        principal: Principal,
        district_id: uuid.UUID,
        school_year: SchoolYearParam = None,
        month: MonthParam = None,
        format: StatisticsFormat = StatisticsFormat.json,
    ) -> Response[Any]:
        result = await service.absence_statistics(
            conn, principal.person_id, district_id, school_year, month, now
        )
        if format is StatisticsFormat.csv:
            return Response(
                service.as_csv(result),
                media_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": 'attachment; filename="absence-statistics.csv"'},
            )
        return Response(result)


__all__ = ["OwnerController"]
