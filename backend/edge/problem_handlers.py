"""Domain errors and their mapping to RFC 9457 problem documents.

Services raise domain errors; this module alone turns them into HTTP.
"""

from __future__ import annotations

import logging
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    TooManyRequestsException,
    ValidationException,
)
from litestar.response import Redirect

from backend.edge.ratelimit import RateLimited
from backend.problems.codes import Code
from backend.problems.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    Unauthorized,
    Unavailable,
)
from backend.problems.field_texts import field_message
from backend.problems.texts import negotiate_locale, problem_text
from schemas.problem import FieldError, Problem

log = logging.getLogger("skolebro.errors")

PROBLEM_MEDIA_TYPE = "application/problem+json"

# The HTTP status of each kind of domain error: services name what went wrong, the edge
# alone decides how it is said in HTTP. A subclass answers as its nearest listed ancestor.
_STATUS: dict[type, int] = {
    DomainError: 400,
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    Invalid: 422,
    RateLimited: 429,
    Unavailable: 503,
}


def status_of(exc: DomainError) -> int:
    """The HTTP status a domain error answers with (API problems and portal pages alike)."""
    for cls in type(exc).__mro__:
        status = _STATUS.get(cls)
        if status is not None:
            return status
    return _STATUS[DomainError]


def request_locale(request: Request[Any, Any, Any]) -> str:
    return negotiate_locale(request.headers.get("accept-language"))


def problem_response(
    request: Request[Any, Any, Any],
    status: int,
    code: Code,
    *,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
    **params: object,
) -> Response[bytes]:
    title, detail = problem_text(code, request_locale(request), **params)
    return _problem(status, code, title, detail, errors, headers)


def _problem(
    status: int,
    code: Code,
    title: str,
    detail: str,
    errors: list[FieldError] | None,
    headers: dict[str, str] | None,
) -> Response[bytes]:
    body = Problem(
        type=f"https://skolebro.no/problems/{code}",
        title=title,
        status=status,
        detail=detail,
        code=code,
        errors=errors,
    )
    return Response(
        content=msgspec.json.encode(body),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def _domain_handler(request: Request[Any, Any, Any], exc: DomainError) -> Response[bytes]:
    status = status_of(exc)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if isinstance(exc, RateLimited):
        headers = {"Retry-After": str(exc.retry_after)}
    errors = None
    if isinstance(exc, Invalid):
        _, detail = problem_text(exc.code, request_locale(request), **exc.params)
        errors = exc.errors or [FieldError(field=exc.field, message=detail)]
    return problem_response(request, status, exc.code, headers=headers, errors=errors, **exc.params)


def _validation_handler(request: Request[Any, Any, Any], exc: ValidationException) -> Response[bytes]:
    extra = [e for e in exc.extra if isinstance(e, dict)] if isinstance(exc.extra, list) else []
    text = " ".join(str(e.get("message", "")) for e in extra)
    detail = str(exc.detail or "")
    if "malformed" in text.lower() or "malformed" in detail.lower() or "JSON" in detail:
        if not extra or all("malformed" in str(e.get("message", "")).lower() for e in extra):
            return problem_response(request, 400, Code.REQUEST_MALFORMED)
    if any(_is_missing_body(e) for e in extra):
        # An empty body is not JSON at all, so it is malformed rather than invalid.
        return problem_response(request, 400, Code.REQUEST_MALFORMED)
    locale = request_locale(request)
    errors = [
        FieldError(
            field=_field_name(e), message=field_message(str(e.get("message", "invalid value")), locale)
        )
        for e in extra
    ] or [FieldError(field="", message=field_message(detail or "invalid value", locale))]
    return problem_response(request, 422, Code.REQUEST_INVALID, errors=errors)


def _is_missing_body(entry: dict[str, Any]) -> bool:
    # Litestar reports a POST without a body as a KeyError on the ``data`` parameter.
    return entry.get("source") == "body" and entry.get("message") == "'data'"


_MSGSPEC_FIELD_PHRASES = ("unknown field `", "missing required field `")


def _field_name(entry: dict[str, Any]) -> str:
    key = str(entry.get("key") or "")
    message = str(entry.get("message", ""))
    at = message.split("at `$.", 1)[1].split("`", 1)[0] if "at `$." in message else ""
    # Litestar puts the body's path in ``key`` ("data" for the body itself); query
    # parameters named after Python keywords are declared as ``from_`` with the alias
    # ``from``, and the client only knows the alias.
    path = at or ("" if key == "data" else key.rstrip("_"))
    # msgspec names unknown or missing fields in the message, inside the object at path.
    for phrase in _MSGSPEC_FIELD_PHRASES:
        if phrase in message:
            name = message.split(phrase, 1)[1].split("`", 1)[0]
            return f"{path}.{name}" if path else name
    return path


def _lost_person(request: Request[Any, Any, Any]) -> bool:
    """``/`` or an unknown portal page, asked for by a browser (not the API, not an asset)."""
    path = request.url.path
    portal = path in ("/", "/web") or (path.startswith("/web/") and not path.startswith("/web/static/"))
    return portal and request.method in ("GET", "HEAD")


def _http_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[bytes]:
    headers = dict(exc.headers or {})
    if isinstance(exc, NotAuthorizedException):
        headers.setdefault("WWW-Authenticate", "Bearer")
        missing = "missing" in str(exc.detail).lower()
        code = Code.AUTH_MISSING_TOKEN if missing else Code.AUTH_INVALID_TOKEN
        return problem_response(request, 401, code, headers=headers)
    if isinstance(exc, NotFoundException):
        if _lost_person(request):
            # A person typing the address or following an old link: show the way in.
            return Redirect("/web/login", status_code=303)
        return problem_response(request, 404, Code.NOT_FOUND)
    if isinstance(exc, MethodNotAllowedException):
        return problem_response(request, 405, Code.METHOD_NOT_ALLOWED, headers=headers)
    if isinstance(exc, PermissionDeniedException):
        return problem_response(request, 403, Code.FORBIDDEN)
    if isinstance(exc, TooManyRequestsException):
        headers.setdefault("Retry-After", headers.get("RateLimit-Reset", "60"))
        return problem_response(request, 429, Code.RATE_LIMITED, headers=headers)
    if exc.status_code == 413:
        return problem_response(request, 413, Code.REQUEST_TOO_LARGE)
    if exc.status_code == 415:
        return problem_response(request, 415, Code.REQUEST_UNSUPPORTED_MEDIA_TYPE)
    if exc.status_code >= 500:
        return _internal(request, exc)
    if exc.status_code == 400 and _undecodable(exc):
        return problem_response(request, 400, Code.REQUEST_MALFORMED)
    errors = [FieldError(field="", message=field_message(str(exc.detail), request_locale(request)))]
    return problem_response(request, exc.status_code, Code.REQUEST_INVALID, errors=errors)


def _undecodable(exc: HTTPException) -> bool:
    """Litestar's JSON decoder failed: "JSON is malformed: ...", "Input data was truncated"."""
    cause = exc.__cause__
    while cause is not None:
        if isinstance(cause, msgspec.DecodeError):
            return True
        cause = cause.__cause__
    return "malformed" in str(exc.detail).lower()


def _internal(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    request_id = request.scope.get("state", {}).get("request_id", "-")
    log.error(
        "unhandled error on %s %s (request %s)",
        request.method,
        request.url.path,
        request_id,
        exc_info=exc,
    )
    return problem_response(request, 500, Code.INTERNAL, request_id=request_id)


def _unavailable_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
    return problem_response(request, 503, Code.UNAVAILABLE, headers={"Retry-After": "5"})


def _unstorable_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    # Text PostgreSQL cannot store (a NUL character) that slipped past the schemas:
    # the client's input is at fault, and the transaction has rolled back.
    log.info("unstorable text on %s %s: %s", request.method, request.url.path, exc)
    return problem_response(
        request,
        422,
        Code.REQUEST_INVALID,
        errors=[
            FieldError(
                field="", message=field_message("text contains a NUL character", request_locale(request))
            )
        ],
    )


def exception_handlers() -> dict[Any, Any]:
    import asyncpg

    return {
        DomainError: _domain_handler,
        ValidationException: _validation_handler,
        HTTPException: _http_handler,
        # Every way the database can fail mid-request is a 503 with Retry-After:
        # gone (connection errors, InterfaceError on a closed connection), hung (our
        # timeouts, PostgreSQL's statement_timeout), shutting down or out of resources.
        OSError: _unavailable_handler,
        TimeoutError: _unavailable_handler,
        asyncpg.InterfaceError: _unavailable_handler,
        asyncpg.exceptions.PostgresConnectionError: _unavailable_handler,
        asyncpg.exceptions.OperatorInterventionError: _unavailable_handler,
        asyncpg.exceptions.InsufficientResourcesError: _unavailable_handler,
        asyncpg.exceptions.CharacterNotInRepertoireError: _unstorable_handler,
        asyncpg.exceptions.UntranslatableCharacterError: _unstorable_handler,
        Exception: _internal,
    }
