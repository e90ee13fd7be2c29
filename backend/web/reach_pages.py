"""Web pages for reaching guardians: a missing-pupil case with who is reached and
the call list, a class's reachability for its teachers, and the whole school's for
its leaders, who send test alerts and see them confirmed (server-rendered, no
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
from backend.web.case_pages import hhmm, render_case
from backend.web.pages import SIGNED_IN, locale_of, page, see_other
from backend.web.portal_texts import translator
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

    @get("/schools/{school_id:uuid}/reachability")
    async def school_reachability_page(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        now: datetime,
        session: WebSession,
        school_id: uuid.UUID,
    ) -> Response[Any]:
        result = await reachability.school_reachability(conn, session.person_id, school_id, now)
        notice = None
        if request.query_params.get("done") == "test_alert":
            count = request.query_params.get("n", "")
            notice = translator(locale_of(request, session))("desk_test_alert_sent", n=count)
        return page(
            request,
            session,
            "school_reachability.html",
            reach=result,
            school_id=school_id,
            hhmm=hhmm,
            **_notice(notice),
        )

    @post("/schools/{school_id:uuid}/test-alerts", status_code=303)
    async def send_test_alert(
        self,
        now: datetime,
        conn: asyncpg.Connection,
        session: WebSession,
        form: dict[str, str],
        school_id: uuid.UUID,
    ) -> Response[Any]:
        sent = await reachability.send_test_alert(conn, session.person_id, school_id, now)
        return see_other(f"/web/schools/{school_id}/reachability?done=test_alert&n={sent.recipients}")


def _notice(text: str | None) -> dict[str, Any]:
    """A notice of our own, or the page's default (none, or a shared ``?done=`` one)."""
    return {"notice": text} if text else {}
