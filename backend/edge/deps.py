"""Dependencies every controller shares: ``now``, ``principal``, ``conn`` and ``once``.

The edge does not import the app assembly: the application factory hands it an
``EdgeContext`` (what the edge reads of the running process) in ``app.state.edge``.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
from litestar import Request
from litestar.datastructures import State
from litestar.di import Provide

from backend.access.principal import Principal
from backend.db.pool import connection
from backend.edge.idempotency import Idempotent
from backend.edge.ratelimit import client_address


@dataclass(frozen=True, slots=True)
class EdgeContext:
    """What the edge reads of the running process.

    ``now`` and ``pool`` are read at each request: the clock can be moved and the pool
    opens at start-up, after the application is built. The settings are fixed.
    """

    now: Callable[[], datetime]
    pool: Callable[[], asyncpg.Pool]
    acquire_timeout_seconds: float
    cookie_secure: bool
    trusted_proxies: tuple[str, ...]

    def connection(self) -> AbstractAsyncContextManager[asyncpg.Connection]:
        """A connection of the request pool, within its acquire timeout."""
        return connection(self.pool(), self.acquire_timeout_seconds)


def edge_of(request: Request[Any, Any, Any]) -> EdgeContext:
    edge: EdgeContext = request.app.state.edge
    return edge


def caller_address(request: Request[Any, Any, Any]) -> str:
    """The client's address, through the trusted proxies (backend/edge/ratelimit.py)."""
    return client_address(request.scope, edge_of(request).trusted_proxies)


# Chained now -> principal -> conn -> once on purpose: Litestar resolves dependencies
# that do not depend on one another in an anyio task group (a task, a cancel scope and
# an event each), which cost an eighth of the service's CPU per request in the morning
# mix; one after another they are plain awaits.


def provide_now(state: State) -> datetime:
    edge: EdgeContext = state.edge
    return edge.now()


def provide_principal(request: Request[Any, Any, Any], now: datetime) -> Principal | None:
    # None only on the routes that need no token, which never ask for a principal.
    return request.scope.get("user")


async def provide_conn(state: State, principal: Principal | None) -> AsyncGenerator[asyncpg.Connection, None]:
    edge: EdgeContext = state.edge
    async with edge.connection() as conn:
        yield conn


def provide_once(
    request: Request[Any, Any, Any], conn: asyncpg.Connection, principal: Principal
) -> Idempotent:
    return Idempotent(request, conn, principal.person_id)


DEPENDENCIES = {
    "now": Provide(provide_now, sync_to_thread=False),
    "principal": Provide(provide_principal, sync_to_thread=False),
    "conn": Provide(provide_conn),
    "once": Provide(provide_once, sync_to_thread=False),
}
