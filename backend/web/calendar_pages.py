"""The school's calendar (school leaders): its own closed days, added one day or a
range at a time and removed, and an iCalendar import that first shows what it would
add. The same use cases as the API's closed days and ``skolebro calendar import``."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

import asyncpg
import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.response import Template

from backend.problems.errors import Conflict, Forbidden, Invalid
from backend.schools import service as schools
from backend.web.pages import SIGNED_IN, locale_of, page, problem_detail, see_other
from backend.web.portal_texts import translator
from backend.web.signed_in import WebSession
from schemas.schools import CalendarPreview, ClosedDayCreate

NOTICES = {"added": "desk_days_added", "removed": "desk_day_removed", "imported": "desk_calendar_imported"}
LISTED = 200


async def _calendar_page(
    request: Request[Any, Any, Any],
    conn: asyncpg.Connection,
    now: datetime,
    session: WebSession,
    school_id: uuid.UUID,
    *,
    status: int = 200,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    preview: CalendarPreview | None = None,
    calendar_text: str = "",
) -> Template:
    # From a year back: the days that matter now come first, not those of years ago.
    since = (now - timedelta(days=365)).date()
    days = await schools.list_closed_days(conn, session.person_id, school_id, since, None, None, LISTED, now)
    context: dict[str, Any] = {}
    if (notice := NOTICES.get(request.query_params.get("done") or "")) is not None:
        count = request.query_params.get("n", "")
        context["notice"] = translator(locale_of(request, session))(notice, n=count)
    return page(
        request,
        session,
        "school_calendar.html",
        status=status,
        school_id=school_id,
        days=days.items,
        more=days.next_cursor is not None,
        form=form or {},
        errors=errors or {},
        preview=preview,
        calendar_text=calendar_text,
        **context,
    )


async def _calendar_text(request: Request[Any, Any, Any], form: dict[str, str]) -> str:
    """The uploaded .ics file, else the pasted text."""
    upload = (await request.form()).get("file")
    if isinstance(upload, UploadFile):
        raw = await upload.read()
        if raw:
            try:
                return raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                return raw.decode("latin-1")
    return form.get("calendar", "")


class CalendarPages(Controller):
    path = "/web/schools/{school_id:uuid}/calendar"
    include_in_schema = False
    dependencies = SIGNED_IN

    @get("/")
    async def calendar_page(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        now: datetime,
        session: WebSession,
        school_id: uuid.UUID,
    ) -> Response[Any]:
        await schools.get_settings(conn, session.person_id, school_id, now)  # leaders only
        return await _calendar_page(request, conn, now, session, school_id)

    @post("/days", status_code=303)
    async def add_days(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        now: datetime,
        session: WebSession,
        form: dict[str, str],
        school_id: uuid.UUID,
    ) -> Response[Any]:
        await schools.get_settings(conn, session.person_id, school_id, now)
        typed = {k: form.get(k, "").strip() for k in ("first_day", "last_day", "label")}
        errors: dict[str, str] = {}
        lang = locale_of(request, session)
        t = translator(lang)
        for name in ("first_day", "last_day"):
            if typed[name] or name == "first_day":
                try:
                    date.fromisoformat(typed[name])
                except ValueError:
                    errors[name] = t("desk_bad_date")
        if not typed["label"]:
            errors["label"] = t("desk_label_missing")
        elif len(typed["label"]) > 200:
            errors["label"] = t("desk_label_too_long")
        if errors:
            return await _calendar_page(
                request, conn, now, session, school_id, status=422, form=typed, errors=errors
            )
        body: dict[str, str] = {"label": typed["label"]}
        if typed["last_day"]:
            body |= {"first_day": typed["first_day"], "last_day": typed["last_day"]}
        else:
            body["date"] = typed["first_day"]
        data = msgspec.convert(body, ClosedDayCreate)
        try:
            added = await schools.add_closed_day(conn, session.person_id, school_id, data, now)
        except (Invalid, Conflict, Forbidden) as exc:
            field = "last_day" if typed["last_day"] and isinstance(exc, Invalid) else "first_day"
            return await _calendar_page(
                request,
                conn,
                now,
                session,
                school_id,
                status=422 if isinstance(exc, Invalid) else 409 if isinstance(exc, Conflict) else 403,
                form=typed,
                errors={field: problem_detail(request, session, exc)},
            )
        count = len(added.items) if hasattr(added, "items") else 1
        return see_other(f"/web/schools/{school_id}/calendar?done=added&n={count}")

    @post("/days/{day:date}/remove", status_code=303)
    async def remove_day(
        self,
        conn: asyncpg.Connection,
        now: datetime,
        session: WebSession,
        form: dict[str, str],
        school_id: uuid.UUID,
        day: date,
    ) -> Response[Any]:
        await schools.get_settings(conn, session.person_id, school_id, now)  # 404 for all but leaders
        await schools.remove_closed_day(conn, session.person_id, school_id, day, now)
        return see_other(f"/web/schools/{school_id}/calendar?done=removed")

    @post("/import", status_code=200)
    async def preview(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        now: datetime,
        session: WebSession,
        form: dict[str, str],
        school_id: uuid.UUID,
    ) -> Response[Any]:
        """Step one: what the calendar would add; nothing is written."""
        await schools.get_settings(conn, session.person_id, school_id, now)
        text = await _calendar_text(request, form)
        try:
            preview = await schools.preview_calendar(conn, session.person_id, school_id, text, now)
        except Invalid as exc:
            return await _calendar_page(
                request,
                conn,
                now,
                session,
                school_id,
                status=422,
                form={"calendar": form.get("calendar", "")},
                errors={"calendar": problem_detail(request, session, exc)},
            )
        return await _calendar_page(
            request, conn, now, session, school_id, preview=preview, calendar_text=text
        )

    @post("/import/confirm", status_code=303)
    async def confirm(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        now: datetime,
        session: WebSession,
        form: dict[str, str],
        school_id: uuid.UUID,
    ) -> Response[Any]:
        """Step two: the leader saw the preview; the same text is read again and added."""
        await schools.get_settings(conn, session.person_id, school_id, now)
        try:
            added = await schools.import_calendar(
                conn, session.person_id, school_id, form.get("calendar", ""), now
            )
        except Invalid as exc:
            return await _calendar_page(
                request,
                conn,
                now,
                session,
                school_id,
                status=422,
                errors={"calendar": problem_detail(request, session, exc)},
            )
        return see_other(f"/web/schools/{school_id}/calendar?done=imported&n={len(added)}")
