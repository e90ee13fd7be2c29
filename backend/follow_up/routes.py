"""HTTP for absence follow-ups (api.md: Absence follow-up)."""

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
from backend.follow_up import service
from schemas.follow_ups import (
    FollowUpAction,
    FollowUpActionCreate,
    FollowUpDetail,
    FollowUpPage,
    FollowUpStatus,
)


class FollowUpController(Controller):
    tags = ("follow-ups",)

    @get(
        "/follow-ups",
        summary="Absence follow-ups the caller answers for (contact teachers: their classes'; "
        "leaders: their school's); audited",
        responses=problems(401, 422),
    )
    async def list_follow_ups(
        self,
        conn: asyncpg.Connection,
        now: datetime,
        principal: Principal,
        status: FollowUpStatus | None = None,
        class_id: uuid.UUID | None = None,
        school_id: uuid.UUID | None = None,
        cursor: str | None = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> FollowUpPage:
        return await service.list_follow_ups(
            conn, principal.person_id, status, class_id, school_id, cursor, limit, now
        )

    @get(
        "/follow-ups/{follow_up_id:uuid}",
        summary="One follow-up with its actions (contact teacher, leaders; others 404); audited",
        responses=problems(401, 404),
    )
    async def get_follow_up(
        self, conn: asyncpg.Connection, now: datetime, principal: Principal, follow_up_id: uuid.UUID
    ) -> FollowUpDetail:
        return await service.get_follow_up(conn, principal.person_id, follow_up_id, now)

    @post(
        "/follow-ups/{follow_up_id:uuid}/actions",
        status_code=201,
        summary="Log a coded action (on: the day it was done, not before the opening nor in the future)",
        responses=problems(400, 401, 404, 409, 422),
    )
    async def log_action(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        once: Idempotent,
        now: datetime,
        principal: Principal,
        follow_up_id: uuid.UUID,
        data: FollowUpActionCreate,
    ) -> FollowUpAction:
        return await once(201, service.log_action, conn, principal.person_id, follow_up_id, data, now)

    @post(
        "/follow-ups/{follow_up_id:uuid}/close",
        status_code=200,
        summary="Close (409 follow_up.no_action while no action is logged)",
        responses=problems(400, 401, 404, 409, 422),
    )
    async def close(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        once: Idempotent,
        now: datetime,
        principal: Principal,
        follow_up_id: uuid.UUID,
    ) -> FollowUpDetail:
        return await once(200, service.close, conn, principal.person_id, follow_up_id, now)


__all__ = ["FollowUpController"]
