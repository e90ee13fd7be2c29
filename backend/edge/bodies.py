"""The HTTP edge: how request bodies are read, and headers every personal answer needs.

A JSON body is decoded by msgspec straight into the route's own ``data`` type
(its Struct, with the Struct's length limits), never first into Python lists
and dicts: 966 KB of ``{}`` would otherwise become 330,000 dicts per request,
hundreds of megabytes for a few requests in parallel, before any validation.
A typed decode stops at the first value that does not fit.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request
from litestar.exceptions import ClientException, HTTPException, ValidationException
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from litestar.utils.empty import value_or_default

# Per-route body limits (bytes). The largest legitimate JSON body is a message
# (5,000 characters, up to 6 bytes each once JSON-escaped) or a class's roll
# call; sign-in and logout bodies are a few hundred bytes, an ID token a few KB.
DEFAULT_BODY_LIMIT = 64 * 1024
SMALL_BODY_LIMIT = 4 * 1024
TOKEN_BODY_LIMIT = 24 * 1024

_JSON_TYPES = ("application/json",)


def is_json_media_type(media_type: str) -> bool:
    media_type = media_type.lower()
    structured = media_type.startswith("application/") and media_type.endswith("+json")
    return media_type in _JSON_TYPES or structured


class TypedBodyRequest(Request[Any, Any, Any]):
    """A request whose JSON body is decoded into the handler's declared ``data`` type."""

    async def json(self) -> Any:
        cached = value_or_default(self._json, None)
        if cached is not None:
            return cached
        body = await self.body()
        media_type, _ = self.content_type
        if body and media_type and not is_json_media_type(media_type):
            # A JSON body as text/plain is what a cross-site form or fetch can send
            # without a CORS preflight; refuse any type but JSON. (No type at all is
            # read as JSON: browsers always send one, curl users often forget it.)
            raise HTTPException(status_code=415, detail="the body must be application/json")
        field = self.route_handler.parsed_data_field
        target: Any = field.annotation if field is not None else Any
        try:
            try:
                value = msgspec.json.decode(body or b"null", type=target)
            except msgspec.ValidationError as exc:
                if "got `float`" not in str(exc) or not _well_formed(body):
                    raise
                value = _with_whole_numbers(body, target)
        except msgspec.ValidationError as exc:
            if not _well_formed(body):
                raise ClientException(detail="JSON is malformed") from exc
            raise ValidationException(
                detail=f"Validation failed for {self.method} {self.url.path}",
                extra=[_error_message(str(exc))],
            ) from exc
        except msgspec.DecodeError as exc:
            raise ClientException(detail="JSON is malformed") from exc
        except RecursionError as exc:
            # Nesting deeper than the interpreter's recursion limit is no JSON any
            # route of ours takes: malformed, without a traceback.
            raise ClientException(detail="JSON is malformed: nested too deeply") from exc
        self._json = self._connection_state.json = value
        return value


def _whole(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_whole(v) for v in value]
    if isinstance(value, dict):
        return {k: _whole(v) for k, v in value.items()}
    return value


def _with_whole_numbers(body: bytes, target: Any) -> Any:
    """The body with ``48.0`` read as ``48``: JSON has one number type, and JSON Schema's
    ``integer`` (what the document says) includes 48.0, which clients and generators
    send. Only on this error path; a fraction stays refused."""
    return msgspec.convert(_whole(msgspec.json.decode(body)), type=target)


def _well_formed(body: bytes) -> bool:
    """Whether the body is JSON at all: a typed decode stops at the first value of the
    wrong type, before it could see that ``[`` is truncated. ``Raw`` only scans."""
    try:
        msgspec.json.decode(body, type=msgspec.Raw)
    except (msgspec.DecodeError, RecursionError):
        return False
    return True


def _error_message(text: str) -> dict[str, str]:
    """The error in the shape Litestar's own validation gives (errors.py reads it)."""
    message, _, where = text.partition(" - at `$")
    path = where.rstrip("`").lstrip(".")
    return {"message": message, "key": path or "data", "source": "body"}


def no_store(app: ASGIApp) -> ASGIApp:
    """``Cache-Control: no-store`` on every API and web answer.

    They carry personal data (a pupil's absence, grades, messages); no browser,
    proxy or app cache may keep them. Static assets under /web/static are exempt.
    """

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not (path.startswith(("/api/", "/web")) and not path.startswith("/web/static/")):
            await app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                dropped = (b"cache-control", b"pragma")
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in dropped]
                headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await app(scope, receive, sending)

    return wrapped
