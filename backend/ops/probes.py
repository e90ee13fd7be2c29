"""``/metrics``, ``/health`` and ``/ready`` for a process without the API (``skolebro dispatcher``).

A few lines of asyncio rather than a second web framework: kubelet probes and
Prometheus scrapes are plain ``GET``s, answered once and closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from datetime import datetime

import asyncpg

from backend.db.migrate import pending_migrations
from backend.ops import metrics

log = logging.getLogger("skolebro.ops")

# The process's pool (None until it is open) and clock, as the caller keeps them.
PoolOf = Callable[[], asyncpg.Pool | None]
Now = Callable[[], datetime]

_REASONS = {200: "OK", 404: "Not Found", 405: "Method Not Allowed", 503: "Service Unavailable"}


async def _ready(pool_of: PoolOf, alive: Callable[[], bool]) -> tuple[int, dict[str, str]]:
    if not alive():
        return 503, {"status": "unavailable", "reason": "dispatcher not running"}
    try:
        async with asyncio.timeout(3):
            pool = pool_of()
            if pool is None:
                raise RuntimeError("the database pool is not open")
            async with pool.acquire() as conn:
                pending = await pending_migrations(conn)
    except Exception as exc:  # any failure to reach the database means not ready
        log.warning("not ready: %s", exc)
        return 503, {"status": "unavailable", "reason": "database unreachable"}
    if pending:
        return 503, {"status": "unavailable", "reason": "migrations pending"}
    return 200, {"status": "ready"}


async def answer(
    pool_of: PoolOf, now: Now, alive: Callable[[], bool], method: str, path: str
) -> tuple[int, str, bytes]:
    """Status, content type and body for one request."""
    path = path.split("?", 1)[0]
    if path not in ("/health", "/ready", "/metrics"):
        return 404, "application/json", b'{"status":"not found"}'
    if method not in ("GET", "HEAD"):
        return 405, "application/json", b'{"status":"method not allowed"}'
    if path == "/health":
        return 200, "application/json", b'{"status":"ok"}'
    if path == "/ready":
        status, body = await _ready(pool_of, alive)
        return status, "application/json", json.dumps(body).encode()
    await metrics.refresh_within_limit(pool_of(), now())
    return 200, metrics.CONTENT_TYPE, metrics.render()


async def serve_probes(
    pool_of: PoolOf, now: Now, alive: Callable[[], bool], host: str, port: int
) -> asyncio.base_events.Server:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            async with asyncio.timeout(10):
                request_line = (await reader.readline()).decode("latin-1").split()
                while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                    pass  # headers: nothing here needs them
            if len(request_line) < 2:
                return
            method, path = request_line[0], request_line[1]
            status, content_type, body = await answer(pool_of, now, alive, method, path)
            head = (
                f"HTTP/1.1 {status} {_REASONS.get(status, '')}\r\nContent-Type: {content_type}\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            )
            writer.write(head.encode("latin-1") + (b"" if method == "HEAD" else body))
            await writer.drain()
        except (TimeoutError, ConnectionError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    server = await asyncio.start_server(handle, host, port)
    log.info("dispatcher probes and metrics on http://%s:%d/metrics", host, port)
    return server
