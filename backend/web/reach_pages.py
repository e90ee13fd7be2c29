"""Web pages for reaching guardians: a missing-pupil case with who is reached and
the call list, and a class's reachability for its teachers (server-rendered, no
JavaScript). The same use cases as the API, access decided there."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import asyncpg
from litestar import Controller, Request, Response, get, post

from backend.access.case_staff import class_staff_access
from backend.missing import contacts
from backend.problems.codes import Code
from backend.problems.errors import Invalid
from backend.reachability import service as reachability
from backend.web.case_pages import render_case
from backend.web.pages import SIGNED_IN, page, see_other
from backend.web.signed_in import WebSession
from schemas.reach import CallLogged, CallOutcome


class ReachPages(Controller):
    path = "/web"
    include_in_schema = False
    dependencies = SIGNED_IN

    @get("/missing-cases/{case_id:uuid}")
    async def case_page(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        now: datetime,
        session: WebSession,
        case_id: uuid.UUID,
    ) -> Response[Any]:
        # The one case page (backend/web/case_pages.py) under its older address.
        return await render_case(request, conn, now, session, case_id)

    @post("/missing-cases/{case_id:uuid}/contacts", status_code=303)
    async def log_call(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        now: datetime,
        session: WebSession,
        form: dict[str, str],
        case_id: uuid.UUID,
    ) -> Response[Any]:
        try:
            guardian = uuid.UUID(form.get("guardian_id", ""))
            data = CallLogged(guardian_id=guardian, outcome=CallOutcome(form.get("outcome", "")))
        except ValueError as exc:
            raise Invalid(Code.REQUEST_INVALID, field="outcome") from exc
        await contacts.log_call(conn, session.person_id, case_id, data, now)
        return see_other(f"/web/cases/{case_id}?done=call_logged")

    @get("/classes/{class_id:uuid}/reachability")
    async def reachability_page(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        now: datetime,
        session: WebSession,
        class_id: uuid.UUID,
    ) -> Response[Any]:
        staff = await class_staff_access(conn, session.person_id, class_id, now)
        result = await reachability.reachability(conn, session.person_id, class_id, now)
        return page(request, session, "reachability.html", reach=result, class_name=staff.class_name)
