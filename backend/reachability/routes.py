"""HTTP for reachability and test alerts (api.md: Reachability)."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg
from litestar import Controller, get, post

from backend.access.principal import Principal
from backend.edge.idempotency import Idempotent
from backend.edge.openapi import problems
from backend.reachability import service
from schemas.reach import Reachability, TestAlertSent


class ReachabilityController(Controller):
    path = "/classes"
    tags = ("reachability",)

    @get(
        "/{class_id:uuid}/reachability",
        summary="Per pupil: can a guardian be reached by push, SMS, e-mail; last test-alert confirmation",
        responses=problems(401, 404),
    )
    async def reachability(
        self, conn: asyncpg.Connection, now: datetime, principal: Principal, class_id: uuid.UUID
    ) -> Reachability:
        return await service.reachability(conn, principal.person_id, class_id, now)


class TestAlertController(Controller):
    path = "/schools"
    tags = ("reachability",)

    @post(
        "/{school_id:uuid}/test-alerts",
        status_code=202,
        summary="School leader: send every guardian with access a test alert to confirm with a tap",
        responses=problems(400, 401, 404, 422),
    )
    async def send(
        self,
        once: Idempotent,
        conn: asyncpg.Connection,
        now: datetime,
        principal: Principal,
        school_id: uuid.UUID,
    ) -> TestAlertSent:
        return await once(202, service.send_test_alert, conn, principal.person_id, school_id, now)
