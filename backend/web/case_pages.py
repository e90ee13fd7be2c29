"""The missing-pupil case page, ``/web/cases/{case_id}``: the link in the alert's SMS and
e-mail. A guardian answers it; staff see who is reached and the call list.

Opening it after sign-in is opening the alert (``backend/flows/alert_opened.py``): the
guardian is reached. Without a session the link leads to sign-in and shows nothing,
then back here. The answer is the API's (``backend/flows/case_answer.py``).
"""

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
from backend.flows.alert_opened import open_case_link
from backend.flows.case_answer import resolve_case
from backend.missing import contacts
from backend.missing import reads as missing
from backend.missing.answering import GUARDIAN_OUTCOMES
from backend.problems.errors import Conflict, Invalid, NotFound
from backend.web.pages import SIGNED_IN, locale_of, page, problem_detail, see_other
from backend.web.portal_texts import translator
from backend.web.signed_in import WebSession
from schemas.missing import CaseStatus, Outcome, ResolveCase
from schemas.reach import CallList, CallOutcome

CALL_OUTCOMES = tuple(o.value for o in CallOutcome)
# In the order a worried parent reads them.
ANSWERS = tuple(o.value for o in (Outcome.sick_at_home, Outcome.on_the_way, Outcome.found_other))
assert set(ANSWERS) == {o.value for o in GUARDIAN_OUTCOMES}


def hhmm(value: datetime | None) -> str:
    """A time of day on the case and reachability pages (empty when none)."""
    return value.strftime("%H:%M") if value else ""


async def render_case(
    request: Request[Any, Any, Any],
    conn: asyncpg.Connection,
    now: datetime,
    session: WebSession,
    case_id: uuid.UUID,
    *,
    status: int = 200,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    error: str | None = None,
) -> Template:
    """The case as this viewer may see it (404 otherwise); staff reads are audited."""
    case = await missing.get_case(conn, session.person_id, case_id, now)
    access = await pupil_access(conn, session.person_id, case.pupil_id, now)
    guardian = access.relation == "guardian"
    call_list: CallList | None = None
    if not guardian:
        try:
            # Only the class team and leaders, only while open; the read is audited.
            call_list = await contacts.call_list(conn, session.person_id, case_id, now)
        except NotFound:
            call_list = None
    may_answer = guardian and access.can_report_absence and case.status is not CaseStatus.resolved
    return page(
        request,
        session,
        "missing_case.html",
        status=status,
        error=error,
        case=case,
        staff=access.is_staff,
        call_list=call_list,
        outcomes=CALL_OUTCOMES,
        answer_outcomes=ANSWERS if may_answer else (),
        read_only=guardian and not access.can_report_absence and case.status is not CaseStatus.resolved,
        form=form or {},
        errors=errors or {},
        hhmm=hhmm,
    )


class CasePages(Controller):
    path = "/web/cases/{case_id:uuid}"
    include_in_schema = False
    dependencies = SIGNED_IN

    @get("/")
    async def case_page(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        now: datetime,
        session: WebSession,
        case_id: uuid.UUID,
    ) -> Response[Any]:
        # Only a case the viewer may see is opened (404 first, as in the API).
        await missing.visible_case(conn, session.person_id, case_id, now)
        await open_case_link(conn, session.person_id, case_id, now)
        return await render_case(request, conn, now, session, case_id)

    @post("/answer", status_code=303)
    async def answer(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        now: datetime,
        session: WebSession,
        form: dict[str, str],
        case_id: uuid.UUID,
    ) -> Response[Any]:
        t = translator(locale_of(request, session))
        errors: dict[str, str] = {}
        if form.get("outcome") not in ANSWERS:
            errors["outcome"] = t("case_pick_answer")
        note = form.get("note", "").strip() or None
        try:
            data = msgspec.convert({"outcome": form.get("outcome"), "note": note}, ResolveCase)
        except msgspec.ValidationError:
            if "outcome" not in errors:
                errors["note"] = t("field_too_long", n=500)
        if errors:
            await missing.visible_case(conn, session.person_id, case_id, now)
            return await render_case(
                request,
                conn,
                now,
                session,
                case_id,
                status=422,
                form=form,
                errors=errors,
                error=t("form_has_errors"),
            )
        try:
            await resolve_case(conn, session.person_id, case_id, data, now)
        except (Invalid, Conflict) as exc:
            return await render_case(
                request,
                conn,
                now,
                session,
                case_id,
                status=status_of(exc),
                form=form,
                errors={"outcome": problem_detail(request, session, exc)} if isinstance(exc, Invalid) else {},
                error=problem_detail(request, session, exc),
            )
        return see_other(f"/web/cases/{case_id}?done=answered")
