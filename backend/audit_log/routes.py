"""HTTP for the audit log (school leaders read who read which pupil's data)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import asyncpg
from litestar import Controller, get
from litestar.params import Parameter

from backend.access.principal import Principal
from backend.audit_log import service
from backend.edge.openapi import problems
from backend.edge.pagination import DEFAULT_LIMIT, Limit
from schemas.audit import AuditLogPage


class AuditLogController(Controller):
    path = "/schools/{school_id:uuid}/audit-log"
    tags = ["audit"]

    @get(
        "/",
        summary="Staff reads of pupil data at this school, newest first (school leaders)",
        responses=problems(401, 404, 422),
    )
    async def list_entries(
        self,
        conn: asyncpg.Connection,
        now: datetime,
        principal: Principal,
        school_id: uuid.UUID,
        pupil_id: Annotated[uuid.UUID | None, Parameter(description="only reads of this pupil")] = None,
        cursor: str | None = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> AuditLogPage:
        return await service.list_entries(conn, principal.person_id, school_id, pupil_id, cursor, limit, now)
