"""HTTP for written absence warnings and documented absence in upper secondary
(api.md: Upper-secondary absence warnings)."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg
from litestar import Controller, delete, get, post

from backend.absence import documentation, warnings
from backend.access.policy import pupil_access
from backend.access.principal import Principal
from backend.edge.idempotency import Idempotent
from backend.edge.openapi import problems
from schemas.absence_warnings import (
    AbsenceDocumentation,
    AbsenceDocumentationCreate,
    AbsenceDocumentationList,
    AbsenceWarning,
    AbsenceWarningList,
)


class AbsenceWarningsController(Controller):
    path = "/pupils/{pupil_id:uuid}/absence-warnings"
    tags = ("absence",)

    @get(
        "/",
        summary="A pupil's written absence warnings (grades 11–13)",
        description=(
            "The pupil, guardians with access, the class team and the school's leaders. "
            "The pupil and guardians see sent warnings; staff also drafts. Staff reads are audit-logged."
        ),
        responses=problems(401, 404),
    )
    async def list_warnings(
        self, conn: asyncpg.Connection, now: datetime, principal: Principal, pupil_id: uuid.UUID
    ) -> AbsenceWarningList:
        access = await pupil_access(conn, principal.person_id, pupil_id, now)
        return await warnings.list_warnings(conn, access, principal.person_id, now)

    @post(
        "/{warning_id:uuid}/send",
        status_code=200,
        summary="Send a drafted absence warning (contact teacher or leader)",
        description=(
            "Delivers `absence_warning` to the pupil and, under 18 (or with the adult pupil's "
            "consent), every guardian with access: inbox, push and e-mail. Recipients and time "
            "are stored. 409 `absence_warning.already_sent` for a warning already sent."
        ),
        responses=problems(401, 403, 404, 409),
    )
    async def send(
        self,
        conn: asyncpg.Connection,
        now: datetime,
        principal: Principal,
        once: Idempotent,
        pupil_id: uuid.UUID,
        warning_id: uuid.UUID,
    ) -> AbsenceWarning:
        await once.key()
        access = await pupil_access(conn, principal.person_id, pupil_id, now)
        return await once(200, warnings.send_warning, conn, access, principal.person_id, warning_id, now)


class AbsenceDocumentationController(Controller):
    path = "/pupils/{pupil_id:uuid}/absence-documentation"
    tags = ("absence",)

    @get(
        "/",
        summary="Documented absence of a pupil (staff)",
        description="The class team and the school's leaders; audit-logged.",
        responses=problems(401, 403, 404),
    )
    async def list_documentation(
        self, conn: asyncpg.Connection, now: datetime, principal: Principal, pupil_id: uuid.UUID
    ) -> AbsenceDocumentationList:
        access = await pupil_access(conn, principal.person_id, pupil_id, now)
        return await documentation.list_documentation(conn, access, principal.person_id, now)

    @post(
        "/",
        status_code=201,
        summary="Record documented absence (contact teacher or leader, grades 11–13)",
        description=(
            "`kind`: `health_personnel` (counts toward the limit as health absence) or an exempt "
            "kind (not counted): `driving_test_b`, `union_representative`, `political_work`, "
            "`relief_work`, `statutory_appearance`, `representation`, `religious_holiday` "
            "(at most 2 days a school year). Whole days, or `from_time`–`to_time` on one day. Audited."
        ),
        responses=problems(400, 401, 403, 404, 409, 422),
    )
    async def record(
        self,
        conn: asyncpg.Connection,
        now: datetime,
        principal: Principal,
        once: Idempotent,
        pupil_id: uuid.UUID,
        data: AbsenceDocumentationCreate,
    ) -> AbsenceDocumentation:
        await once.key()
        access = await pupil_access(conn, principal.person_id, pupil_id, now)
        return await once(
            201, documentation.record_documentation, conn, access, principal.person_id, data, now
        )

    @delete(
        "/{documentation_id:uuid}",
        status_code=204,
        summary="Remove a documentation record (contact teacher or leader); audited",
        responses=problems(401, 403, 404),
    )
    async def remove(
        self,
        conn: asyncpg.Connection,
        now: datetime,
        principal: Principal,
        pupil_id: uuid.UUID,
        documentation_id: uuid.UUID,
    ) -> None:
        access = await pupil_access(conn, principal.person_id, pupil_id, now)
        await documentation.remove_documentation(conn, access, principal.person_id, documentation_id, now)


__all__ = ["AbsenceDocumentationController", "AbsenceWarningsController"]
