"""The audit log for the school's leaders: who read or changed what about which pupil,
filtered by who, what, pupil and dates, newest first, a page at a time. The same use
case as ``GET /api/v1/schools/{id}/audit-log``; a school the viewer does not lead is 404."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

import asyncpg
from litestar import Controller, Request, Response, get

from backend.audit_log import service as audit
from backend.audit_log.service import AuditFilter
from backend.web.pages import SIGNED_IN, locale_of, page
from backend.web.portal_texts import translator
from backend.web.signed_in import WebSession

PAGE_SIZE = 50
FILTERS = ("who", "what", "pupil", "from", "to")


class AuditPages(Controller):
    path = "/web/schools/{school_id:uuid}/audit-log"
    include_in_schema = False
    dependencies = SIGNED_IN

    @get("/")
    async def audit_page(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        now: datetime,
        session: WebSession,
        school_id: uuid.UUID,
    ) -> Response[Any]:
        choices = await audit.choices(conn, session.person_id, school_id, now)  # 404 for non-leaders
        t = translator(locale_of(request, session))
        typed = {k: request.query_params.get(k, "").strip() for k in FILTERS}
        errors: dict[str, str] = {}
        actor = None
        if typed["who"]:
            try:
                actor = uuid.UUID(typed["who"])
            except ValueError:
                errors["who"] = t("desk_bad_choice")
        days: dict[str, date | None] = {"from": None, "to": None}
        for name in ("from", "to"):
            if typed[name]:
                try:
                    days[name] = date.fromisoformat(typed[name])
                except ValueError:
                    errors[name] = t("desk_bad_date")
        if not errors and days["from"] and days["to"] and days["to"] < days["from"]:
            errors["to"] = t("desk_to_before_from")
        if typed["what"] and typed["what"] not in choices.actions:
            errors["what"] = t("desk_bad_choice")
        entries: list[Any] = []
        next_link = None
        if not errors:
            result = await audit.list_entries(
                conn,
                session.person_id,
                school_id,
                None,
                request.query_params.get("cursor") or None,
                PAGE_SIZE,
                now,
                AuditFilter(
                    actor_id=actor,
                    action=typed["what"] or None,
                    first_day=days["from"],
                    last_day=days["to"],
                    pupil_name=typed["pupil"][:100] or None,
                ),
            )
            entries = result.items
            if result.next_cursor:
                query = {k: v for k, v in typed.items() if v} | {"cursor": result.next_cursor}
                next_link = f"/web/schools/{school_id}/audit-log?{urlencode(query)}"

        def action_text(action: str) -> str:
            key = "desk_action_" + action.replace(".", "_")
            text = t(key)
            return action if text == key else text

        return page(
            request,
            session,
            "audit_log.html",
            status=422 if errors else 200,
            school_id=school_id,
            choices=choices,
            typed=typed,
            errors=errors,
            entries=entries,
            next_link=next_link,
            first_page=not request.query_params.get("cursor"),
            action_text=action_text,
            error=t("desk_form_has_problems") if errors else None,
        )
