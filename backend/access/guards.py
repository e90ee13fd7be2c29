"""Role-level checks as Litestar guards: who may call a route at all, before its body is read.

Object-level checks (this pupil, this class, this thread) stay in the services,
through ``backend/access/policy.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from backend.access.policy import require_running_staff, require_staff
from backend.access.principal import Principal
from backend.problems.codes import Code
from backend.problems.errors import NotFound, Unauthorized

# The application state's key of the guards' context (set by backend/app/factory.py).
STATE_KEY = "guards"


@dataclass(frozen=True, slots=True)
class GuardContext:
    """What the guards need of the process."""

    dev_routes: bool
    now: Callable[[], datetime]
    # A connection of the request pool, within its acquire timeout.
    connection: Callable[[], AbstractAsyncContextManager[asyncpg.Connection]]


def _context(conn: ASGIConnection[Any, Any, Any, Any]) -> GuardContext:
    context: GuardContext = conn.app.state[STATE_KEY]
    return context


def dev_routes_only(conn: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Dev/test sign-in and tools: in production the route does not exist (404)."""
    if not _context(conn).dev_routes:
        raise NotFound()


def _principal(conn: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    principal = conn.scope.get("user")
    if not isinstance(principal, Principal):
        raise Unauthorized(Code.AUTH_MISSING_TOKEN)
    return principal


async def staff_only(conn: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Staff or system administrators only; others get 403 (``dev.staff_only``)."""
    principal = _principal(conn)
    async with _context(conn).connection() as db:
        await require_staff(db, principal.person_id)


async def running_staff_only(conn: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Staff of a running school year only; others get 403 (``messaging.staff_only``)."""
    context = _context(conn)
    principal = _principal(conn)
    async with context.connection() as db:
        await require_running_staff(db, principal.person_id, context.now())
