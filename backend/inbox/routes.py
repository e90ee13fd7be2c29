"""HTTP for push devices, push preferences and the inbox (api.md: Me)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import asyncpg
from litestar import Controller, Request, Response, delete, get, post, put
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Parameter

from backend.access.principal import Principal
from backend.app.runtime import Runtime
from backend.edge import idempotency
from backend.edge.openapi import problems
from backend.edge.pagination import DEFAULT_LIMIT, MAX_LIMIT
from backend.inbox import service
from schemas.notifications import (
    Device,
    DeviceRegister,
    NotificationPage,
    NotificationPreferences,
)

Limit = Annotated[int, Parameter(ge=1, le=MAX_LIMIT, description="page size")]


class InboxController(Controller):
    path = "/me"
    tags = ["me"]

    @post(
        "/devices",
        status_code=201,
        summary="Register or refresh a push device (201 new, 200 known)",
        responses={
            200: ResponseSpec(data_container=Device, description="A known device, refreshed"),
            **problems(400, 401, 409, 422),
        },
    )
    async def register_device(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        rt: Runtime,
        principal: Principal,
        data: DeviceRegister,
    ) -> Response[Device]:
        key = await idempotency.key_of(request, principal.person_id)
        async with conn.transaction():
            replay = await idempotency.claim(conn, key)
            if replay is not None:
                return replay  # type: ignore[return-value]
            device, created = await service.register_device(conn, principal.person_id, data, rt.clock.now())
            status = 201 if created else 200
            await idempotency.store(conn, key, status, device)
        return Response(content=device, status_code=status)

    @delete(
        "/devices/{device_id:uuid}",
        status_code=204,
        summary="Unregister a push device",
        responses=problems(401, 404),
    )
    async def unregister_device(
        self, conn: asyncpg.Connection, principal: Principal, device_id: uuid.UUID
    ) -> None:
        await service.unregister_device(conn, principal.person_id, device_id)

    @get(
        "/notification-preferences",
        summary="Which kinds are pushed, quiet hours and language",
        responses=problems(401),
    )
    async def get_preferences(
        self, conn: asyncpg.Connection, principal: Principal
    ) -> NotificationPreferences:
        return await service.get_preferences(conn, principal.person_id)

    @put(
        "/notification-preferences",
        summary="Replace push preferences, quiet hours and language",
        responses=problems(400, 401, 422),
    )
    async def put_preferences(
        self, conn: asyncpg.Connection, principal: Principal, data: NotificationPreferences
    ) -> NotificationPreferences:
        return await service.save_preferences(conn, principal.person_id, data)

    @get(
        "/notifications",
        summary="The in-app inbox, newest first",
        responses=problems(401, 422),
    )
    async def list_notifications(
        self,
        conn: asyncpg.Connection,
        principal: Principal,
        cursor: str | None = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> NotificationPage:
        return await service.list_notifications(conn, principal.person_id, cursor, limit)

    @post(
        "/notifications/{notification_id:uuid}/read",
        status_code=204,
        summary="Mark an inbox item read (its push is dropped if not yet sent)",
        responses=problems(401, 404, 422),
    )
    async def mark_read(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        rt: Runtime,
        principal: Principal,
        notification_id: uuid.UUID,
    ) -> None:
        await idempotency.once(
            request,
            conn,
            principal.person_id,
            204,
            lambda: service.mark_read(conn, principal.person_id, notification_id, rt.clock.now()),
        )


__all__ = ["InboxController"]
