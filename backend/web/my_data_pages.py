"""``/web/my-data``: download everything Skolebro holds about me (and the children I
may see), with which staff read it — the same export and rules as GET /api/v1/me/export.

The download is a POST with the CSRF token: every export is recorded and rate
limited, so a link another site could make the browser follow would use up the
person's export for ten minutes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg
from litestar import Controller, Request, Response, get, post
from litestar.response import Stream

from backend.me import export
from backend.problems.codes import Code
from backend.problems.texts import problem_text
from backend.web.pages import SECURITY_HEADERS, SIGNED_IN, locale_of, page
from backend.web.signed_in import WebSession


class MyDataPages(Controller):
    path = "/web/my-data"
    include_in_schema = False
    dependencies = SIGNED_IN

    @get("/")
    async def my_data(self, request: Request[Any, Any, Any], session: WebSession) -> Response[Any]:
        return page(request, session, "my_data.html", too_soon=None)

    @post("/export", status_code=200)
    async def download(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        pool: asyncpg.Pool | None,
        now: datetime,
        session: WebSession,
        form: dict[str, str],
    ) -> Response[Any]:
        plan = await export.start_export(conn, session.person_id, "web", now)
        if plan.retry_after is not None:
            _, detail = problem_text(Code.EXPORT_TOO_SOON, locale_of(request, session))
            answer = page(request, session, "my_data.html", status=429, error=detail, too_soon=detail)
            answer.headers["Retry-After"] = str(plan.retry_after)
            return answer
        if pool is None:
            raise RuntimeError("the database pool is not open")
        return Stream(
            export.export_document(pool, plan),
            media_type="application/json",
            headers={
                **SECURITY_HEADERS,
                "Content-Disposition": f'attachment; filename="skolebro-{now.date().isoformat()}.json"',
            },
        )
