"""HTTP for a pupil's guardians (api.md: Guardians of a pupil)."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg
from litestar import Controller, delete, get, put

from backend.access.principal import Principal
from backend.edge.openapi import problems
from backend.guardians import service
from schemas.guardians import GuardianAccessUpdate, GuardianList, GuardianRow


class GuardianController(Controller):
    path = "/pupils/{pupil_id:uuid}/guardians"
    tags = ("guardians",)

    @get(
        "/",
        summary="A pupil's guardians with their access, blocked ones too (leaders; the contact teacher)",
        responses=problems(401, 403, 404),
    )
    async def list_guardians(
        self, conn: asyncpg.Connection, now: datetime, principal: Principal, pupil_id: uuid.UUID
    ) -> GuardianList:
        return await service.list_guardians(conn, principal.person_id, pupil_id, now)

    @put(
        "/{guardian_id:uuid}",
        summary="Set the school's decision about a guardian's access (school leaders)",
        responses=problems(401, 403, 404, 422),
    )
    async def set_access(
        self,
        conn: asyncpg.Connection,
        now: datetime,
        principal: Principal,
        pupil_id: uuid.UUID,
        guardian_id: uuid.UUID,
        data: GuardianAccessUpdate,
    ) -> GuardianRow:
        return await service.set_access(conn, principal.person_id, pupil_id, guardian_id, data, now)

    @delete(
        "/{guardian_id:uuid}/school-access",
        status_code=204,
        summary="Lift the school's decision; the roster's value applies again (school leaders)",
        responses=problems(401, 403, 404),
    )
    async def lift_access(
        self,
        conn: asyncpg.Connection,
        now: datetime,
        principal: Principal,
        pupil_id: uuid.UUID,
        guardian_id: uuid.UUID,
    ) -> None:
        await service.lift_access(conn, principal.person_id, pupil_id, guardian_id, now)


__all__ = ["GuardianController"]
