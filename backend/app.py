"""The application factory: every controller, handler and middleware in one place."""

from __future__ import annotations

from litestar import Litestar, Router
from litestar.config.compression import CompressionConfig
from litestar.middleware.base import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from backend.absence.routes import AbsenceController
from backend.auth.idp import IdentityVerifier
from backend.auth.keys import load_signing_key
from backend.auth.middleware import EXCLUDE, BearerAuthMiddleware
from backend.auth.routes import AuthController, DevLoginController
from backend.auth.tokens import AccessTokens
from backend.clock import Clock, parse_instant
from backend.deps import DEPENDENCIES
from backend.dev.routes import DevController
from backend.errors import exception_handlers
from backend.inbox.routes import InboxController
from backend.lifecycle import BackgroundTask, lifespan_for
from backend.me.routes import MeController
from backend.ops.request_log import request_log_middleware
from backend.ops.routes import OpsController
from backend.runtime import Runtime
from backend.settings import Settings


def build_runtime(settings: Settings, dsn: str | None = None) -> Runtime:
    clock = Clock(parse_instant(settings.now) if settings.now else None)
    tokens = AccessTokens(
        load_signing_key(settings),
        issuer=settings.token_issuer,
        audience=settings.token_audience,
        lifetime_seconds=settings.access_token_seconds,
    )
    return Runtime(
        settings=settings,
        clock=clock,
        tokens=tokens,
        identity=IdentityVerifier(settings.identity_providers),
        dsn=dsn,
    )


def create_app(
    settings: Settings | None = None,
    *,
    runtime: Runtime | None = None,
    background: list[BackgroundTask] | None = None,
) -> Litestar:
    rt = runtime or build_runtime(settings or Settings.from_env())
    api: list[type] = [AuthController, MeController, InboxController, AbsenceController]
    if rt.settings.dev_routes:
        api += [DevLoginController, DevController]
    api_router = Router(
        path="/api/v1",
        route_handlers=api,
        middleware=[DefineMiddleware(BearerAuthMiddleware, exclude=EXCLUDE)],
        security=[{"bearer": []}],
    )
    return Litestar(
        route_handlers=[OpsController, api_router],
        dependencies=DEPENDENCIES,
        exception_handlers=exception_handlers(),
        middleware=[request_log_middleware],
        lifespan=[lifespan_for(rt, background or [])],
        state=_state(rt),
        openapi_config=OpenAPIConfig(
            title="Skolebro API",
            version="1.0.0",
            path="/schema",
            render_plugins=[JsonRenderPlugin()],
            components=Components(
                security_schemes={
                    "bearer": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")
                }
            ),
        ),
        compression_config=CompressionConfig(backend="gzip", minimum_size=2048),
        request_max_body_size=1_000_000,
        debug=False,
        logging_config=None,
    )


def _state(rt: Runtime):  # type: ignore[no-untyped-def]
    from litestar.datastructures import State

    return State({"runtime": rt})
