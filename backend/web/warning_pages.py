"""Upper-secondary absence on the portal: sending a written warning from the pupil page
(the form in templates/pupil_warnings.html) and the documented-absence page
(`/web/pupils/{pupil_id}/absence-documentation`). The same services and access policy
as the API: a pupil not the viewer's is 404, the pupil and guardians 403."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

import asyncpg
import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from backend.absence import documentation, warnings
from backend.access.policy import PupilAccess, pupil_access
from backend.edge.problem_handlers import status_of
from backend.problems.codes import Code
from backend.problems.errors import Conflict, Invalid
from backend.web.pages import SIGNED_IN, page, problem_detail, see_other
from backend.web.signed_in import WebSession
from schemas.absence_warnings import AbsenceDocumentationCreate, DocumentationKind

FIELDS = ("kind", "first_day", "last_day", "from_time", "to_time")


class WarningPages(Controller):
    path = "/web/pupils/{pupil_id:uuid}/absence-warnings"
    dependencies = SIGNED_IN
    include_in_schema = False

    @post("/{warning_id:uuid}/send", status_code=303)
    async def send(
        self,
        conn: asyncpg.Connection,
        now: datetime,
        session: WebSession,
        form: dict[str, str],
        pupil_id: uuid.UUID,
        warning_id: uuid.UUID,
    ) -> Redirect:
        access = await pupil_access(conn, session.person_id, pupil_id, now)
        await warnings.send_warning(conn, access, session.person_id, warning_id, now)
        return see_other(f"/web/pupils/{pupil_id}#warning-{warning_id}")


async def _documentation_page(
    request: Request[Any, Any, Any],
    conn: asyncpg.Connection,
    now: datetime,
    session: WebSession,
    access: PupilAccess,
    *,
    status: int = 200,
    error: str | None = None,
    field: str | None = None,
    form: dict[str, str] | None = None,
) -> Template:
    listed = await documentation.list_documentation(conn, access, session.person_id, now)
    return page(
        request,
        session,
        "absence_documentation.html",
        status=status,
        # A field's problem is shown by the field; one without a field at the top.
        error=None if field else error,
        field=field,
        field_message=error if field else None,
        pupil_id=access.pupil_id,
        pupil_name=access.pupil_name,
        class_name=access.class_name,
        can_record=documentation.may_record(access),
        kinds=[k.value for k in DocumentationKind],
        records=listed.items,
        form={f: (form or {}).get(f, "") for f in FIELDS},
    )


def _field_of(message: str) -> str:
    """The form field msgspec names in a validation error (`... - at `$.first_day``)."""
    match = re.search(r"\$\.(\w+)", message)
    return match.group(1) if match and match.group(1) in FIELDS else ""


class DocumentationPages(Controller):
    path = "/web/pupils/{pupil_id:uuid}/absence-documentation"
    dependencies = SIGNED_IN
    include_in_schema = False

    @get("/")
    async def documentation_page(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        now: datetime,
        session: WebSession,
        pupil_id: uuid.UUID,
    ) -> Response[Any]:
        access = await pupil_access(conn, session.person_id, pupil_id, now)
        return await _documentation_page(request, conn, now, session, access)

    @post("/", status_code=303)
    async def record(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        now: datetime,
        session: WebSession,
        form: dict[str, str],
        pupil_id: uuid.UUID,
    ) -> Response[Any]:
        access = await pupil_access(conn, session.person_id, pupil_id, now)
        body = {f: v for f in FIELDS if (v := form.get(f, "").strip())}
        try:
            data = msgspec.convert(body, AbsenceDocumentationCreate)
        except msgspec.ValidationError as exc:
            bad = _field_of(str(exc)) or next((f for f in ("kind", "first_day") if f not in body), "")
            invalid = Invalid(Code.REQUEST_INVALID, field=bad)
            return await _documentation_page(
                request,
                conn,
                now,
                session,
                access,
                status=422,
                error=problem_detail(request, session, invalid),
                field=bad,
                form=form,
            )
        try:
            await documentation.record_documentation(conn, access, session.person_id, data, now)
        except (Invalid, Conflict) as exc:
            return await _documentation_page(
                request,
                conn,
                now,
                session,
                access,
                status=status_of(exc),
                error=problem_detail(request, session, exc),
                field=getattr(exc, "field", None),
                form=form,
            )
        return see_other(f"/web/pupils/{pupil_id}/absence-documentation")

    @post("/{documentation_id:uuid}/delete", status_code=303)
    async def remove(
        self,
        conn: asyncpg.Connection,
        now: datetime,
        session: WebSession,
        form: dict[str, str],
        pupil_id: uuid.UUID,
        documentation_id: uuid.UUID,
    ) -> Redirect:
        access = await pupil_access(conn, session.person_id, pupil_id, now)
        await documentation.remove_documentation(conn, access, session.person_id, documentation_id, now)
        return see_other(f"/web/pupils/{pupil_id}/absence-documentation")


__all__ = ["DocumentationPages", "WarningPages"]
