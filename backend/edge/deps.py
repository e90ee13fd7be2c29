"""Dependencies every controller shares."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

import asyncpg
from litestar import Request
from litestar.datastructures import State
from litestar.di import Provide

from backend.access.principal import Principal
from backend.app.runtime import Runtime
from backend.db.pool import connection


def provide_runtime(state: State) -> Runtime:
    return state.runtime


# Chained rt -> principal -> conn on purpose: Litestar resolves dependencies that do
# not depend on one another in an anyio task group (a task, a cancel scope and an
# event each), which cost an eighth of the service's CPU per request in the morning
# mix; one after another they are plain awaits.


async def provide_conn(rt: Runtime, principal: Principal | None) -> AsyncGenerator[asyncpg.Connection, None]:
    async with connection(rt.require_pool(), rt.settings.database.acquire_timeout_seconds) as conn:
        yield conn


def provide_principal(request: Request[Any, Any, Any], rt: Runtime) -> Principal | None:
    # None only on the routes that need no token, which never ask for a principal.
    return request.scope.get("user")


DEPENDENCIES = {
    "rt": Provide(provide_runtime, sync_to_thread=False),
    "conn": Provide(provide_conn),
    "principal": Provide(provide_principal, sync_to_thread=False),
}
