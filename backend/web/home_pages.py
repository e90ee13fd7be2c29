"""The start page after sign-in: who the person is and where they can go."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg
from litestar import Controller, Request, Response, get

from backend.me.service import me as load_me
from backend.web.pages import SIGNED_IN, page
from backend.web.signed_in import WebSession
from backend.web.staff_home import staff_now


class HomePages(Controller):
    path = "/web"
    include_in_schema = False
    dependencies = SIGNED_IN

    @get("/")
    async def home(
        self, request: Request[Any, Any, Any], conn: asyncpg.Connection, now: datetime, session: WebSession
    ) -> Response[Any]:
        me = await load_me(conn, session.person_id, now)
        staff = await staff_now(conn, session.person_id, now) if me.classes else None
        return page(request, session, "home.html", me=me, staff=staff)
