"""Role-level checks as Litestar guards: who may call a route at all, before its body is read.

Object-level checks (this pupil, this class, this thread) stay in the services,
through ``backend/auth/policy.py``.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from backend.access.policy import require_running_staff, require_staff
from backend.access.principal import Principal
from backend.app.runtime import Runtime
from backend.db.pool import connection
from backend.problems.codes import Code
from backend.problems.errors import NotFound, Unauthorized


def _runtime(conn: ASGIConnection[Any, Any, Any, Any]) -> Runtime:
    runtime: Runtime = conn.app.state.runtime
    return runtime


def dev_routes_only(conn: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Dev/test sign-in and tools: in production the route does not exist (404)."""
    if not _runtime(conn).settings.dev_routes:
        raise NotFound()


def _principal(conn: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    principal = conn.scope.get("user")
    if not isinstance(principal, Principal):
        raise Unauthorized(Code.AUTH_MISSING_TOKEN)
    return principal


async def staff_only(conn: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Staff or system administrators only; others get 403 (``dev.staff_only``)."""
    principal = _principal(conn)
    rt = _runtime(conn)
    async with connection(rt.require_pool(), rt.settings.db_acquire_timeout_seconds) as db:
        await require_staff(db, principal.person_id)


async def running_staff_only(conn: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Staff of a running school year only; others get 403 (``messaging.staff_only``)."""
    principal = _principal(conn)
    rt = _runtime(conn)
    async with connection(rt.require_pool(), rt.settings.db_acquire_timeout_seconds) as db:
        await require_running_staff(db, principal.person_id, rt.clock.now())
