"""Notification settings on the portal: push preferences, quiet hours, Web Push on this browser.

The same services as ``/api/v1/me/notification-preferences`` and
``/api/v1/me/devices``. Preferences are a plain form (no JavaScript);
"notify me in this browser" needs the browser's Push API, so its button is
shown by ``static/webpush.js``, which registers ``/web/sw.js`` and posts the
subscription here with the session's CSRF token.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg
import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.response import Template

from backend.inbox import service as inbox
from backend.problems.codes import Code
from backend.problems.errors import Invalid
from backend.web.pages import HERE, SIGNED_IN, locale_of, page, problem_detail, see_other
from backend.web.portal_texts import translator
from backend.web.signed_in import WebSession
from i18n import locales
from notifications.webpush import web_push
from schemas.common import TimeOfDay
from schemas.notifications import DeviceRegister, NotificationPreferences

SWITCHES = ("messages", "grades", "absence", "reminders")
PATH = "/web/settings/notifications"
SERVICE_WORKER = HERE / "static" / "sw.js"
NOTICES = {"saved": "settings_saved", "removed": "settings_browser_removed"}


def _form_of(prefs: NotificationPreferences) -> dict[str, str]:
    """The saved preferences as the form shows them."""
    form = {f"push_{k}": "on" for k in SWITCHES if getattr(prefs.push, k)}
    if prefs.quiet_hours is not None:
        form["quiet_start"], form["quiet_end"] = prefs.quiet_hours.start, prefs.quiet_hours.end
    form["locale"] = prefs.locale
    return form


def _read(form: dict[str, str]) -> tuple[NotificationPreferences | None, dict[str, str]]:
    """The posted preferences, or the portal text keys of what is wrong, by field."""
    errors: dict[str, str] = {}
    start, end = form.get("quiet_start", "").strip(), form.get("quiet_end", "").strip()
    for name, value in (("quiet_start", start), ("quiet_end", end)):
        if value:
            try:
                msgspec.convert(value, TimeOfDay)
            except msgspec.ValidationError:
                errors[name] = "settings_time_invalid"
    if bool(start) != bool(end):
        errors["quiet_end" if start else "quiet_start"] = "settings_quiet_both"
    if form.get("locale") not in locales():
        errors["locale"] = "settings_locale_invalid"
    if errors:
        return None, errors
    data = {
        "push": {k: form.get(f"push_{k}") == "on" for k in SWITCHES},
        "quiet_hours": {"start": start, "end": end} if start else None,
        "locale": form["locale"],
    }
    return msgspec.convert(data, NotificationPreferences), {}


class NotificationPages(Controller):
    path = "/web"
    include_in_schema = False
    dependencies = SIGNED_IN

    async def _page(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        session: WebSession,
        *,
        form: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Template:
        if form is None:
            form = _form_of(await inbox.get_preferences(conn, session.person_id))
        t = translator(locale_of(request, session))
        done = request.query_params.get("done")
        key = web_push().key
        return page(
            request,
            session,
            "settings_notifications.html",
            status=status,
            form=form,
            errors=errors or {},
            error=t("settings_fix_fields") if errors else None,
            notice=t(NOTICES[done]) if done in NOTICES else None,
            switches=SWITCHES,
            browsers=await inbox.list_browsers(conn, session.person_id),
            public_key=key.public_key if key else "",
        )

    @get("/settings/notifications")
    async def settings_page(
        self, request: Request[Any, Any, Any], conn: asyncpg.Connection, session: WebSession
    ) -> Response[Any]:
        return await self._page(request, conn, session)

    @post("/settings/notifications", status_code=303)
    async def save(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        session: WebSession,
        form: dict[str, str],
    ) -> Response[Any]:
        prefs, errors = _read(form)
        t = translator(locale_of(request, session))
        if prefs is None:
            shown = {field: t(key) for field, key in errors.items()}
            return await self._page(request, conn, session, form=form, errors=shown, status=422)
        try:
            await inbox.save_preferences(conn, session.person_id, prefs)
        except Invalid as exc:  # quiet hours that start and end at the same time
            shown = {"quiet_end": problem_detail(request, session, exc)}
            return await self._page(request, conn, session, form=form, errors=shown, status=422)
        return see_other(f"{PATH}?done=saved")

    @post("/settings/notifications/browser", status_code=201)
    async def register_browser(
        self,
        conn: asyncpg.Connection,
        now: datetime,
        session: WebSession,
        form: dict[str, str],
    ) -> Response[dict[str, str]]:
        """What ``webpush.js`` posts: this browser's subscription, for the signed-in person."""
        try:
            data = msgspec.convert(
                {
                    "platform": "webpush",
                    "subscription": {
                        "endpoint": form.get("endpoint", ""),
                        "keys": {"p256dh": form.get("p256dh", ""), "auth": form.get("auth", "")},
                    },
                    "locale": session.locale if session.locale in locales() else None,
                },
                DeviceRegister,
            )
        except msgspec.ValidationError as exc:
            raise Invalid(Code.DEVICES_KEYS_INVALID, field="subscription") from exc
        device, created = await inbox.register_browser(conn, session.person_id, data, now)
        return Response({"id": str(device.id)}, status_code=201 if created else 200)

    @post("/settings/notifications/browsers/{device_id:uuid}/delete", status_code=303)
    async def remove_browser(
        self,
        conn: asyncpg.Connection,
        session: WebSession,
        form: dict[str, str],
        device_id: uuid.UUID,
    ) -> Response[Any]:
        # Someone else's device is 404, as in DELETE /api/v1/me/devices/{id}.
        await inbox.unregister_device(conn, session.person_id, device_id)
        return see_other(f"{PATH}?done=removed")

    @get("/sw.js", cache_control=None)
    async def service_worker(self) -> Response[bytes]:
        """The service worker, served from /web/ so its scope is the whole portal."""
        return Response(
            _service_worker_source(),
            media_type="text/javascript; charset=utf-8",
            headers={"Service-Worker-Allowed": "/web/", "Cache-Control": "no-cache"},
        )


def _service_worker_source(path: Path = SERVICE_WORKER) -> bytes:
    return path.read_bytes()
