"""The start page after sign-in: who the person is and where they can go."""

from __future__ import annotations

from typing import Any

import asyncpg
from litestar import Controller, Request, Response, get

from backend.app.runtime import Runtime
from backend.me.service import me as load_me
from backend.web.pages import SIGNED_IN, page
from backend.web.signed_in import WebSession


class HomePages(Controller):
    path = "/web"
    include_in_schema = False
    dependencies = SIGNED_IN

    @get("/")
    async def home(
        self, request: Request[Any, Any, Any], conn: asyncpg.Connection, rt: Runtime, session: WebSession
    ) -> Response[Any]:
        me = await load_me(conn, session.person_id, rt.clock.now())
        return page(request, rt, session, "home.html", me=me)
