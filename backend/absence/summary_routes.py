"""HTTP for the absence summary (api.md: GET /pupils/{pupil_id}/absence-summary)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import asyncpg
from litestar import Controller, get
from litestar.params import Parameter

from backend.absence.summary import absence_summary
from backend.access.policy import pupil_access
from backend.access.principal import Principal
from backend.edge.openapi import problems
from schemas.absence_summary import AbsenceSummary
from schemas.common import SCHOOL_YEAR_PATTERN

SchoolYearParam = Annotated[
    str | None,
    Parameter(
        pattern=SCHOOL_YEAR_PATTERN, description="e.g. 2026-2027; default: the pupil's current school year"
    ),
]


class AbsenceSummaryController(Controller):
    path = "/pupils/{pupil_id:uuid}/absence-summary"
    tags = ("absence",)

    @get(
        "/",
        summary="A pupil's absence: days and hours, reported and unexplained",
        description=(
            "Counted up to today. For grades 11–13 also per subject: undocumented hours "
            "against the subject's planned hours, with the school's warning level and limit. "
            "Staff reads are audit-logged."
        ),
        responses=problems(401, 404, 422),
    )
    async def summary(
        self,
        conn: asyncpg.Connection,
        now: datetime,
        principal: Principal,
        pupil_id: uuid.UUID,
        school_year: SchoolYearParam = None,
    ) -> AbsenceSummary:
        access = await pupil_access(conn, principal.person_id, pupil_id, now)
        return await absence_summary(conn, access, principal.person_id, school_year, now)


__all__ = ["AbsenceSummaryController"]
