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
    kind: str  # time, number, decimal, text, tel, checkbox, lines (a name: hours map)
    low: float | None = None
    high: float | None = None
    group: str | None = None  # the API's nested object holding it (``follow_up``)

    @property
    def key(self) -> str:
        """The field's name in the API's body (inside ``group`` where there is one)."""
        return self.name.removeprefix(f"{self.group}_") if self.group else self.name


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
    (
        "desk_settings_follow_up",
        [
            Field("follow_up_days_share_percent", "number", 1, 100, "follow_up"),
            Field("follow_up_window_days", "number", 7, 120, "follow_up"),
            Field("follow_up_spells", "number", 2, 20, "follow_up"),
            Field("follow_up_same_weekday", "number", 2, 20, "follow_up"),
            Field("follow_up_same_weekday_window_days", "number", 7, 120, "follow_up"),
            Field("follow_up_unexplained_per_term", "number", 1, 50, "follow_up"),
        ],
    ),
    (
        "desk_settings_upper_secondary",
        [
            Field("absence_limit_percent", "decimal", 0.1, 50),
            Field("absence_warning_percent", "decimal", 0.1, 50),
            Field("absence_warnings_automatic", "checkbox"),
            Field("absence_annual_hours", "lines"),
        ],
    ),
]
FIELDS = [f for _, group in GROUPS for f in group]
BY_NAME = {f.name: f for f in FIELDS}
# What a typed value must look like before the API's limits are asked; the key is the
# portal text shown otherwise.
SHAPES = {
    "number": (re.compile(r"-?[0-9]{1,9}"), "desk_whole_number"),
    "decimal": (re.compile(r"-?[0-9]{1,4}([.,][0-9]{1,2})?"), "desk_decimal_number"),
}
ANNUAL_HOURS_LINE = re.compile(r"(?P<subject>[^:=]+?)\s*[:=]\s*(?P<hours>[0-9]{1,9})")


def _shown(f: Field, value: Any) -> str:
    if f.kind == "checkbox":
        return "on" if value else ""
    if f.kind == "lines":
        return "\n".join(f"{name}: {hours}" for name, hours in sorted(value.items()))
    if f.kind == "decimal":
        return f"{value:g}"
    return "" if value is None else str(value)


def _values(current: SchoolSettings) -> dict[str, str]:
    """The settings as the form shows them."""
    out: dict[str, str] = {}
    for f in FIELDS:
        if f.name in SEEK_ATTRS:
            out[f.name] = getattr(current.seek_policy, SEEK_ATTRS[f.name])
        else:
            holder = getattr(current, f.group) if f.group else current
            out[f.name] = _shown(f, getattr(holder, f.key))
    return out


def _value(f: Field, text: str) -> Any:
    """The typed text as the API's body carries it (its shape already checked)."""
    if f.kind == "number":
        return int(text)
    if f.kind == "decimal":
        return float(text.replace(",", "."))
    if f.kind == "checkbox":
        return text == "on"
    if f.kind == "lines":
        lines = (ANNUAL_HOURS_LINE.fullmatch(line.strip()) for line in text.splitlines() if line.strip())
        return {m["subject"]: int(m["hours"]) for m in lines if m}
    return text


def _shape_problem(f: Field, text: str) -> str | None:
    """The portal text for a value that is not even of the field's kind."""
    if f.kind in SHAPES:
        pattern, key = SHAPES[f.kind]
        return None if pattern.fullmatch(text) else key
    if f.kind == "lines" and any(
        not ANNUAL_HOURS_LINE.fullmatch(line.strip()) for line in text.splitlines() if line.strip()
    ):
        return "desk_annual_hours_lines"
    return None


def _put(body: dict[str, Any], f: Field, value: Any) -> None:
    if f.group:
        body.setdefault(f.group, {})[f.key] = value
    else:
        body[f.name] = value


def _alone(typed: dict[str, str], name: str) -> dict[str, Any]:
    """One form field as the API's body would carry it, to check it on its own (a seek
    moment beside two valid ones, so a problem is only ever this field's)."""
    if name in SEEK_KEYS:
        others = {v: "first_lesson" for k, v in SEEK_KEYS.items() if k != name}
        return {"seek_policy": {SEEK_KEYS[name]: typed[name], **others}}
    body: dict[str, Any] = {}
    _put(body, BY_NAME[name], _value(BY_NAME[name], typed[name]))
    return body


def _parsed(typed: dict[str, str], lang: str) -> tuple[SchoolSettingsUpdate | None, dict[str, str]]:
    """The update the form asks for, or the problem of each field that is wrong."""
    errors: dict[str, str] = {}
    for f in FIELDS:
        if f.name == "office_phone" and not typed[f.name]:
            continue
        if (shape := _shape_problem(f, typed[f.name])) is not None:
            errors[f.name] = translator(lang)(shape)
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
        _put(body, f, _value(f, typed[f.name]))
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
        typed = {f.name: form.get(f.name, "").strip() for f in FIELDS}  # an unticked box is absent
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
    return api_field.replace(".", "_")  # follow_up.spells → follow_up_spells


def _notice(text: str | None) -> dict[str, Any]:
    """A notice of our own, or the page's default (none, or a shared ``?done=`` one)."""
    return {"notice": text} if text else {}
