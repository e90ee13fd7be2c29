"""Sign-in and sign-out pages: dev/test demo users, OIDC providers, logout."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated, Any

import asyncpg
from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter
from litestar.response import Template

from backend.access.guards import dev_routes_only
from backend.problems.errors import Forbidden, NotFound
from backend.roster.demo import DEMO_USERS
from backend.signin import service as auth
from backend.web import oidc
from backend.web.pages import SIGNED_IN, form_of, locale_of, page, see_other
from backend.web.portal_texts import translator
from backend.web.settings import PortalSignIn
from backend.web.signed_in import (
    CSRF_FIELD,
    LOGIN_CSRF_COOKIE,
    OIDC_STATE_COOKIE,
    SESSION_COOKIE,
    WebSession,
    check_csrf,
    cookie,
    end_session,
    expired_cookie,
    load_session,
    login_csrf,
    start_session,
)

log = logging.getLogger("skolebro.web")


async def _login_page(
    request: Request[Any, Any, Any],
    conn: asyncpg.Connection,
    portal: PortalSignIn,
    next_path: str | None,
    *,
    status: int = 200,
    error: str | None = None,
) -> Template:
    token, new = login_csrf(request)
    dev_users = await auth.dev_users(conn, list(DEMO_USERS)) if portal.dev_routes else []
    t = translator(locale_of(request, None))
    notice = t("logged_out") if request.query_params.get("out") else None
    return page(
        request,
        None,
        "login.html",
        status=status,
        cookies=[cookie(portal.web.cookie_secure, LOGIN_CSRF_COOKIE, token, 3600)] if new else [],
        providers=portal.web.oidc,
        dev_users=dev_users,
        login_csrf=token,
        next_path=oidc.safe_next(next_path),
        error=t(error) if error else None,
        notice=notice,
    )


class SignInPages(Controller):
    """The only pages without a session."""

    path = "/web/login"
    include_in_schema = False

    @get("/")
    async def login_page(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        portal: PortalSignIn,
        now: datetime,
        next: str | None = None,
    ) -> Response[Any]:
        if await load_session(conn, request, now) is not None:
            return see_other(oidc.safe_next(next))
        return await _login_page(request, conn, portal, next)

    @post("/", status_code=303, guards=[dev_routes_only])
    async def dev_login(
        self, request: Request[Any, Any, Any], conn: asyncpg.Connection, portal: PortalSignIn, now: datetime
    ) -> Response[Any]:
        """Dev/test: sign in as a demo user. Production signs in through OIDC only."""
        form = await form_of(request)
        check_csrf(request.cookies.get(LOGIN_CSRF_COOKIE), form.get(CSRF_FIELD))
        person_id = await auth.person_by_username(conn, form.get("username", ""))
        if person_id is None:
            return await _login_page(
                request, conn, portal, form.get("next"), status=401, error="login_unknown"
            )
        await end_session(conn, request)
        session_cookie = await start_session(conn, person_id, now, secure=portal.web.cookie_secure)
        log.info("web dev sign-in as %s", form.get("username"))
        return see_other(oidc.safe_next(form.get("next")), [session_cookie])

    @get("/start/{provider:str}")
    async def oidc_start(
        self,
        conn: asyncpg.Connection,
        portal: PortalSignIn,
        now: datetime,
        provider: str,
        next: str | None = None,
    ) -> Response[Any]:
        client = oidc.provider(portal.web.oidc, provider)
        if client is None:
            raise NotFound()
        started = await oidc.begin(conn, client, next, now)
        secure = portal.web.cookie_secure
        return see_other(started.redirect_to, [cookie(secure, OIDC_STATE_COOKIE, started.state, 600)])

    @get("/callback")
    async def oidc_callback(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        portal: PortalSignIn,
        now: datetime,
        code: str | None = None,
        oidc_state: Annotated[str | None, Parameter(query="state")] = None,
        error: str | None = None,
    ) -> Response[Any]:
        state = oidc_state
        if error or not code or not state:
            log.info("web sign-in came back without a code (%s)", error or "no code")
            return await _login_page(request, conn, portal, None, status=400, error="login_failed")
        # Only the browser that started the sign-in may finish it (no login CSRF).
        try:
            check_csrf(request.cookies.get(OIDC_STATE_COOKIE), state)
        except Forbidden:
            return await _login_page(request, conn, portal, None, status=403, error="login_failed")
        try:
            jwks = portal.jwks
            finished = await oidc.finish(conn, portal.web.oidc, jwks, state, code, now)
        except oidc.LoginFailed as exc:
            log.warning("web sign-in failed: %s", exc)
            return await _login_page(request, conn, portal, None, status=400, error="login_failed")
        pepper = portal.pepper
        person_id = await auth.person_by_identity(conn, pepper, finished.provider, finished.subject)
        if person_id is None:
            log.info("web sign-in: %s subject not in the roster", finished.provider)
            return await _login_page(request, conn, portal, None, status=403, error="login_unknown")
        await end_session(conn, request)
        session_cookie = await start_session(conn, person_id, now, secure=portal.web.cookie_secure)
        log.info("web sign-in with %s as %s", finished.provider, person_id)
        expired = expired_cookie(portal.web.cookie_secure, OIDC_STATE_COOKIE)
        return see_other(finished.next_path, [session_cookie, expired])


class SignOutPages(Controller):
    path = "/web/logout"
    include_in_schema = False
    dependencies = SIGNED_IN

    @get("/")
    async def logout_page(self, request: Request[Any, Any, Any], session: WebSession) -> Response[Any]:
        return page(request, session, "logout.html")

    @post("/", status_code=303)
    async def logout(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        portal: PortalSignIn,
        now: datetime,
        session: WebSession,
        form: dict[str, str],  # asked for its CSRF check: a forged form cannot sign anyone out
    ) -> Response[Any]:
        await end_session(conn, request)
        log.info("web session ended for %s", session.person_id)
        return see_other("/web/login?out=1", [expired_cookie(portal.web.cookie_secure, SESSION_COOKIE)])
