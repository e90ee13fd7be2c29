"""HTTP for reachability and test alerts (api.md: Reachability)."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
from litestar import Controller, Request, get, post

from backend.access.principal import Principal
from backend.app.runtime import Runtime
from backend.edge import idempotency
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
        self, conn: asyncpg.Connection, rt: Runtime, principal: Principal, class_id: uuid.UUID
    ) -> Reachability:
        return await service.reachability(conn, principal.person_id, class_id, rt.clock.now())


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
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        rt: Runtime,
        principal: Principal,
        school_id: uuid.UUID,
    ) -> TestAlertSent:
        return await idempotency.once(
            request,
            conn,
            principal.person_id,
            202,
            lambda: service.send_test_alert(conn, principal.person_id, school_id, rt.clock.now()),
        )
