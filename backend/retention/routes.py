"""HTTP for legal holds (api.md: Data lifecycle)."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg
from litestar import Controller, delete, post

from backend.access.principal import Principal
from backend.edge.bodies import SMALL_BODY_LIMIT
from backend.edge.idempotency import Idempotent
from backend.edge.openapi import problems
from backend.retention import service
from schemas.retention import LegalHold, LegalHoldPlace


class LegalHoldController(Controller):
    path = "/pupils/{pupil_id:uuid}/legal-hold"
    tags = ("data lifecycle",)

    @post(
        "/",
        status_code=201,
        summary="Place a legal hold: nothing about the pupil is erased until it is lifted (school leaders)",
        responses=problems(401, 403, 404, 422),
        request_max_body_size=SMALL_BODY_LIMIT,
    )
    async def place(
        self,
        conn: asyncpg.Connection,
        once: Idempotent,
        now: datetime,
        principal: Principal,
        pupil_id: uuid.UUID,
        data: LegalHoldPlace,
    ) -> LegalHold:
        return await once(201, service.place_hold, conn, principal.person_id, pupil_id, data, now)

    @delete(
        "/",
        status_code=204,
        summary="Lift the legal hold (school leaders)",
        responses=problems(401, 403, 404),
    )
    async def lift(
        self, conn: asyncpg.Connection, now: datetime, principal: Principal, pupil_id: uuid.UUID
    ) -> None:
        await service.lift_hold(conn, principal.person_id, pupil_id, now)


__all__ = ["LegalHoldController"]
