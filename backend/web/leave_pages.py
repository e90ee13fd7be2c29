"""The leave page: apply for a pupil, and decide requests (staff)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import asyncpg
import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.response import Template

from backend.access.policy import pupil_access
from backend.edge.problem_handlers import status_of
from backend.flows.leave_decision import decide_leave
from backend.leave import service as leave
from backend.me.service import me as load_me
from backend.problems.codes import Code
from backend.problems.errors import Conflict, Forbidden, Invalid, NotFound
from backend.schools.localtime import local_now
from backend.web.pages import SIGNED_IN, page, problem_detail, see_other
from backend.web.signed_in import WebSession
from schemas.common import Access, Role
from schemas.leave import LeaveDecisionCreate, LeaveRequestCreate


async def _leave_page(
    request: Request[Any, Any, Any],
    conn: asyncpg.Connection,
    now: datetime,
    session: WebSession,
    *,
    status: int = 200,
    error: str | None = None,
    form: dict[str, str] | None = None,
) -> Template:
    me = await load_me(conn, session.person_id, now)
    applicable: list[dict[str, Any]] = [
        {"pupil_id": c.pupil_id, "name": c.name, "class_name": c.class_name}
        for c in me.children
        if c.access is Access.full
    ]
    if Role.pupil in me.roles:
        try:
            own = await pupil_access(conn, session.person_id, session.person_id, now)
        except NotFound:
            own = None
        if own is not None and own.can_report_absence:
            applicable.insert(
                0, {"pupil_id": own.pupil_id, "name": own.pupil_name, "class_name": own.class_name}
            )
    teacher_days = await leave.teacher_max_days(conn, [a["pupil_id"] for a in applicable]) or 2
    requests = await leave.list_requests(conn, session.person_id, None, None, 200, now)
    staff_roles = {Role.teacher, Role.school_leader}
    # Only a hint for the date picker; the service applies the school's own date.
    today = local_now(now, "Europe/Oslo").date()
    return page(
        request,
        session,
        "leave.html",
        status=status,
        error=error,
        is_guardian=bool(me.children) or bool(applicable),
        is_staff=bool(staff_roles & set(me.roles)),
        applicable=applicable,
        requests=requests.items,
        teacher_days=teacher_days,
        today=today.isoformat(),
        form=form or {},
    )


class LeavePages(Controller):
    path = "/web/leave"
    include_in_schema = False
    dependencies = SIGNED_IN

    @get("/")
    async def leave_page(
        self, request: Request[Any, Any, Any], conn: asyncpg.Connection, now: datetime, session: WebSession
    ) -> Response[Any]:
        return await _leave_page(request, conn, now, session)

    @post("/", status_code=303)
    async def apply(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        now: datetime,
        session: WebSession,
        form: dict[str, str],
    ) -> Response[Any]:
        try:
            pupil_id = uuid.UUID(form.get("pupil_id", ""))
        except ValueError as exc:
            raise NotFound() from exc
        try:
            data = msgspec.convert(
                {
                    "first_day": form.get("first_day", ""),
                    "last_day": form.get("last_day", ""),
                    "reason": form.get("reason", "").strip(),
                },
                LeaveRequestCreate,
            )
        except msgspec.ValidationError:
            return await _leave_page(
                request,
                conn,
                now,
                session,
                status=422,
                form=form,
                error=problem_detail(request, session, Invalid(Code.REQUEST_INVALID)),
            )
        try:
            await leave.create_request(conn, "web", session.person_id, pupil_id, data, now)
        except (Invalid, Conflict, Forbidden) as exc:
            return await _leave_page(
                request,
                conn,
                now,
                session,
                status=status_of(exc),
                form=form,
                error=problem_detail(request, session, exc),
            )
        return see_other("/web/leave?done=applied")

    @post("/{request_id:uuid}/decision", status_code=303)
    async def decide(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        now: datetime,
        session: WebSession,
        form: dict[str, str],
        request_id: uuid.UUID,
    ) -> Response[Any]:
        if form.get("decision") not in ("approve", "reject"):
            raise Invalid(Code.REQUEST_INVALID)
        comment = form.get("comment", "").strip() or None
        try:
            data = msgspec.convert(
                {"approved": form["decision"] == "approve", "comment": comment}, LeaveDecisionCreate
            )
        except msgspec.ValidationError as exc:
            raise Invalid(Code.REQUEST_INVALID) from exc
        try:
            await decide_leave(conn, session.person_id, request_id, data, now)
        except (Conflict, Forbidden) as exc:
            return await _leave_page(
                request,
                conn,
                now,
                session,
                status=status_of(exc),
                error=problem_detail(request, session, exc),
            )
        return see_other("/web/leave?done=decided")
