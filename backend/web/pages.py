"""What every page of the portal shares: templates, headers, language, redirects.

Page controllers (``backend/web/*_pages.py``, assembled in ``routes.py``) render through ``page``.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg
from litestar import Request
from litestar.datastructures import Cookie
from litestar.di import Provide
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.template.config import TemplateConfig

from backend.edge.deps import edge_of
from backend.problems.errors import DomainError
from backend.problems.texts import problem_text
from backend.web.nav import session_nav
from backend.web.portal_texts import LANG_COOKIE, format_day, locale_names, pick_locale, translator
from backend.web.signed_in import CSRF_FIELD, WebSession, check_csrf, cookie, require_session
from i18n import locales

HERE = Path(__file__).parent
# Defence in depth behind autoescaping: only our own script files run (never inline
# script, so injected markup cannot execute), the pages cannot be framed
# (clickjacking), and forms post only to us. Scripts only improve a page that works
# without them (the morning overview's live updates, Web Push on this browser).
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; connect-src 'self'; "
    "worker-src 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
DONE_NOTICES = {
    "applied": "done_applied",
    "decided": "done_decided",
    "marked": "done_marked",
    "completed": "done_completed",
    "call_logged": "done_call_logged",
    "reported": "done_reported",
    "withdrawn": "done_withdrawn",
    "answered": "done_answered",
    "sent": "done_sent",
    "action_logged": "done_action_logged",
    "follow_up_closed": "done_follow_up_closed",
}


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    # A directory-based Jinja engine has autoescape on for every template.
    return TemplateConfig(directory=HERE / "templates", engine=JinjaTemplateEngine)


def lang_cookie(request: Request[Any, Any, Any]) -> list[Cookie]:
    chosen = request.query_params.get("lang")
    if chosen in locales() and chosen != request.cookies.get(LANG_COOKIE):
        return [cookie(edge_of(request).cookie_secure, LANG_COOKIE, chosen, 365 * 24 * 3600)]
    return []


def locale_of(request: Request[Any, Any, Any], session: WebSession | None) -> str:
    return pick_locale(
        request.query_params.get("lang"),
        request.cookies.get(LANG_COOKIE),
        session.locale if session else None,
    )


def page(
    request: Request[Any, Any, Any],
    session: WebSession | None,
    name: str,
    *,
    status: int = 200,
    cookies: list[Cookie] | None = None,
    **context: Any,
) -> Template:
    lang = locale_of(request, session)
    t = translator(lang)
    done = request.query_params.get("done")
    context.setdefault("notice", t(DONE_NOTICES[done]) if done in DONE_NOTICES else None)
    context.setdefault("error", None)
    return Template(
        template_name=name,
        context={
            "t": t,
            "lang": lang,
            "locales": list(locale_names().items()),
            "user": session,
            "day": lambda d: format_day(d, lang),
            "csrf": session.csrf_token if session else "",
            "request_path": request.url.path,
            **context,
        },
        status_code=status,
        cookies=[*(cookies or []), *lang_cookie(request)],
        headers=SECURITY_HEADERS,
    )


def problem_detail(request: Request[Any, Any, Any], session: WebSession | None, exc: DomainError) -> str:
    return problem_text(exc.code, locale_of(request, session), **exc.params)[1]


def see_other(path: str, cookies: list[Cookie] | None = None) -> Redirect:
    return Redirect(path, status_code=303, cookies=cookies or [])


async def form_of(request: Request[Any, Any, Any]) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


async def checked_form(request: Request[Any, Any, Any], session: WebSession) -> dict[str, str]:
    """The posted form, once its CSRF token is the session's (403 ``web.csrf`` otherwise)."""
    form = await form_of(request)
    check_csrf(session.csrf_token, form.get(CSRF_FIELD))
    return form


# Every page but sign-in declares this on its controller: a handler that names
# ``session`` gets the signed-in person (a browser without one goes to sign-in),
# one that names ``form`` gets the posted form with its CSRF token checked.
async def signed_in(conn: asyncpg.Connection, now: datetime, request: Request[Any, Any, Any]) -> WebSession:
    session = await require_session(conn, request, now)
    return dataclasses.replace(
        session, nav=await session_nav(conn, session.csrf_token, session.person_id, now)
    )


SIGNED_IN = {"session": Provide(signed_in), "form": Provide(checked_form)}
