"""Health, readiness and metrics (api.md: Operations)."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

import asyncpg
from litestar import Controller, MediaType, Response, get
from litestar.openapi.datastructures import ResponseSpec

from backend.db.migrate import pending_migrations
from backend.db.pool import connection
from backend.ops import metrics

log = logging.getLogger("skolebro.ops")

READY_TIMEOUT_SECONDS = 3.0


class OpsController(Controller):
    path = "/"
    tags = ["operations"]
    include_in_schema = True

    @get("/health", summary="The process is up", media_type=MediaType.JSON)
    async def health(self) -> dict[str, str]:
        return {"status": "ok"}

    @get(
        "/ready",
        summary="Database reachable and migrations applied (else 503)",
        responses={
            503: ResponseSpec(
                data_container=dict[str, str], description="Database unreachable or migrations pending"
            )
        },
    )
    async def ready(self, pool: asyncpg.Pool | None) -> Response[dict[str, str]]:
        # The check runs as a task of its own and is left behind on timeout: cancelling
        # it inside ``asyncio.timeout`` would wait for the connection's release, which
        # on a hung (stopped, not dead) server waits as long as the hang.
        check = asyncio.create_task(_pending(pool))
        done, _ = await asyncio.wait({check}, timeout=READY_TIMEOUT_SECONDS)
        if not done:
            check.cancel()
            log.warning("not ready: the database did not answer within %s s", READY_TIMEOUT_SECONDS)
            return Response({"status": "unavailable", "reason": "database unreachable"}, status_code=503)
        try:
            pending = check.result()
        except Exception as exc:  # any failure to reach the database means not ready
            log.warning("not ready: %s", exc)
            return Response({"status": "unavailable", "reason": "database unreachable"}, status_code=503)
        if pending:
            return Response({"status": "unavailable", "reason": "migrations pending"}, status_code=503)
        return Response({"status": "ready"}, status_code=200)

    @get("/metrics", summary="Prometheus metrics", media_type=MediaType.TEXT)
    async def metrics(self, pool: asyncpg.Pool | None, now: datetime) -> Response[bytes]:
        await metrics.refresh_within_limit(pool, now)
        return Response(metrics.render(), media_type=metrics.CONTENT_TYPE)


async def _pending(pool: asyncpg.Pool | None) -> list[str]:
    if pool is None:
        raise RuntimeError("the database pool is not open")
    async with connection(pool, READY_TIMEOUT_SECONDS) as conn:
        return await pending_migrations(conn)
