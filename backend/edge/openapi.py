"""OpenAPI: the problem document on every documented error, and the finishing touches
a client generator needs: no bearer on sign-in, 429 where rate limited, the
Idempotency-Key header, problem documents instead of the framework's 400 shape, examples."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
from litestar import MediaType, Request
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.plugins import JsonRenderPlugin, OpenAPIRenderPlugin
from litestar.serialization import encode_json

from backend.edge.idempotency import MAX_KEY_LENGTH
from schemas.problem import Problem

_DESCRIPTIONS = {
    400: "Malformed request (problem document)",
    401: "Missing, expired or forged access token",
    403: "Known object the caller may see but not change",
    404: "Not found, or not the caller's to see",
    409: "Conflicts with existing state",
    422: "Validation failed; `errors` names the fields",
    429: "Rate limited; see Retry-After",
    503: "Database unavailable",
}

# Routes behind a rate limit (backend/ratelimit.py): the sign-in router.
RATE_LIMITED_PREFIXES = ("/api/v1/auth/",)
# Needs no access token (api.md: Auth).
UNAUTHENTICATED_PREFIXES = ("/api/v1/auth/", "/api/v1/webpush/")

_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_METHODS = ("get", "put", "post", "delete", "patch")

# Examples a person reading the docs (or a generated client's docstrings) can use as
# they stand, instead of a generator's random strings.
_EXAMPLES: dict[str, Any] = {
    "Problem": {
        "type": "https://skolebro.no/problems/request.invalid",
        "title": "Ugyldig forespørsel",
        "status": 422,
        "detail": "Sjekk feltene som er merket.",
        "code": "request.invalid",
        "errors": [{"field": "first_day", "message": "Expected `date`, got `str`"}],
    },
    "TokenResponse": {
        "access_token": "eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIuLi4ifQ.c2lnbmF0dXJl",
        "refresh_token": "rt_3q2-7wKfLh0Yb5QzVx9mNw",
        "expires_in": 900,
        "token_type": "Bearer",
    },
    "AbsenceReportCreate": {"first_day": "2026-11-23", "reason": "sick", "note": "Feber i natt"},
    "DevLogin": {"username": "guardian.hansen", "client": "app"},
}


def problems(*statuses: int) -> dict[int, ResponseSpec]:
    return {
        status: ResponseSpec(
            data_container=Problem,
            description=_DESCRIPTIONS.get(status, "Problem"),
            media_type="application/problem+json",
            # Litestar's generated examples are random strings (``status: 6802``); the
            # Problem component carries a real one instead (``_EXAMPLES``).
            generate_examples=False,
        )
        for status in statuses
    }


def _problem_response(status: int) -> dict[str, Any]:
    return {
        "description": _DESCRIPTIONS.get(status, "Problem"),
        "content": {"application/problem+json": {"schema": dict(_PROBLEM_REF)}},
    }


def refine(schema: dict[str, Any]) -> dict[str, Any]:
    """The document as generators should read it; Litestar's own is left as it was."""
    out = copy.deepcopy(schema)
    for path, item in out.get("paths", {}).items():
        for method in _METHODS:
            op = item.get(method)
            if op is not None:
                _refine_operation(path, method, op)
    schemas = out.get("components", {}).get("schemas", {})
    for name, example in _EXAMPLES.items():
        if name in schemas:
            schemas[name]["examples"] = [example]
    _closed_objects(schemas)
    problem = schemas.get("Problem", {}).get("properties", {})
    if "status" in problem:
        problem["status"] = {"type": "integer", "minimum": 400, "maximum": 599, "examples": [422]}
    return out


def _structs(cls: type[msgspec.Struct]) -> Iterator[type[msgspec.Struct]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _structs(sub)


def _closed_objects(schemas: dict[str, Any]) -> None:
    """``additionalProperties: false`` on every body that refuses unknown fields.

    Read from the msgspec Structs themselves (``forbid_unknown_fields=True``), so a
    body added later is described as strictly as it is decoded, with nothing to
    remember. A name two Structs share is left open unless both are strict.
    """
    strict: dict[str, bool] = {}
    by_name: dict[str, list[type[msgspec.Struct]]] = {}
    for struct in _structs(msgspec.Struct):
        forbids = bool(struct.__struct_config__.forbid_unknown_fields)
        strict[struct.__name__] = strict.get(struct.__name__, True) and forbids
        by_name.setdefault(struct.__name__, []).append(struct)
    for name, schema in schemas.items():
        if strict.get(name) and schema.get("type") == "object":
            schema["additionalProperties"] = False
        if len(by_name.get(name, ())) == 1:
            _constraints_from_msgspec(by_name[name][0], schema)


# What msgspec checks of a value, as JSON Schema keywords.
_CONSTRAINTS = (
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "minItems",
    "maxItems",
)


def _constraints_from_msgspec(struct: type[msgspec.Struct], schema: dict[str, Any]) -> None:
    """Every constraint msgspec enforces on a field, also in the document.

    Litestar drops some on the way (``ge=0`` is falsy and vanishes, so
    ``leave_teacher_max_days`` read as unbounded below); msgspec's own schema of the
    Struct is what decoding checks, so it is the one to trust.
    """
    try:
        _, components = msgspec.json.schema_components([struct])
    except Exception:  # a generic or otherwise unschemable Struct: leave it as it is
        return
    theirs = components.get(struct.__name__, {}).get("properties", {})
    for name, prop in schema.get("properties", {}).items():
        truth = theirs.get(name)
        if not isinstance(truth, dict) or "$ref" in prop:
            continue
        arms = [a for a in truth.get("anyOf", [truth]) if a.get("type") != "null"]
        if len(arms) != 1:
            continue
        for keyword in _CONSTRAINTS:
            if keyword in arms[0] and keyword not in prop:
                if "oneOf" in prop:
                    for arm in prop["oneOf"]:
                        if arm.get("type") == arms[0].get("type"):
                            arm.setdefault(keyword, arms[0][keyword])
                else:
                    prop[keyword] = arms[0][keyword]


def _refine_operation(path: str, method: str, op: dict[str, Any]) -> None:
    responses: dict[str, Any] = op.setdefault("responses", {})
    default_400 = responses.get("400")
    # Litestar documents validation as its own JSON shape; we answer problem documents:
    # 400 for a body that is not JSON, 422 (with `errors`) for one that breaks a rule.
    if default_400 is not None and "application/problem+json" not in default_400.get("content", {}):
        responses["400"] = _problem_response(400)
        responses.setdefault("422", _problem_response(422))
    if path.startswith(UNAUTHENTICATED_PREFIXES):
        op["security"] = []
    if path.startswith(RATE_LIMITED_PREFIXES):
        response = _problem_response(429)
        response["headers"] = {
            "Retry-After": {
                "description": "Seconds until the limit resets",
                "schema": {"type": "integer", "minimum": 0},
            }
        }
        responses["429"] = response
    _optional_body(op)
    for param in op.get("parameters", []):
        if param.get("name") == "cursor" and param.get("in") == "query":
            # What backend/lib/cursors.py hands out: unpadded base64url; "" is the first page.
            param["schema"] = {"type": "string", "pattern": "^[A-Za-z0-9_-]*$", "maxLength": 1000}
            param["description"] = (
                "Opaque: the `next_cursor` of the page before. Any other value is 422 with "
                "`errors[].field` `cursor`."
            )
    if method == "post":
        # Every POST refuses an empty or over-long Idempotency-Key (backend/edge/idempotency.py).
        responses.setdefault("422", _problem_response(422))
        params: list[dict[str, Any]] = op.setdefault("parameters", [])
        if not any(p.get("name", "").lower() == "idempotency-key" for p in params):
            params.append(
                {
                    "name": "Idempotency-Key",
                    "in": "header",
                    "required": False,
                    "description": "Repeat a POST safely: the same key and body within 24 hours "
                    "replays the first answer; the same key with another body is 422.",
                    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
                    # One of its own per operation: a generator replaying examples must
                    # not send one key with two operations' bodies (that is a 422).
                    "example": str(uuid.uuid5(uuid.NAMESPACE_URL, f"skolebro:{method} {path}")),
                }
            )
    op["responses"] = dict(sorted(responses.items()))


def _optional_body(op: dict[str, Any]) -> None:
    """A body the handler takes as ``T | None = None`` is optional, not a required null
    (``POST /auth/logout``: api.md says the body may name a device)."""
    body = op.get("requestBody")
    if not body:
        return
    for media in body.get("content", {}).values():
        arms = media.get("schema", {}).get("oneOf", [])
        real = [a for a in arms if a != {"type": "null"}]
        if len(arms) == 2 and len(real) == 1:
            media["schema"] = real[0]
            body["required"] = False


class RefinedJsonPlugin(JsonRenderPlugin):
    """``/schema/openapi.json``: the refined document, built once per application."""

    def __init__(self) -> None:
        super().__init__()
        self._rendered: bytes | None = None

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        if self._rendered is None:
            self._rendered = encode_json(refine(openapi_schema))
        return self._rendered


DOCS_ASSETS = "/schema/assets"


def docs_assets_dir() -> Path:
    """Swagger UI's files, as the swagger-ui-bundle package ships them (no CDN)."""
    import swagger_ui_bundle

    return Path(swagger_ui_bundle.swagger_ui_path)


class SwaggerPage(OpenAPIRenderPlugin):
    """``/schema``: Swagger UI from the service's own assets, reading the refined JSON."""

    def __init__(self) -> None:
        super().__init__(path="/swagger", media_type=MediaType.HTML)

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        title = openapi_schema.get("info", {}).get("title", "API")
        return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<link rel="icon" type="image/png" href="{DOCS_ASSETS}/favicon-32x32.png">
<link rel="stylesheet" href="{DOCS_ASSETS}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{DOCS_ASSETS}/swagger-ui-bundle.js"></script>
<script src="{DOCS_ASSETS}/swagger-ui-standalone-preset.js"></script>
<script src="/schema/docs-init.js"></script>
</body>
</html>""".encode()


# Swagger UI's start, a file of its own rather than inline script.
DOCS_INIT_JS = """window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: "/schema/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "StandaloneLayout",
  });
};
"""


def docs_routes() -> list[Any]:
    """The docs page's assets and start script, served by the service itself."""
    from litestar import get
    from litestar.static_files import create_static_files_router

    @get("/schema/docs-init.js", media_type="text/javascript", include_in_schema=False, sync_to_thread=False)
    def docs_init() -> str:
        return DOCS_INIT_JS

    return [
        create_static_files_router(
            path=DOCS_ASSETS, directories=[docs_assets_dir()], include_in_schema=False
        ),
        docs_init,
    ]
