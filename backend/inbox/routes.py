"""HTTP for push devices, push preferences and the inbox (api.md: Me)."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg
from litestar import Controller, Response, delete, get, post, put
from litestar.openapi.datastructures import ResponseSpec

from backend.access.principal import Principal
from backend.edge.idempotency import Idempotent
from backend.edge.openapi import problems
from backend.edge.pagination import DEFAULT_LIMIT, Limit
from backend.flows.alert_opened import open_notification
from backend.inbox import service
from schemas.notifications import (
    Device,
    DeviceRegister,
    NotificationPage,
    NotificationPreferences,
    WebPushPublicKey,
)


async def _registered(
    conn: asyncpg.Connection, person_id: uuid.UUID, data: DeviceRegister, now: datetime
) -> Response[Device]:
    device, created = await service.register_device(conn, person_id, data, now)
    return Response(content=device, status_code=201 if created else 200)


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
        once: Idempotent,
        conn: asyncpg.Connection,
        now: datetime,
        principal: Principal,
        data: DeviceRegister,
    ) -> Response[Device]:
        return await once(201, _registered, conn, principal.person_id, data, now)

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
        once: Idempotent,
        conn: asyncpg.Connection,
        now: datetime,
        principal: Principal,
        notification_id: uuid.UUID,
    ) -> None:
        await once(204, open_notification, conn, principal.person_id, notification_id, now)


class WebPushController(Controller):
    path = "/webpush"
    tags = ["me"]

    @get(
        "/public-key",
        summary="The VAPID public key browsers subscribe with (no sign-in needed)",
        responses=problems(404),
    )
    async def public_key(self) -> WebPushPublicKey:
        return service.webpush_public_key()


__all__ = ["InboxController", "WebPushController"]
