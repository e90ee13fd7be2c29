"""HTTP for assessments and grades (api.md: Assessments and grades)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import asyncpg
from litestar import Controller, get, post
from litestar.params import Parameter

from backend.access.policy import pupil_access
from backend.access.principal import Principal
from backend.assessments import service
from backend.edge.idempotency import Idempotent
from backend.edge.openapi import problems
from schemas.assessments import AssessmentCreate, AssessmentCreated, SubjectAssessments
from schemas.common import SCHOOL_YEAR_PATTERN

SchoolYearParam = Annotated[
    str | None,
    Parameter(
        pattern=SCHOOL_YEAR_PATTERN, description="e.g. 2026-2027; default: the pupil's current school year"
    ),
]


class AssessmentController(Controller):
    tags = ("assessments",)

    @post(
        "/groups/{group_id:uuid}/assessments",
        status_code=201,
        summary="Assess a pupil of the group (teacher of the group)",
        description=(
            "Grades only from grade 8; a pupil not in the group is 422 "
            "`assessment.pupil_not_in_group`. Publication is immediate unless `publish_at` "
            "is in the future; publishing pushes `assessment_published` once."
        ),
        responses=problems(400, 401, 403, 404, 422),
    )
    async def create(
        self,
        once: Idempotent,
        conn: asyncpg.Connection,
        now: datetime,
        principal: Principal,
        group_id: uuid.UUID,
        data: AssessmentCreate,
    ) -> AssessmentCreated:
        return await once(201, service.create_assessment, conn, principal.person_id, group_id, data, now)

    @get(
        "/pupils/{pupil_id:uuid}/assessments",
        summary="A pupil's assessments per subject",
        description=(
            "Pupils and guardians see published items only; a subject teacher sees their "
            "own subjects, the contact teacher and school leaders all. Staff reads are "
            "audit-logged."
        ),
        responses=problems(401, 404, 422),
    )
    async def list_for_pupil(
        self,
        conn: asyncpg.Connection,
        now: datetime,
        principal: Principal,
        pupil_id: uuid.UUID,
        school_year: SchoolYearParam = None,
    ) -> list[SubjectAssessments]:
        access = await pupil_access(conn, principal.person_id, pupil_id, now)
        return await service.list_for_pupil(conn, access, principal.person_id, school_year, now)


__all__ = ["AssessmentController"]
