"""HTTP for messaging (api.md: Messaging) and staff office hours."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import asyncpg
import msgspec
from litestar import Controller, Request, get, post, put

from backend.access.guards import running_staff_only
from backend.access.policy import pupil_access
from backend.access.principal import Principal
from backend.edge.idempotency import Idempotent
from backend.edge.openapi import problems
from backend.edge.pagination import DEFAULT_LIMIT, Limit
from backend.messaging import service
from schemas.messaging import (
    Message,
    MessageCreate,
    OfficeHours,
    OfficeHoursSetting,
    RecipientOption,
    Thread,
    ThreadCreate,
    ThreadPage,
)


def _language(request: Request[Any, Any, Any]) -> str | None:
    return request.headers.get("accept-language")


class MessagingController(Controller):
    tags = ("messaging",)

    @get(
        "/messaging/recipients",
        summary="Whom the caller may write to about a pupil",
        description="Guardians: the contact teacher, the administration and staff who teach "
        "the pupil. Pupils: staff who teach them. Staff: the pupil's guardians "
        "with access and other staff. A pupil the caller may not see is 404.",
        responses=problems(401, 404, 422),
    )
    async def recipients(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        now: datetime,
        principal: Principal,
        pupil_id: uuid.UUID,
    ) -> list[RecipientOption]:
        access = await pupil_access(conn, principal.person_id, pupil_id, now)
        return await service.recipients(conn, access, principal.person_id, _language(request), now)

    @post(
        "/threads",
        status_code=201,
        summary="Start a thread about a pupil",
        description="`administration` expands to the school's leaders at the time of sending; "
        "they stay the thread's participants. Recipients the caller may not "
        "address are 422 `messaging.recipient_not_allowed`. Pushes `message` to "
        "the recipients (staff outside their office hours: when those begin).",
        responses=problems(400, 401, 403, 404, 422),
    )
    async def create_thread(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        once: Idempotent,
        now: datetime,
        principal: Principal,
        data: ThreadCreate,
    ) -> Thread:
        access = await pupil_access(conn, principal.person_id, data.pupil_id, now)
        return await once(
            201, service.create_thread, conn, access, principal.person_id, data, now, _language(request)
        )

    @get(
        "/threads",
        summary="My threads, newest activity first, with unread counts",
        responses=problems(401, 422),
    )
    async def list_threads(
        self,
        conn: asyncpg.Connection,
        now: datetime,
        principal: Principal,
        cursor: str | None = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> ThreadPage:
        return await service.list_threads(conn, principal.person_id, cursor, limit, now)

    @get(
        "/threads/{thread_id:uuid}",
        summary="A thread: participants with what they have read, messages, the notice",
        description="`notice` says, in the caller's language (Accept-Language, else their "
        "profile), that health and child-welfare matters go through the "
        "municipality's secure channel. Subjects and bodies are plain text.",
        responses=problems(401, 404),
    )
    async def get_thread(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        now: datetime,
        principal: Principal,
        thread_id: uuid.UUID,
    ) -> Thread:
        opened = await service.open_thread(conn, principal.person_id, thread_id, now)
        return await service.get_thread(conn, opened, _language(request))

    @post(
        "/threads/{thread_id:uuid}/messages",
        status_code=201,
        summary="Answer in a thread",
        description="Pushes `message` to the other participants who may still see the pupil; "
        "to staff outside their office hours when those begin.",
        responses=problems(400, 401, 404, 422),
    )
    async def add_message(
        self,
        once: Idempotent,
        conn: asyncpg.Connection,
        now: datetime,
        principal: Principal,
        thread_id: uuid.UUID,
        data: MessageCreate,
    ) -> Message:
        opened = await service.open_thread(conn, principal.person_id, thread_id, now)
        return await once(201, service.add_message, conn, opened, principal.person_id, data.body, now)

    @post(
        "/threads/{thread_id:uuid}/read",
        status_code=204,
        summary="Mark the thread read up to now",
        responses=problems(401, 404, 422),
    )
    async def mark_read(
        self,
        once: Idempotent,
        conn: asyncpg.Connection,
        now: datetime,
        principal: Principal,
        thread_id: uuid.UUID,
    ) -> None:
        opened = await service.open_thread(conn, principal.person_id, thread_id, now)
        await once(204, service.mark_read, conn, opened, principal.person_id, now)


class OfficeHoursController(Controller):
    path = "/me/office-hours"
    tags = ("messaging",)

    @get("/", summary="My office hours (staff)", responses=problems(401))
    async def get_office_hours(self, conn: asyncpg.Connection, principal: Principal) -> OfficeHoursSetting:
        hours = await service.get_office_hours(conn, principal.person_id)
        return OfficeHoursSetting(office_hours=msgspec.convert(hours, OfficeHours) if hours else None)

    @put(
        "/",
        summary="Set or clear my office hours (staff)",
        description="Weekdays from `start` to `end`, school-local time; public holidays are "
        "off. A message to me outside them is in my inbox at once and pushed when "
        "they next begin. `null` clears them: pushes go at once. Only staff: 403 "
        "`messaging.staff_only`.",
        responses=problems(400, 401, 403, 422),
        guards=[running_staff_only],
    )
    async def put_office_hours(
        self,
        conn: asyncpg.Connection,
        now: datetime,
        principal: Principal,
        data: OfficeHoursSetting,
    ) -> OfficeHoursSetting:
        hours = msgspec.to_builtins(data.office_hours) if data.office_hours else None
        await service.set_office_hours(conn, principal.person_id, hours, now)
        return data


__all__ = ["MessagingController", "OfficeHoursController"]
