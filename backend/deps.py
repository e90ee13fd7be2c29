"""Dependencies every controller shares."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

import asyncpg
from litestar import Request
from litestar.datastructures import State
from litestar.di import Provide

from backend.auth.tokens import Principal
from backend.db.pool import connection
from backend.runtime import Runtime


def provide_runtime(state: State) -> Runtime:
    return state.runtime


async def provide_conn(state: State) -> AsyncGenerator[asyncpg.Connection, None]:
    rt: Runtime = state.runtime
    async with connection(rt.require_pool(), rt.settings.db_acquire_timeout_seconds) as conn:
        yield conn


def provide_principal(request: Request[Any, Any, Any]) -> Principal:
    return request.user


DEPENDENCIES = {
    "rt": Provide(provide_runtime, sync_to_thread=False),
    "conn": Provide(provide_conn),
    "principal": Provide(provide_principal, sync_to_thread=False),
}
