"""HTTP for leave requests (api.md: Leave (web portal only))."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import asyncpg
from litestar import Controller, Request, get, post

from backend.access.principal import Principal
from backend.edge.idempotency import Idempotent
from backend.edge.openapi import problems
from backend.edge.pagination import DEFAULT_LIMIT, Limit
from backend.flows.leave_decision import decide_leave
from backend.leave import service
from schemas.leave import (
    LeaveDecisionCreate,
    LeaveListFilter,
    LeaveRequest,
    LeaveRequestCreate,
    LeaveRequestPage,
)


class LeaveController(Controller):
    tags = ("leave",)

    @post(
        "/pupils/{pupil_id:uuid}/leave-requests",
        status_code=201,
        summary="Apply for leave (web client only; an app token gets 403 leave.web_only)",
        responses=problems(400, 401, 403, 404, 409, 422),
    )
    async def create(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        once: Idempotent,
        now: datetime,
        principal: Principal,
        pupil_id: uuid.UUID,
        data: LeaveRequestCreate,
    ) -> LeaveRequest:
        # Refused before the key is taken, so an app retry never stores an answer.
        service.require_web_client(principal.client)
        return await once(
            201, service.create_request, conn, principal.client, principal.person_id, pupil_id, data, now
        )

    @get(
        "/leave-requests",
        summary="Leave requests the caller may see (guardians: their children's; staff: "
        "their classes' and schools')",
        responses=problems(401, 422),
    )
    async def list_requests(
        self,
        conn: asyncpg.Connection,
        now: datetime,
        principal: Principal,
        status: LeaveListFilter | None = None,
        cursor: str | None = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> LeaveRequestPage:
        return await service.list_requests(conn, principal.person_id, status, cursor, limit, now)

    @post(
        "/leave-requests/{request_id:uuid}/decision",
        status_code=200,
        summary="Approve or reject (contact teacher up to the school's day limit, leaders any)",
        responses=problems(400, 401, 403, 404, 409, 422),
    )
    async def decide(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        once: Idempotent,
        now: datetime,
        principal: Principal,
        request_id: uuid.UUID,
        data: LeaveDecisionCreate,
    ) -> LeaveRequest:
        return await once(200, decide_leave, conn, principal.person_id, request_id, data, now)


__all__ = ["LeaveController"]
