"""Web pages for absence follow-up (the contact teacher, leaders) and the school owner's
statistics. The same services and access decisions as the API: a follow-up or district
the viewer may not see is 404, and every read of a follow-up is audited there."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import asyncpg
import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.response import Template

from backend.access.follow_up_staff import district_owner_access
from backend.edge.problem_handlers import status_of
from backend.follow_up import service as follow_ups
from backend.owners import service as owners
from backend.problems.codes import Code
from backend.problems.errors import Conflict, DomainError, Invalid
from backend.web.pages import SECURITY_HEADERS, SIGNED_IN, page, problem_detail, see_other
from backend.web.signed_in import WebSession
from schemas.follow_ups import ActionKind, FollowUpActionCreate, FollowUpStatus

KINDS = tuple(k.value for k in ActionKind)


async def _detail_page(
    request: Request[Any, Any, Any],
    conn: asyncpg.Connection,
    now: datetime,
    session: WebSession,
    follow_up_id: uuid.UUID,
    *,
    status: int = 200,
    form: dict[str, str] | None = None,
    field_errors: dict[str, str] | None = None,
    error: str | None = None,
) -> Template:
    follow_up = await follow_ups.get_follow_up(conn, session.person_id, follow_up_id, now)
    return page(
        request,
        session,
        "follow_up.html",
        status=status,
        error=error,
        follow_up=follow_up,
        kinds=KINDS,
        form=form or {},
        field_errors=field_errors or {},
        # The school's own date (the follow-up's times are in its time zone).
        today=now.astimezone(follow_up.opened_at.tzinfo).date().isoformat(),
    )


class FollowUpPages(Controller):
    path = "/web"
    include_in_schema = False
    dependencies = SIGNED_IN

    @get("/follow-ups")
    async def list_page(
        self, request: Request[Any, Any, Any], conn: asyncpg.Connection, now: datetime, session: WebSession
    ) -> Response[Any]:
        shown = (
            FollowUpStatus.closed if request.query_params.get("status") == "closed" else FollowUpStatus.open
        )
        result = await follow_ups.list_follow_ups(conn, session.person_id, shown, None, None, None, 200, now)
        return page(request, session, "follow_ups.html", follow_ups=result.items, shown=shown.value)

    @get("/follow-ups/{follow_up_id:uuid}")
    async def detail_page(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        now: datetime,
        session: WebSession,
        follow_up_id: uuid.UUID,
    ) -> Response[Any]:
        return await _detail_page(request, conn, now, session, follow_up_id)

    @post("/follow-ups/{follow_up_id:uuid}/actions", status_code=303)
    async def log_action(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        now: datetime,
        session: WebSession,
        form: dict[str, str],
        follow_up_id: uuid.UUID,
    ) -> Response[Any]:
        kind, on = form.get("kind", ""), form.get("on", "").strip()
        field_errors: dict[str, str] = {}
        if kind not in KINDS:
            field_errors["kind"] = problem_detail(request, session, Invalid(Code.REQUEST_INVALID))
        try:
            day = date.fromisoformat(on)
        except ValueError:
            field_errors["on"] = problem_detail(request, session, Invalid(Code.FOLLOW_UP_ACTION_DAY))
        if field_errors:
            return await _detail_page(
                request, conn, now, session, follow_up_id, status=422, form=form, field_errors=field_errors
            )
        data = msgspec.convert({"kind": kind, "on": day.isoformat()}, FollowUpActionCreate)
        try:
            await follow_ups.log_action(conn, session.person_id, follow_up_id, data, now)
        except Invalid as exc:
            return await _detail_page(
                request,
                conn,
                now,
                session,
                follow_up_id,
                status=status_of(exc),
                form=form,
                field_errors={"on": problem_detail(request, session, exc)},
            )
        except Conflict as exc:
            return await _detail_page(
                request,
                conn,
                now,
                session,
                follow_up_id,
                status=409,
                error=problem_detail(request, session, exc),
            )
        return see_other(f"/web/follow-ups/{follow_up_id}?done=action_logged")

    @post("/follow-ups/{follow_up_id:uuid}/close", status_code=303)
    async def close(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        now: datetime,
        session: WebSession,
        form: dict[str, str],
        follow_up_id: uuid.UUID,
    ) -> Response[Any]:
        try:
            await follow_ups.close(conn, session.person_id, follow_up_id, now)
        except Conflict as exc:
            return await _detail_page(
                request,
                conn,
                now,
                session,
                follow_up_id,
                status=409,
                error=problem_detail(request, session, exc),
            )
        return see_other(f"/web/follow-ups/{follow_up_id}?done=follow_up_closed")

    @get("/owners/{district_id:uuid}/statistics")
    async def statistics_page(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        now: datetime,
        session: WebSession,
        district_id: uuid.UUID,
    ) -> Response[Any]:
        district = await district_owner_access(conn, session.person_id, district_id)
        school_year = request.query_params.get("school_year") or None
        month = request.query_params.get("month") or None
        form = {"school_year": school_year or "", "month": month or ""}
        try:
            result = await owners.absence_statistics(
                conn, session.person_id, district_id, school_year, month, now
            )
        except DomainError as exc:
            if not isinstance(exc, Invalid):
                raise
            field = "month" if month and exc.code is not Code.SCHOOL_YEAR_INVALID else "school_year"
            return page(
                request,
                session,
                "owner_statistics.html",
                status=422,
                district=district,
                items=[],
                form=form,
                field_errors={field: problem_detail(request, session, exc)},
            )
        return page(
            request,
            session,
            "owner_statistics.html",
            district=district,
            items=result.items,
            form=form,
            field_errors={},
        )

    @get("/owners/{district_id:uuid}/statistics.csv")
    async def statistics_csv(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        now: datetime,
        session: WebSession,
        district_id: uuid.UUID,
    ) -> Response[Any]:
        school_year = request.query_params.get("school_year") or None
        month = request.query_params.get("month") or None
        result = await owners.absence_statistics(
            conn, session.person_id, district_id, school_year, month, now
        )
        return Response(
            owners.as_csv(result),
            media_type="text/csv; charset=utf-8",
            headers={
                **SECURITY_HEADERS,
                "Content-Disposition": 'attachment; filename="absence-statistics.csv"',
            },
        )
