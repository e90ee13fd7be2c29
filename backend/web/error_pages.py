"""Errors on the portal as pages: sign-in for no session, a translated page for the rest."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.response import Redirect, Template
from litestar.types import ExceptionHandlersMap

from backend.edge.problem_handlers import status_of
from backend.problems.codes import Code
from backend.problems.errors import DomainError
from backend.problems.texts import problem_text
from backend.web.pages import SECURITY_HEADERS
from backend.web.portal_texts import LANG_COOKIE, locale_names, pick_locale, translator
from backend.web.signed_in import LoginRequired

log = logging.getLogger("skolebro.web")


def _to_login(request: Request[Any, Any, Any], exc: LoginRequired) -> Response[Any]:
    target = request.url.path if request.method == "GET" else "/web/"
    return Redirect(f"/web/login?next={quote(target)}", status_code=303)


def _error_page(request: Request[Any, Any, Any], status: int, code: Code, **params: object) -> Response[Any]:
    lang = pick_locale(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE))
    title, detail = problem_text(code, lang, **params)
    return Template(
        template_name="error.html",
        context={
            "t": translator(lang),
            "lang": lang,
            "locales": list(locale_names().items()),
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
    return _error_page(request, status_of(exc), exc.code, **exc.params)


def _http_page(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if exc.status_code >= 500:
        log.error("web page %s failed", request.url.path, exc_info=exc)
        return _error_page(request, 500, Code.INTERNAL, request_id="-")
    code = {404: Code.NOT_FOUND, 405: Code.METHOD_NOT_ALLOWED, 403: Code.FORBIDDEN}.get(
        exc.status_code, Code.REQUEST_INVALID
    )
    return _error_page(request, exc.status_code, code)


def _crash_page(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    request_id = request.scope.get("state", {}).get("request_id", "-")
    log.error(
        "web page %s %s failed (request %s)", request.method, request.url.path, request_id, exc_info=exc
    )
    return _error_page(request, 500, Code.INTERNAL, request_id=request_id)


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    LoginRequired: _to_login,
    DomainError: _domain_page,
    HTTPException: _http_page,
    Exception: _crash_page,
}
