"""The school's settings as one form (school leaders): every setting with its limits,
the problem's text by the field on a bad value, nothing changed then. The same use
case as ``PUT /api/v1/schools/{id}/settings``; a school the viewer does not lead is 404."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.response import Template

from backend.problems.errors import Invalid
from backend.problems.field_texts import field_message
from backend.schools import service as schools
from backend.web.pages import SIGNED_IN, locale_of, page, problem_detail, see_other
from backend.web.portal_texts import translator
from backend.web.signed_in import WebSession
from schemas.schools import SchoolSettings, SchoolSettingsUpdate

SEEK_KEYS = {"seek_1_7": "1-7", "seek_8_10": "8-10", "seek_11_13": "11-13"}
SEEK_ATTRS = {"seek_1_7": "grades_1_7", "seek_8_10": "grades_8_10", "seek_11_13": "grades_11_13"}


@dataclass(frozen=True, slots=True)
class Field:
    name: str  # the form field; the API's field but for the seek policy's three
    kind: str  # the input's type: time, number, text, tel
    low: int | None = None
    high: int | None = None


GROUPS: list[tuple[str, list[Field]]] = [
    (
        "desk_settings_day",
        [
            Field("report_deadline", "time"),
            Field("still_sick_at", "time"),
            Field("first_lesson_start", "time"),
            Field("first_lesson_end", "time"),
            Field("first_recess_start", "time"),
            Field("check_reminder_at", "time"),
        ],
    ),
    (
        "desk_settings_seeking",
        [
            Field("seek_1_7", "text"),
            Field("seek_8_10", "text"),
            Field("seek_11_13", "text"),
            Field("sms_after_minutes", "number", 1, 60),
            Field("call_after_minutes", "number", 1, 60),
            Field("escalate_after_minutes", "number", 30, 45),
            Field("office_phone", "tel"),
        ],
    ),
    (
        "desk_settings_other",
        [
            Field("leave_teacher_max_days", "number", 0, 60),
            Field("note_retention_days", "number", 1, 3650),
            Field("timezone", "text"),
            Field("roster_sync_at", "time"),
            Field("feide_realm", "text"),
        ],
    ),
]
FIELDS = [f for _, group in GROUPS for f in group]
NUMBERS = {f.name for f in FIELDS if f.kind == "number"}


def _values(current: SchoolSettings) -> dict[str, str]:
    """The settings as the form shows them."""
    out: dict[str, str] = {}
    for f in FIELDS:
        if f.name in SEEK_ATTRS:
            out[f.name] = getattr(current.seek_policy, SEEK_ATTRS[f.name])
        else:
            value = getattr(current, f.name)
            out[f.name] = "" if value is None else str(value)
    return out


def _alone(typed: dict[str, str], name: str) -> dict[str, Any]:
    """One form field as the API's body would carry it, to check it on its own (a seek
    moment beside two valid ones, so a problem is only ever this field's)."""
    if name in SEEK_KEYS:
        others = {v: "first_lesson" for k, v in SEEK_KEYS.items() if k != name}
        return {"seek_policy": {SEEK_KEYS[name]: typed[name], **others}}
    return {name: int(typed[name]) if name in NUMBERS else typed[name]}


def _parsed(typed: dict[str, str], lang: str) -> tuple[SchoolSettingsUpdate | None, dict[str, str]]:
    """The update the form asks for, or the problem of each field that is wrong."""
    errors: dict[str, str] = {}
    for f in FIELDS:
        if f.name == "office_phone" and not typed[f.name]:
            continue
        if f.name in NUMBERS and not re.fullmatch(r"-?[0-9]{1,9}", typed[f.name]):
            errors[f.name] = translator(lang)("desk_whole_number")
            continue
        try:
            msgspec.convert(_alone(typed, f.name), SchoolSettingsUpdate)
        except msgspec.ValidationError as exc:
            errors[f.name] = field_message(str(exc).split(" - at ")[0], lang)
    if errors:
        return None, errors
    body: dict[str, Any] = {"seek_policy": {SEEK_KEYS[k]: typed[k] for k in SEEK_KEYS}}
    for f in FIELDS:
        if f.name in SEEK_KEYS or (f.name == "office_phone" and not typed[f.name]):
            # An empty phone number stays as it is (the API cannot clear it either).
            continue
        body[f.name] = int(typed[f.name]) if f.name in NUMBERS else typed[f.name]
    return msgspec.convert(body, SchoolSettingsUpdate), {}


class SchoolSettingsPages(Controller):
    path = "/web/schools/{school_id:uuid}/settings"
    include_in_schema = False
    dependencies = SIGNED_IN

    async def _render(
        self,
        request: Request[Any, Any, Any],
        session: WebSession,
        school_id: uuid.UUID,
        values: dict[str, str],
        *,
        status: int = 200,
        errors: dict[str, str] | None = None,
        error: str | None = None,
        notice: str | None = None,
    ) -> Template:
        return page(
            request,
            session,
            "school_settings.html",
            status=status,
            school_id=school_id,
            groups=GROUPS,
            values=values,
            errors=errors or {},
            error=error,
            **_notice(notice),
        )

    @get("/")
    async def settings_page(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        now: datetime,
        session: WebSession,
        school_id: uuid.UUID,
    ) -> Response[Any]:
        current = await schools.get_settings(conn, session.person_id, school_id, now)
        notice = None
        if request.query_params.get("done") == "saved":
            notice = translator(locale_of(request, session))("desk_settings_saved")
        return await self._render(request, session, school_id, _values(current), notice=notice)

    @post("/", status_code=303)
    async def save(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        now: datetime,
        session: WebSession,
        form: dict[str, str],
        school_id: uuid.UUID,
    ) -> Response[Any]:
        # A school the viewer does not lead is 404 before anything typed is looked at.
        await schools.get_settings(conn, session.person_id, school_id, now)
        lang = locale_of(request, session)
        typed = {f.name: form.get(f.name, "").strip() for f in FIELDS}
        data, errors = _parsed(typed, lang)
        summary = translator(lang)("desk_form_has_problems")
        if data is None:
            return await self._render(
                request, session, school_id, typed, status=422, errors=errors, error=summary
            )
        try:
            await schools.put_settings(conn, session.person_id, school_id, data, now)
        except Invalid as exc:
            text = problem_detail(request, session, exc)
            named = [e.field for e in exc.errors or []] or [str(exc.params.get("field", "timezone"))]
            errors = {_form_field(n): text for n in named}
            return await self._render(
                request, session, school_id, typed, status=422, errors=errors, error=summary
            )
        return see_other(f"/web/schools/{school_id}/settings?done=saved")


def _form_field(api_field: str) -> str:
    """The form field a service's problem names (``seek_policy.1-7`` → ``seek_1_7``)."""
    for name, key in SEEK_KEYS.items():
        if api_field.endswith(key):
            return name
    return api_field


def _notice(text: str | None) -> dict[str, Any]:
    """A notice of our own, or the page's default (none, or a shared ``?done=`` one)."""
    return {"notice": text} if text else {}
