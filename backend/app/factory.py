"""The application factory: every controller, handler and middleware in one place."""

from __future__ import annotations

from datetime import date

from litestar import Litestar, Router
from litestar.config.compression import CompressionConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware.base import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from backend.absence.routes import AbsenceController
from backend.absence.summary_routes import AbsenceSummaryController
from backend.absence.warnings_routes import AbsenceDocumentationController, AbsenceWarningsController
from backend.access.guards import STATE_KEY as GUARDS_KEY
from backend.access.guards import GuardContext
from backend.app.lifecycle import BackgroundTask, lifespan_for
from backend.app.runtime import Runtime
from backend.app.settings import Settings, SettingsError
from backend.assessments.routes import AssessmentController
from backend.attendance.morning import MORNING_CHANNEL
from backend.attendance.routes import AttendanceController
from backend.audit_log.routes import AuditLogController
from backend.dev.routes import DevController
from backend.edge.bodies import DEFAULT_BODY_LIMIT, TypedBodyRequest, no_store
from backend.edge.deps import DEPENDENCIES, EdgeContext
from backend.edge.idempotency import check_key_on_post
from backend.edge.methods import complete_allow
from backend.edge.openapi import RefinedJsonPlugin, SwaggerPage, docs_routes
from backend.edge.problem_handlers import exception_handlers
from backend.follow_up.routes import FollowUpController
from backend.guardians.routes import GuardianController
from backend.inbox.routes import InboxController, WebPushController
from backend.leave.routes import LeaveController
from backend.lib.clock import Clock, parse_instant
from backend.me.routes import MeController
from backend.messaging.routes import MessagingController, OfficeHoursController
from backend.missing.contact_routes import CallListController, MyContactController, SmsHookController
from backend.missing.routes import MissingCaseController
from backend.ops.request_log import request_log_middleware
from backend.ops.routes import OpsController
from backend.owners.routes import OwnerController
from backend.reachability.routes import ReachabilityController, TestAlertController
from backend.retention.routes import LegalHoldController
from backend.schools.calendar import norwegian_holidays
from backend.schools.routes import SchoolController
from backend.signin.idp import IdentityVerifier
from backend.signin.keys import load_signing_key
from backend.signin.middleware import EXCLUDE, BearerAuthMiddleware
from backend.signin.routes import AuthController, DevLoginController
from backend.signin.tokens import AccessTokens
from backend.web.pages import template_config
from backend.web.routes import web_router
from backend.web.settings import PortalSignIn
from notifications.channels import configure as configure_channels
from notifications.webpush import WebPushConfig, load_vapid_key
from notifications.webpush import configure as configure_web_push


def build_runtime(settings: Settings, dsn: str | None = None) -> Runtime:
    clock = Clock(parse_instant(settings.now) if settings.now else None)
    tokens = AccessTokens(
        load_signing_key(settings.tokens, production=settings.is_production, data_dir=settings.data_dir),
        issuer=settings.tokens.issuer,
        audience=settings.tokens.audience,
        lifetime_seconds=settings.tokens.access_token_seconds,
    )
    return Runtime(
        settings=settings,
        clock=clock,
        tokens=tokens,
        identity=IdentityVerifier(settings.identity.providers),
        dsn=dsn,
    )


def create_app(
    settings: Settings | None = None,
    *,
    runtime: Runtime | None = None,
    background: list[BackgroundTask] | None = None,
) -> Litestar:
    rt = runtime or build_runtime(settings or Settings.from_env())
    _load_holidays()
    # SMS and e-mail transports of this process (jobs send through them).
    configure_channels(
        rt.settings.sms,
        rt.settings.mail,
        production=rt.settings.is_production,
        public_url=rt.settings.web.public_url,
    )
    configure_web_push(web_push_config(rt.settings))
    sign_in: list[type] = [AuthController]
    api: list[type | Router] = [
        MeController,
        InboxController,
        WebPushController,
        AbsenceController,
        AbsenceSummaryController,
        AbsenceWarningsController,
        AbsenceDocumentationController,
        AssessmentController,
        MessagingController,
        OfficeHoursController,
        LeaveController,
        SchoolController,
        AttendanceController,
        MissingCaseController,
        CallListController,
        MyContactController,
        ReachabilityController,
        TestAlertController,
        AuditLogController,
        GuardianController,
        FollowUpController,
        OwnerController,
        LegalHoldController,
    ]
    if rt.settings.dev_routes:
        sign_in.append(DevLoginController)
        api.append(DevController)
    api.extend(sign_in)  # rate limited in auth/service.py (backend/ratelimit.py)
    api_router = Router(
        path="/api/v1",
        route_handlers=api,
        middleware=[
            DefineMiddleware(
                BearerAuthMiddleware,
                exclude=EXCLUDE,
                verify=lambda token: rt.tokens.verify(token, rt.clock.now()),
            )
        ],
        security=[{"bearer": []}],
    )
    app = Litestar(
        route_handlers=[OpsController, SmsHookController, api_router, web_router(), *docs_routes()],
        template_config=template_config(),
        dependencies={**DEPENDENCIES, **_process_dependencies(rt)},
        exception_handlers=exception_handlers(),
        before_request=check_key_on_post,
        lifespan=[lifespan_for(rt, background or [])],
        state=_state(rt),
        openapi_config=OpenAPIConfig(
            title="Skolebro API",
            version="1.0.0",
            path="/schema",
            render_plugins=[SwaggerPage(), RefinedJsonPlugin()],
            components=Components(
                security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")}
            ),
        ),
        # A route with opt no_compression streams (Server-Sent Events): gzip would hold its events back.
        compression_config=CompressionConfig(
            backend="gzip", minimum_size=2048, exclude_opt_key="no_compression"
        ),
        request_max_body_size=DEFAULT_BODY_LIMIT,
        request_class=TypedBodyRequest,
        debug=False,
        logging_config=None,
    )
    complete_allow(app)
    # Litestar's ``middleware`` runs inside each matched route, after its outermost
    # exception handler: 401s from the auth middleware, unknown routes and 405s would
    # go out without a request id and unmeasured. Wrap the whole application instead.
    app.asgi_handler = request_log_middleware(no_store(app.asgi_handler))
    return app


def web_push_config(settings: Settings) -> WebPushConfig:
    """The VAPID key the API hands browsers; plain-http push services only on 127.0.0.1 outside production."""
    try:
        key = load_vapid_key(
            settings.push.vapid_private_key, production=settings.is_production, data_dir=settings.data_dir
        )
    except (OSError, ValueError) as exc:
        raise SettingsError(f"SKOLEBRO_VAPID_PRIVATE_KEY cannot be used: {exc}") from exc
    return WebPushConfig(key=key, allow_loopback_http=not settings.is_production)


def _load_holidays() -> None:
    # The holidays package imports all its country modules on first use (0.2 s, seconds
    # on a busy machine); do it at start-up rather than inside the first absence report,
    # which would hold up every request on the event loop meanwhile.
    year = date.today().year
    for y in (year - 1, year, year + 1):
        norwegian_holidays(y)


def _state(rt: Runtime) -> State:
    edge = _edge_context(rt)
    guards = GuardContext(dev_routes=rt.settings.dev_routes, now=edge.now, connection=edge.connection)
    return State({"runtime": rt, "edge": edge, GUARDS_KEY: guards})


def _edge_context(rt: Runtime) -> EdgeContext:
    # The clock and the pool are read through ``rt`` at each request: tests move the
    # clock, and the pool opens at start-up.
    return EdgeContext(
        now=lambda: rt.clock.now(),
        pool=rt.require_pool,
        acquire_timeout_seconds=rt.settings.database.acquire_timeout_seconds,
        cookie_secure=rt.settings.web.cookie_secure,
        trusted_proxies=tuple(rt.settings.limits.trusted_proxies),
    )


def _process_dependencies(rt: Runtime) -> dict[str, Provide]:
    """What sign-in, the portal's sign-in pages, dev and operations routes need of the
    process, each narrowly typed, so no route names the runtime."""

    def portal() -> PortalSignIn:
        return PortalSignIn(
            web=rt.settings.web,
            dev_routes=rt.settings.dev_routes,
            pepper=rt.settings.identity.pepper,
            jwks=rt.extras.setdefault("web_oidc_jwks", {}),
        )

    return {
        "sign_in": Provide(lambda: rt.sign_in, sync_to_thread=False),
        "portal": Provide(portal, sync_to_thread=False),
        "clock": Provide(lambda: rt.clock, sync_to_thread=False),
        "pool": Provide(lambda: rt.pool, sync_to_thread=False),
        "morning_listener": Provide(lambda: rt.listener(MORNING_CHANNEL), sync_to_thread=False),
        "roster_sync": Provide(rt.settings.roster_sync, sync_to_thread=False),
    }
