"""The morning overview (api.md: ``/web/morning``): every class the person answers for.

Without JavaScript a reload shows the state of now. With it, ``morning.js`` listens
to ``/web/morning/events`` (Server-Sent Events) and fetches ``/web/morning/table``
when told that something at the school changed. The stream carries no data about
anyone, only "changed", so it holds no database connection and reads nothing while
open: the process's one LISTEN connection (backend/db/listener.py) wakes it. The
fragment is read, and audited, like the page.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Any

import asyncpg
from litestar import Controller, Request, Response, get
from litestar.response import ServerSentEvent, ServerSentEventMessage

from backend.attendance import morning
from backend.db.listener import Listener
from backend.web.pages import SECURITY_HEADERS, SIGNED_IN, page
from backend.web.signed_in import WebSession

# A comment line this often keeps proxies and load balancers from closing an idle stream.
HEARTBEAT_SECONDS = 15.0
# Changes that come in a burst (a sweep over many cases, roll calls of several classes)
# are one refresh.
SETTLE_SECONDS = 0.3
# A stream ends after this long; the browser reconnects at once, and the reconnect
# checks the session again (one signed out meanwhile gets no more signals).
STREAM_SECONDS = 20 * 60.0
# How soon a browser reconnects after the stream ends or the service restarts.
RETRY_MS = 2000


async def changes(
    listener: Listener, schools: frozenset[Any]
) -> AsyncGenerator[ServerSentEventMessage, None]:
    """ "changed" each time something at one of the schools changed; heartbeats between.

    Leaving the block (the browser went away: Litestar cancels the stream) drops the
    subscription.
    """
    loop = asyncio.get_running_loop()
    ends = loop.time() + STREAM_SECONDS
    async with listener.subscribe(str(s) for s in schools) as sub:
        yield ServerSentEventMessage(comment="ready", retry=RETRY_MS)
        while (left := ends - loop.time()) > 0:
            if await sub.wait(min(HEARTBEAT_SECONDS, left)):
                await asyncio.sleep(SETTLE_SECONDS)
                sub.changed.clear()
                yield ServerSentEventMessage(event="changed", data="changed")
            else:
                yield ServerSentEventMessage(comment="keep-alive")


class MorningPages(Controller):
    path = "/web/morning"
    include_in_schema = False
    dependencies = SIGNED_IN

    @get("/")
    async def morning_page(
        self, request: Request[Any, Any, Any], conn: asyncpg.Connection, now: datetime, session: WebSession
    ) -> Response[Any]:
        overview = await morning.overview(conn, session.person_id, now)
        return page(request, session, "morning.html", overview=overview)

    @get("/table")
    async def morning_table(
        self, request: Request[Any, Any, Any], conn: asyncpg.Connection, now: datetime, session: WebSession
    ) -> Response[Any]:
        """The overview's table alone, for the script to put in place."""
        overview = await morning.overview(conn, session.person_id, now)
        return page(request, session, "morning_table.html", overview=overview)

    @get("/events", opt={"no_compression": True})
    async def morning_events(
        self,
        conn: asyncpg.Connection,
        now: datetime,
        session: WebSession,
        morning_listener: Listener,
    ) -> ServerSentEvent:
        # The connection goes back to the pool when the response starts (Litestar ends
        # dependencies before streaming), so an open stream holds none.
        schools = await morning.watched_schools(conn, session.person_id, now)
        return ServerSentEvent(
            changes(morning_listener, schools),
            headers={**SECURITY_HEADERS, "X-Accel-Buffering": "no"},
        )
