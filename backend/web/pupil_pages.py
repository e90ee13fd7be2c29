"""The pupil page: absence and grades for everyone who may see the pupil; for staff
also the reports, leave and guardians, with the school's access decisions that the
school's leaders change (api.md: Guardians of a pupil). The same use cases as the API,
access decided there: a pupil the viewer may not see is 404, staff reads are audited."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import asyncpg
import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.response import Template

from backend.absence import service as absence
from backend.absence.summary import absence_summary
from backend.absence.warnings import warnings_view
from backend.access.guardian_admin import READERS, guardians_access
from backend.access.policy import pupil_access
from backend.assessments import service as assessments
from backend.edge.problem_handlers import status_of
from backend.follow_up.service import pupil_follow_ups
from backend.guardians import service as guardians
from backend.leave import service as leave
from backend.problems.errors import Forbidden, Invalid
from backend.problems.field_texts import field_message
from backend.web.pages import SIGNED_IN, locale_of, page, problem_detail, see_other
from backend.web.portal_texts import translator
from backend.web.signed_in import WebSession
from schemas.guardians import GuardianAccess, GuardianAccessUpdate, GuardianList

ACCESS_CHOICES = tuple(a.value for a in GuardianAccess)
NOTICES = {"guardian_set": "desk_guardian_set", "guardian_lifted": "desk_guardian_lifted"}


async def _pupil_page(
    request: Request[Any, Any, Any],
    conn: asyncpg.Connection,
    now: datetime,
    session: WebSession,
    pupil_id: uuid.UUID,
    *,
    status: int = 200,
    guardian_form: dict[str, str] | None = None,
    guardian_error: dict[str, str] | None = None,
) -> Template:
    access = await pupil_access(conn, session.person_id, pupil_id, now)
    summary = await absence_summary(conn, access, session.person_id, None, now)
    grades = await assessments.list_for_pupil(conn, access, session.person_id, None, now)
    reports: list[Any] = []
    requests: list[Any] = []
    guardian_list: GuardianList | None = None
    if access.is_staff:
        reports = (
            await absence.list_reports(conn, access, session.person_id, None, None, None, 50, now)
        ).items
        if access.sees_class_matters:
            requests = (
                await leave.list_requests(conn, session.person_id, None, None, 50, now, pupil_id=pupil_id)
            ).items
        if access.relation in READERS:
            guardian_list = await guardians.list_guardians(conn, session.person_id, pupil_id, now)
    context: dict[str, Any] = {
        "absence_warnings": await warnings_view(conn, access, session.person_id, now),
        "follow_ups": await pupil_follow_ups(conn, access, session.person_id, now),
    }
    if (notice := NOTICES.get(request.query_params.get("done") or "")) is not None:
        context["notice"] = translator(locale_of(request, session))(notice)
    return page(
        request,
        session,
        "pupil.html",
        status=status,
        pupil=access,
        summary=summary,
        grades=grades,
        reports=reports,
        requests=requests,
        guardians=guardian_list,
        may_change=access.relation == "school_leader",
        access_choices=ACCESS_CHOICES,
        guardian_form=guardian_form or {},
        guardian_error=guardian_error or {},
        hhmm=lambda v: v.strftime("%H:%M") if v else "",
        **context,
    )


class PupilPages(Controller):
    path = "/web/pupils/{pupil_id:uuid}"
    include_in_schema = False
    dependencies = SIGNED_IN

    @get("/")
    async def pupil_page(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        now: datetime,
        session: WebSession,
        pupil_id: uuid.UUID,
    ) -> Response[Any]:
        return await _pupil_page(request, conn, now, session, pupil_id)

    @post("/guardians/{guardian_id:uuid}", status_code=303)
    async def set_access(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        now: datetime,
        session: WebSession,
        form: dict[str, str],
        pupil_id: uuid.UUID,
        guardian_id: uuid.UUID,
    ) -> Response[Any]:
        # Someone who may not change (or see) the pupil's guardians learns nothing
        # from a form's validation: the access check comes first.
        await guardians_access(conn, session.person_id, pupil_id, now, change=True)
        typed = {
            "guardian_id": str(guardian_id),
            "access": form.get("access", ""),
            "reason": form.get("reason", "").strip(),
        }
        try:
            data = msgspec.convert(
                {"access": typed["access"], "reason": typed["reason"]}, GuardianAccessUpdate
            )
        except msgspec.ValidationError as exc:
            field = "access" if "$.access" in str(exc) else "reason"
            message = field_message(str(exc).split(" - at ")[0], locale_of(request, session))
            return await _pupil_page(
                request,
                conn,
                now,
                session,
                pupil_id,
                status=422,
                guardian_form=typed,
                guardian_error={"field": field, "message": message},
            )
        try:
            await guardians.set_access(conn, session.person_id, pupil_id, guardian_id, data, now)
        except (Invalid, Forbidden) as exc:
            return await _pupil_page(
                request,
                conn,
                now,
                session,
                pupil_id,
                status=status_of(exc),
                guardian_form=typed,
                guardian_error={"field": "access", "message": problem_detail(request, session, exc)},
            )
        return see_other(f"/web/pupils/{pupil_id}?done=guardian_set#guardian-{guardian_id}")

    @post("/guardians/{guardian_id:uuid}/lift", status_code=303)
    async def lift_access(
        self,
        conn: asyncpg.Connection,
        now: datetime,
        session: WebSession,
        form: dict[str, str],
        pupil_id: uuid.UUID,
        guardian_id: uuid.UUID,
    ) -> Response[Any]:
        await guardians.lift_access(conn, session.person_id, pupil_id, guardian_id, now)
        return see_other(f"/web/pupils/{pupil_id}?done=guardian_lifted#guardian-{guardian_id}")
