"""Messaging and the inbox on the portal, for every role: a guardian writes to the
contact teacher, a teacher answers; the inbox lists what was pushed.

The same services as the API (``backend/messaging/service.py``,
``backend/inbox/service.py``): whom one may write to about a pupil, who sees a
thread, and what opening a missing-pupil alert means (``backend/flows/alert_opened.py``).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import asyncpg
import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter
from litestar.response import Template

from backend.access.policy import pupil_access
from backend.edge.problem_handlers import status_of
from backend.flows.alert_opened import open_notification
from backend.inbox import service as inbox
from backend.me.service import me as load_me
from backend.messaging import service as messaging
from backend.problems.errors import DomainError, Forbidden, Invalid, NotFound
from backend.web.family import family
from backend.web.pages import SIGNED_IN, locale_of, page, problem_detail, see_other
from backend.web.portal_texts import translator
from backend.web.signed_in import WebSession
from schemas.messaging import MessageCreate, RecipientKind, ThreadCreate

LIST_LIMIT = 50


def _language(request: Request[Any, Any, Any], session: WebSession) -> str:
    return locale_of(request, session)


def _recipient(value: str) -> dict[str, str] | None:
    """A checkbox's value: a kind, or ``staff:<id>``."""
    kind, _, ident = value.partition(":")
    if kind == RecipientKind.staff.value:
        try:
            return {"kind": kind, "id": str(uuid.UUID(ident))}
        except ValueError:
            return None
    if kind in {k.value for k in RecipientKind} and not ident:
        return {"kind": kind}
    return None


def _option_value(kind: str, ident: uuid.UUID | None) -> str:
    return f"{kind}:{ident}" if ident else kind


async def _threads_page(
    request: Request[Any, Any, Any],
    conn: asyncpg.Connection,
    now: datetime,
    session: WebSession,
    pupil: uuid.UUID | None,
    *,
    status: int = 200,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    error: str | None = None,
) -> Template:
    threads = await messaging.list_threads(conn, session.person_id, None, LIST_LIMIT, now)
    me = await load_me(conn, session.person_id, now)
    # Whom one may write about from here: the children (and a pupil of 18 themself);
    # staff start a thread from a pupil's page (``?pupil=``).
    about = [{"pupil_id": c.pupil_id, "name": c.name} for c in me.children]
    compose = None
    if pupil is not None:
        access = await pupil_access(conn, session.person_id, pupil, now)
        options = await messaging.recipients(
            conn, access, session.person_id, _language(request, session), now
        )
        compose = {
            "pupil_id": pupil,
            "pupil_name": access.pupil_name,
            "options": [
                {"value": _option_value(o.kind.value, o.id), "kind": o.kind.value, "name": o.name}
                for o in options
            ],
        }
    elif not about:
        own = [c for c in await family(conn, me, now) if c.is_self]
        about = [{"pupil_id": c.pupil_id, "name": c.name} for c in own]
    return page(
        request,
        session,
        "threads.html",
        status=status,
        error=error,
        threads=threads.items,
        about=about,
        compose=compose,
        form=form or {},
        errors=errors or {},
    )


class ThreadPages(Controller):
    path = "/web/threads"
    include_in_schema = False
    dependencies = SIGNED_IN

    @get("/")
    async def threads_page(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        now: datetime,
        session: WebSession,
        pupil: Annotated[str | None, Parameter(query="pupil")] = None,
    ) -> Response[Any]:
        pupil_id = None
        if pupil:
            try:
                pupil_id = uuid.UUID(pupil)
            except ValueError as exc:
                raise NotFound() from exc
        return await _threads_page(request, conn, now, session, pupil_id)

    @post("/", status_code=303)
    async def start(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        now: datetime,
        session: WebSession,
        form: dict[str, str],
    ) -> Response[Any]:
        t = translator(locale_of(request, session))
        try:
            pupil = uuid.UUID(form.get("pupil_id", ""))
        except ValueError as exc:
            raise NotFound() from exc
        recipients = [_recipient(k.removeprefix("to_")) for k, v in form.items() if k.startswith("to_") and v]
        errors: dict[str, str] = {}
        if not recipients or None in recipients:
            errors["recipients"] = t("threads_pick_recipient")
        subject, body = form.get("subject", "").strip(), form.get("body", "").strip()
        if not subject or len(subject) > 200:
            errors["subject"] = t("field_required") if not subject else t("field_too_long", n=200)
        if not body:
            errors["body"] = t("field_required")
        data = None
        if not errors:
            try:
                data = msgspec.convert(
                    {"pupil_id": str(pupil), "recipients": recipients, "subject": subject, "body": body},
                    ThreadCreate,
                )
            except msgspec.ValidationError as exc:
                field = "subject" if "subject" in str(exc) else "body"
                errors[field] = t("field_invalid")
        if errors or data is None:
            return await _threads_page(
                request,
                conn,
                now,
                session,
                pupil,
                status=422,
                form=form,
                errors=errors,
                error=t("form_has_errors"),
            )
        access = await pupil_access(conn, session.person_id, pupil, now)
        try:
            thread = await messaging.start_thread(
                conn, access, session.person_id, data, now, _language(request, session)
            )
        except (Invalid, Forbidden) as exc:
            return await _threads_page(
                request,
                conn,
                now,
                session,
                pupil,
                status=status_of(exc),
                form=form,
                errors={"recipients": problem_detail(request, session, exc)},
                error=problem_detail(request, session, exc),
            )
        return see_other(f"/web/threads/{thread.id}?done=sent")

    async def _thread(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        now: datetime,
        session: WebSession,
        thread_id: uuid.UUID,
        *,
        status: int = 200,
        form: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        error: str | None = None,
    ) -> Template:
        opened = await messaging.open_thread(conn, session.person_id, thread_id, now)
        thread = await messaging.get_thread(conn, opened, _language(request, session))
        # Reading the page is reading the thread, as opening it in the app.
        await messaging.mark_read(conn, opened, session.person_id, now)
        return page(
            request,
            session,
            "thread.html",
            status=status,
            error=error,
            thread=thread,
            may_write=not opened.access.read_only,
            form=form or {},
            errors=errors or {},
        )

    @get("/{thread_id:uuid}")
    async def thread_page(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        now: datetime,
        session: WebSession,
        thread_id: uuid.UUID,
    ) -> Response[Any]:
        return await self._thread(request, conn, now, session, thread_id)

    @post("/{thread_id:uuid}/messages", status_code=303)
    async def answer(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        now: datetime,
        session: WebSession,
        form: dict[str, str],
        thread_id: uuid.UUID,
    ) -> Response[Any]:
        t = translator(locale_of(request, session))
        opened = await messaging.open_thread(conn, session.person_id, thread_id, now)
        body = form.get("body", "").strip()
        try:
            data = msgspec.convert({"body": body}, MessageCreate)
        except msgspec.ValidationError:
            return await self._thread(
                request,
                conn,
                now,
                session,
                thread_id,
                status=422,
                form=form,
                errors={"body": t("field_required") if not body else t("field_invalid")},
                error=t("form_has_errors"),
            )
        try:
            await messaging.answer_thread(conn, opened, session.person_id, data.body, now)
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            return await self._thread(
                request,
                conn,
                now,
                session,
                thread_id,
                status=status_of(exc),
                form=form,
                error=problem_detail(request, session, exc),
            )
        return see_other(f"/web/threads/{thread_id}?done=sent#last")


def _target(kind: str, data: dict[str, Any]) -> str:
    """Where an inbox item leads on the portal."""
    if (data.get("case_id") and kind.startswith("missing_pupil")) or kind == "call_guardians":
        return f"/web/cases/{data['case_id']}"
    if data.get("thread_id"):
        return f"/web/threads/{data['thread_id']}"
    if kind.startswith("leave"):
        return "/web/leave"
    return "/web/inbox"


class InboxPages(Controller):
    path = "/web/inbox"
    include_in_schema = False
    dependencies = SIGNED_IN

    @get("/")
    async def inbox_page(
        self, request: Request[Any, Any, Any], conn: asyncpg.Connection, now: datetime, session: WebSession
    ) -> Response[Any]:
        items = await inbox.list_notifications(conn, session.person_id, None, LIST_LIMIT)
        return page(
            request,
            session,
            "inbox.html",
            items=[{"n": n, "target": _target(str(n.kind), n.data)} for n in items.items],
        )

    @post("/{notification_id:uuid}/open", status_code=303)
    async def open_item(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        now: datetime,
        session: WebSession,
        form: dict[str, str],
        notification_id: uuid.UUID,
    ) -> Response[Any]:
        # Marks it read; a missing-pupil alert's guardian is then reached (as in the app).
        await open_notification(conn, session.person_id, notification_id, now)
        items = await inbox.list_notifications(conn, session.person_id, None, LIST_LIMIT)
        item = next((n for n in items.items if n.id == notification_id), None)
        return see_other(_target(str(item.kind), item.data) if item else "/web/inbox")
