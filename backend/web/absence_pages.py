"""The absence page for guardians (and pupils of 18): the children's reports, reporting
for one or several children in one go, withdrawing before the deadline.

The same flows and services as the API (``backend/flows/absence_report.py``,
``backend/absence/service.py``): a read-only guardian sees the reports but has no
form, and a report for a pupil they may not act for is refused there too.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import asyncpg
import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.response import Template

from backend.absence import service as absence
from backend.access.policy import pupil_access
from backend.edge.problem_handlers import status_of
from backend.flows.absence_report import ReportRefused, file_absence_reports
from backend.me.service import me as load_me
from backend.problems.codes import Code
from backend.problems.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from backend.web.family import family
from backend.web.pages import SIGNED_IN, locale_of, page, problem_detail, see_other
from backend.web.portal_texts import translator
from backend.web.signed_in import WebSession
from schemas.absence import AbsenceReason, AbsenceReportCreate

REASONS = tuple(r.value for r in AbsenceReason)
FIELDS = ("pupils", "reason", "first_day", "last_day", "from_time", "to_time", "note")


async def _page(
    request: Request[Any, Any, Any],
    conn: asyncpg.Connection,
    now: datetime,
    session: WebSession,
    *,
    status: int = 200,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    error: str | None = None,
) -> Template:
    me = await load_me(conn, session.person_id, now)
    children = await family(conn, me, now)
    if not children:
        # api.md: guardians and pupils of 18; anyone else has no such page.
        raise NotFound()
    reporters = [c for c in children if c.may_report]
    chosen = request.query_params.get("pupil")
    form = form or {}
    if not any(k.startswith("pupil_") for k in form):
        # Preselect the child the home page came from, or the only one.
        for c in reporters:
            if str(c.pupil_id) == chosen or len(reporters) == 1:
                form[f"pupil_{c.pupil_id}"] = "on"
    return page(
        request,
        session,
        "absence.html",
        status=status,
        error=error,
        children=children,
        reporters=reporters,
        reasons=REASONS,
        form=form,
        errors=errors or {},
        today=min(c.today for c in children).isoformat(),
        now=now,
    )


def _field_errors(form: dict[str, str], t: Any, pupils: list[uuid.UUID]) -> dict[str, str]:
    """Each field's own message (the API would answer 422 with the same fields)."""
    errors: dict[str, str] = {}
    if not pupils:
        errors["pupils"] = t("absence_pick_child")
    if form.get("reason") not in REASONS:
        errors["reason"] = t("absence_pick_reason")
    for key in ("first_day", "last_day"):
        text = form.get(key, "").strip()
        if not text and key == "last_day":
            continue
        try:
            date.fromisoformat(text)
        except ValueError:
            errors[key] = t("field_date")
    for key in ("from_time", "to_time"):
        text = form.get(key, "").strip()
        if text and not msgspec_time_ok(text):
            errors[key] = t("field_time")
    if len(form.get("note", "")) > 500 or "\x00" in form.get("note", ""):
        errors["note"] = t("field_too_long", n=500)
    return errors


def msgspec_time_ok(text: str) -> bool:
    try:
        msgspec.convert({"first_day": "2000-01-01", "reason": "sick", "from_time": text}, AbsenceReportCreate)
    except msgspec.ValidationError:
        return False
    return True


def _report(form: dict[str, str]) -> AbsenceReportCreate:
    return msgspec.convert(
        {
            "first_day": form.get("first_day", "").strip(),
            "last_day": form.get("last_day", "").strip() or None,
            "reason": form.get("reason", ""),
            "from_time": form.get("from_time", "").strip() or None,
            "to_time": form.get("to_time", "").strip() or None,
            "note": form.get("note", "").strip() or None,
        },
        AbsenceReportCreate,
    )


def _chosen(form: dict[str, str]) -> list[uuid.UUID]:
    out: list[uuid.UUID] = []
    for key, value in form.items():
        if key.startswith("pupil_") and value:
            try:
                out.append(uuid.UUID(key.removeprefix("pupil_")))
            except ValueError:
                continue  # not a field of ours
    return out


class AbsencePages(Controller):
    path = "/web/absence"
    include_in_schema = False
    dependencies = SIGNED_IN

    @get("/")
    async def absence_page(
        self, request: Request[Any, Any, Any], conn: asyncpg.Connection, now: datetime, session: WebSession
    ) -> Response[Any]:
        return await _page(request, conn, now, session)

    @post("/", status_code=303)
    async def report(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        now: datetime,
        session: WebSession,
        form: dict[str, str],
    ) -> Response[Any]:
        t = translator(locale_of(request, session))
        pupils = _chosen(form)
        errors = _field_errors(form, t, pupils)
        if errors:
            return await _page(
                request, conn, now, session, status=422, form=form, errors=errors, error=t("form_has_errors")
            )
        try:
            await file_absence_reports(conn, session.person_id, pupils, _report(form), now)
        except ReportRefused as refused:
            exc: DomainError = refused.error
            if isinstance(exc, NotFound):
                raise exc from refused  # not a child of theirs: 404 as in the API
            text = problem_detail(request, session, exc)
            field = getattr(exc, "field", "") or "pupils"
            if field == "pupils" or isinstance(exc, (Conflict, Forbidden)):
                me = await load_me(conn, session.person_id, now)
                name = next((c.name for c in me.children if c.pupil_id == refused.pupil_id), "")
                field, text = "pupils", f"{name}: {text}" if name else text
            return await _page(
                request,
                conn,
                now,
                session,
                status=status_of(exc),
                form=form,
                errors={field if field in FIELDS else "pupils": text},
                error=t("form_has_errors"),
            )
        except msgspec.ValidationError:
            return await _page(
                request,
                conn,
                now,
                session,
                status=422,
                form=form,
                error=problem_detail(request, session, Invalid(Code.REQUEST_INVALID)),
            )
        return see_other("/web/absence?done=reported")

    @post("/{pupil_id:uuid}/reports/{report_id:uuid}/withdraw", status_code=303)
    async def withdraw(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        now: datetime,
        session: WebSession,
        form: dict[str, str],
        pupil_id: uuid.UUID,
        report_id: uuid.UUID,
    ) -> Response[Any]:
        access = await pupil_access(conn, session.person_id, pupil_id, now)
        try:
            await absence.withdraw_report(conn, access, session.person_id, report_id, now)
        except (Conflict, Forbidden) as exc:
            return await _page(
                request,
                conn,
                now,
                session,
                status=status_of(exc),
                error=problem_detail(request, session, exc),
            )
        return see_other("/web/absence?done=withdrawn")
