"""The start page after sign-in: for guardians and pupils the children and what needs
them (``home_family.html``); for staff ``home.html``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg
from litestar import Controller, Request, Response, get

from backend.me.service import me as load_me
from backend.messaging import service as messaging
from backend.web.family import family
from backend.web.pages import SIGNED_IN, page
from backend.web.signed_in import WebSession
from backend.web.staff_home import staff_now
from schemas.common import Role


class HomePages(Controller):
    path = "/web"
    include_in_schema = False
    dependencies = SIGNED_IN

    @get("/")
    async def home(
        self, request: Request[Any, Any, Any], conn: asyncpg.Connection, now: datetime, session: WebSession
    ) -> Response[Any]:
        me = await load_me(conn, session.person_id, now)
        if not ({Role.teacher, Role.school_leader, Role.school_owner} & set(me.roles)):
            # Guardians and pupils: the children with today's state (backend/web/family.py).
            children = await family(conn, me, now)
            threads = await messaging.list_threads(conn, session.person_id, None, 50, now)
            unread = sum(t.unread for t in threads.items)
            return page(request, session, "home_family.html", me=me, children=children, unread=unread)
        staff = await staff_now(conn, session.person_id, now) if me.classes else None
        return page(request, session, "home.html", me=me, staff=staff)
