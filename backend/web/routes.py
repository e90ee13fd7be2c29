"""The web portal's pages (api.md: Web pages). HTTP only; the rules live in the services.

Every page needs a session except sign-in; every form is POST with a CSRF
token; everything user-written goes through Jinja's autoescape.
"""

from __future__ import annotations

import logging
import uuid
from datetime import date, datetime
from typing import Annotated, Any

import asyncpg
import msgspec
from litestar import Controller, Request, Response, Router, get, post
from litestar.exceptions import HTTPException
from litestar.params import Parameter
from litestar.response import Redirect, Template
from litestar.static_files import create_static_files_router

from backend import flows
from backend.auth.identity import stored_subject
from backend.auth.policy import pupil_access
from backend.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from backend.leave import service as leave
from backend.me.service import me as load_me
from backend.roster.demo import DEMO_USERS
from backend.runtime import Runtime
from backend.schools.localtime import local_now
from backend.texts import problem_text
from backend.web import board as boards
from backend.web import oidc
from backend.web import queries as q
from backend.web.board import MARKS
from backend.web.i18n import (
    LANG_COOKIE,
    LOCALE_NAMES,
    pick_locale,
    translator,
)
from backend.web.pages import (
    HERE,
    SECURITY_HEADERS,
    form_of,
    locale_of,
    page,
    problem_detail,
    see_other,
)
from backend.web.session import (
    CSRF_FIELD,
    LOGIN_CSRF_COOKIE,
    OIDC_STATE_COOKIE,
    SESSION_COOKIE,
    LoginRequired,
    WebSession,
    check_csrf,
    cookie,
    end_session,
    expired_cookie,
    load_session,
    login_csrf,
    require_session,
    start_session,
)
from schemas.common import Access, Role
from schemas.leave import LeaveDecisionCreate, LeaveRequestCreate

log = logging.getLogger("skolebro.web")


def _parse_day(text: str | None) -> date:
    try:
        return date.fromisoformat(text or "")
    except ValueError as exc:
        raise Invalid("request.invalid") from exc


class WebController(Controller):
    path = "/web"
    include_in_schema = False

    # --- sign-in ----------------------------------------------------------

    @get("/login")
    async def login_page(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        rt: Runtime,
        next: str | None = None,
    ) -> Response[Any]:
        if await load_session(conn, rt, request) is not None:
            return see_other(oidc.safe_next(next))
        return await self._login_page(request, conn, rt, next)

    async def _login_page(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        rt: Runtime,
        next_path: str | None,
        *,
        status: int = 200,
        error: str | None = None,
    ) -> Template:
        token, new = login_csrf(request)
        dev_users = []
        if rt.settings.dev_routes:
            dev_users = [dict(r) for r in await conn.fetch(q.DEV_USERS, list(DEMO_USERS))]
        t = translator(locale_of(request, None))
        notice = t("logged_out") if request.query_params.get("out") else None
        return page(
            request,
            rt,
            None,
            "login.html",
            status=status,
            cookies=[cookie(rt, LOGIN_CSRF_COOKIE, token, 3600)] if new else [],
            providers=rt.settings.web_oidc,
            dev_users=dev_users,
            login_csrf=token,
            next_path=oidc.safe_next(next_path),
            error=t(error) if error else None,
            notice=notice,
        )

    @post("/login", status_code=303)
    async def dev_login(
        self, request: Request[Any, Any, Any], conn: asyncpg.Connection, rt: Runtime
    ) -> Response[Any]:
        """Dev/test: sign in as a demo user. Production signs in through OIDC only."""
        if not rt.settings.dev_routes:
            raise NotFound()
        form = await form_of(request)
        check_csrf(request.cookies.get(LOGIN_CSRF_COOKIE), form.get(CSRF_FIELD))
        person_id = await conn.fetchval(q.PERSON_BY_USERNAME, form.get("username", ""))
        if person_id is None:
            return await self._login_page(
                request, conn, rt, form.get("next"), status=401, error="login_unknown"
            )
        await end_session(conn, request)
        session_cookie = await start_session(conn, rt, person_id)
        log.info("web dev sign-in as %s", form.get("username"))
        return see_other(oidc.safe_next(form.get("next")), [session_cookie])

    @get("/login/start/{provider:str}")
    async def oidc_start(
        self, conn: asyncpg.Connection, rt: Runtime, provider: str, next: str | None = None
    ) -> Response[Any]:
        client = oidc.provider(rt, provider)
        if client is None:
            raise NotFound()
        started = await oidc.begin(conn, rt, client, next)
        return see_other(started.redirect_to, [cookie(rt, OIDC_STATE_COOKIE, started.state, 600)])

    @get("/login/callback")
    async def oidc_callback(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        rt: Runtime,
        code: str | None = None,
        oidc_state: Annotated[str | None, Parameter(query="state")] = None,
        error: str | None = None,
    ) -> Response[Any]:
        state = oidc_state
        if error or not code or not state:
            log.info("web sign-in came back without a code (%s)", error or "no code")
            return await self._login_page(request, conn, rt, None, status=400, error="login_failed")
        # Only the browser that started the sign-in may finish it (no login CSRF).
        try:
            check_csrf(request.cookies.get(OIDC_STATE_COOKIE), state)
        except Forbidden:
            return await self._login_page(request, conn, rt, None, status=403, error="login_failed")
        try:
            finished = await oidc.finish(conn, rt, state, code)
        except oidc.LoginFailed as exc:
            log.warning("web sign-in failed: %s", exc)
            return await self._login_page(request, conn, rt, None, status=400, error="login_failed")
        person_id = await conn.fetchval(
            q.PERSON_BY_IDENTITY,
            finished.provider,
            stored_subject(finished.provider, finished.subject, rt.settings.pepper),
        )
        if person_id is None:
            log.info("web sign-in: %s subject not in the roster", finished.provider)
            return await self._login_page(request, conn, rt, None, status=403, error="login_unknown")
        await end_session(conn, request)
        session_cookie = await start_session(conn, rt, person_id)
        log.info("web sign-in with %s as %s", finished.provider, person_id)
        return see_other(finished.next_path, [session_cookie, expired_cookie(rt, OIDC_STATE_COOKIE)])

    @get("/logout")
    async def logout_page(
        self, request: Request[Any, Any, Any], conn: asyncpg.Connection, rt: Runtime
    ) -> Response[Any]:
        session = await require_session(conn, rt, request)
        return page(request, rt, session, "logout.html")

    @post("/logout", status_code=303)
    async def logout(
        self, request: Request[Any, Any, Any], conn: asyncpg.Connection, rt: Runtime
    ) -> Response[Any]:
        session = await require_session(conn, rt, request)
        check_csrf(session.csrf_token, (await form_of(request)).get(CSRF_FIELD))
        await end_session(conn, request)
        log.info("web session ended for %s", session.person_id)
        return see_other("/web/login?out=1", [expired_cookie(rt, SESSION_COOKIE)])

    # --- home -------------------------------------------------------------

    @get("/")
    async def home(
        self, request: Request[Any, Any, Any], conn: asyncpg.Connection, rt: Runtime
    ) -> Response[Any]:
        session = await require_session(conn, rt, request)
        me = await load_me(conn, session.person_id, rt.clock.now())
        return page(request, rt, session, "home.html", me=me)

    # --- leave ------------------------------------------------------------

    async def _leave_page(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        rt: Runtime,
        session: WebSession,
        *,
        status: int = 200,
        error: str | None = None,
        form: dict[str, str] | None = None,
    ) -> Template:
        now = rt.clock.now()
        me = await load_me(conn, session.person_id, now)
        applicable: list[dict[str, Any]] = [
            {"pupil_id": c.pupil_id, "name": c.name, "class_name": c.class_name}
            for c in me.children
            if c.access is Access.full
        ]
        if Role.pupil in me.roles:
            try:
                own = await pupil_access(conn, session.person_id, session.person_id, now)
            except NotFound:
                own = None
            if own is not None and own.can_report_absence:
                applicable.insert(
                    0, {"pupil_id": own.pupil_id, "name": own.pupil_name, "class_name": own.class_name}
                )
        teacher_days = 2
        if applicable:
            teacher_days = (
                await conn.fetchval(q.TEACHER_DAYS, [a["pupil_id"] for a in applicable]) or teacher_days
            )
        requests = await leave.list_requests(conn, session.person_id, None, None, 200, now)
        staff_roles = {Role.teacher, Role.school_leader}
        # Only a hint for the date picker; the service applies the school's own date.
        today = local_now(now, "Europe/Oslo").date()
        return page(
            request,
            rt,
            session,
            "leave.html",
            status=status,
            error=error,
            is_guardian=bool(me.children) or bool(applicable),
            is_staff=bool(staff_roles & set(me.roles)),
            applicable=applicable,
            requests=requests.items,
            teacher_days=teacher_days,
            today=today.isoformat(),
            form=form or {},
        )

    @get("/leave")
    async def leave_page(
        self, request: Request[Any, Any, Any], conn: asyncpg.Connection, rt: Runtime
    ) -> Response[Any]:
        session = await require_session(conn, rt, request)
        return await self._leave_page(request, conn, rt, session)

    @post("/leave", status_code=303)
    async def apply(
        self, request: Request[Any, Any, Any], conn: asyncpg.Connection, rt: Runtime
    ) -> Response[Any]:
        session = await require_session(conn, rt, request)
        form = await form_of(request)
        check_csrf(session.csrf_token, form.get(CSRF_FIELD))
        try:
            pupil_id = uuid.UUID(form.get("pupil_id", ""))
        except ValueError as exc:
            raise NotFound() from exc
        try:
            data = msgspec.convert(
                {
                    "first_day": form.get("first_day", ""),
                    "last_day": form.get("last_day", ""),
                    "reason": form.get("reason", "").strip(),
                },
                LeaveRequestCreate,
            )
        except msgspec.ValidationError:
            return await self._leave_page(
                request,
                conn,
                rt,
                session,
                status=422,
                form=form,
                error=problem_detail(request, session, Invalid("request.invalid")),
            )
        try:
            async with conn.transaction():
                await leave.create_request(conn, "web", session.person_id, pupil_id, data, rt.clock.now())
        except (Invalid, Conflict, Forbidden) as exc:
            return await self._leave_page(
                request,
                conn,
                rt,
                session,
                status=exc.status,
                form=form,
                error=problem_detail(request, session, exc),
            )
        return see_other("/web/leave?done=applied")

    @post("/leave/{request_id:uuid}/decision", status_code=303)
    async def decide(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        rt: Runtime,
        request_id: uuid.UUID,
    ) -> Response[Any]:
        session = await require_session(conn, rt, request)
        form = await form_of(request)
        check_csrf(session.csrf_token, form.get(CSRF_FIELD))
        if form.get("decision") not in ("approve", "reject"):
            raise Invalid("request.invalid")
        comment = form.get("comment", "").strip() or None
        try:
            data = msgspec.convert(
                {"approved": form["decision"] == "approve", "comment": comment}, LeaveDecisionCreate
            )
        except msgspec.ValidationError as exc:
            raise Invalid("request.invalid") from exc
        try:
            async with conn.transaction():
                await flows.decide_leave(conn, session.person_id, request_id, data, rt.clock.now())
        except (Conflict, Forbidden) as exc:
            return await self._leave_page(
                request, conn, rt, session, status=exc.status, error=problem_detail(request, session, exc)
            )
        return see_other("/web/leave?done=decided")

    # --- the morning board ------------------------------------------------

    @get("/classes/{class_id:uuid}/attendance")
    async def board_page(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        rt: Runtime,
        class_id: uuid.UUID,
        on: Annotated[str | None, Parameter(query="date")] = None,
    ) -> Response[Any]:
        session = await require_session(conn, rt, request)
        day = _parse_day(on) if on else None
        board = await boards.board(conn, session.person_id, class_id, day, rt.clock.now())
        me = await load_me(conn, session.person_id, rt.clock.now())
        class_name = next((c.name for c in me.classes if c.class_id == class_id), "")
        counts = {k: 0 for k in ("reported", "leave", "absent", "unregistered")}
        for p in board["pupils"]:
            if p["status"] in counts:
                counts[p["status"]] += 1
        timezone = await conn.fetchval(q.CLASS_TIMEZONE, class_id) or "Europe/Oslo"
        completed = board.get("check_completed_at")
        completed_at = (
            local_now(datetime.fromisoformat(completed), timezone).strftime("%H:%M") if completed else None
        )
        return page(
            request,
            rt,
            session,
            "attendance.html",
            board=board,
            class_name=class_name,
            counts=counts,
            completed_at=completed_at,
            marks=MARKS,
            today=local_now(rt.clock.now(), timezone).date().isoformat(),
        )

    @post("/classes/{class_id:uuid}/attendance", status_code=303)
    async def roll_call(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        rt: Runtime,
        class_id: uuid.UUID,
    ) -> Response[Any]:
        session = await require_session(conn, rt, request)
        form = await form_of(request)
        check_csrf(session.csrf_token, form.get(CSRF_FIELD))
        day = _parse_day(form.get("date"))
        marks = [
            {"pupil_id": key.removeprefix("mark_"), "status": value}
            for key, value in form.items()
            if key.startswith("mark_")
        ]
        if marks:
            await boards.roll_call(conn, session.person_id, class_id, day, marks, rt.clock.now())
        else:  # nothing to record, but the class must still be the caller's to see
            await boards.board(conn, session.person_id, class_id, day, rt.clock.now())
        return see_other(f"/web/classes/{class_id}/attendance?date={day}&done=marked")

    @post("/classes/{class_id:uuid}/attendance/complete", status_code=303)
    async def complete(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        rt: Runtime,
        class_id: uuid.UUID,
    ) -> Response[Any]:
        session = await require_session(conn, rt, request)
        form = await form_of(request)
        check_csrf(session.csrf_token, form.get(CSRF_FIELD))
        day = _parse_day(form.get("date"))
        await boards.complete(conn, session.person_id, class_id, day, rt.clock.now())
        return see_other(f"/web/classes/{class_id}/attendance?date={day}&done=completed")


# --- errors as pages --------------------------------------------------------


def _to_login(request: Request[Any, Any, Any], exc: LoginRequired) -> Response[Any]:
    target = request.url.path if request.method == "GET" else "/web/"
    from urllib.parse import quote

    return Redirect(f"/web/login?next={quote(target)}", status_code=303)


def _error_page(request: Request[Any, Any, Any], status: int, code: str, **params: object) -> Response[Any]:
    lang = pick_locale(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE))
    title, detail = problem_text(code, lang, **params)
    return Template(
        template_name="error.html",
        context={
            "t": translator(lang),
            "lang": lang,
            "locales": list(LOCALE_NAMES.items()),
            "user": None,
            "csrf": "",
            "notice": None,
            "error": None,
            "title": title,
            "detail": detail,
        },
        status_code=status,
        headers=SECURITY_HEADERS,
    )


def _domain_page(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    return _error_page(request, exc.status, exc.code, **exc.params)


def _http_page(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if exc.status_code >= 500:
        log.error("web page %s failed", request.url.path, exc_info=exc)
        return _error_page(request, 500, "internal", request_id="-")
    code = {404: "not_found", 405: "method_not_allowed", 403: "forbidden"}.get(
        exc.status_code, "request.invalid"
    )
    return _error_page(request, exc.status_code, code)


def _crash_page(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    request_id = request.scope.get("state", {}).get("request_id", "-")
    log.error(
        "web page %s %s failed (request %s)", request.method, request.url.path, request_id, exc_info=exc
    )
    return _error_page(request, 500, "internal", request_id=request_id)


def web_router() -> Router:
    from backend.web.reach_pages import ReachPages

    return Router(
        path="/",
        route_handlers=[
            WebController,
            ReachPages,
            create_static_files_router(
                path="/web/static", directories=[HERE / "static"], include_in_schema=False
            ),
        ],
        exception_handlers={
            LoginRequired: _to_login,
            DomainError: _domain_page,
            HTTPException: _http_page,
            Exception: _crash_page,
        },
        include_in_schema=False,
    )
