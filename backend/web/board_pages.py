"""The morning board of a class: roll call and the completed check."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

import asyncpg
from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter

from backend.attendance import morning
from backend.me.service import me as load_me
from backend.problems.codes import Code
from backend.problems.errors import Invalid
from backend.schools.localtime import local_now
from backend.schools.service import class_timezone
from backend.web import board_view as boards
from backend.web.board_view import MARKS
from backend.web.pages import SIGNED_IN, page, see_other
from backend.web.signed_in import WebSession


def _parse_day(text: str | None) -> date:
    try:
        return date.fromisoformat(text or "")
    except ValueError as exc:
        raise Invalid(Code.REQUEST_INVALID) from exc


class BoardPages(Controller):
    path = "/web/classes/{class_id:uuid}/attendance"
    include_in_schema = False
    dependencies = SIGNED_IN

    @get("/")
    async def board_page(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        now: datetime,
        session: WebSession,
        class_id: uuid.UUID,
        on: Annotated[str | None, Parameter(query="date")] = None,
    ) -> Response[Any]:
        day = _parse_day(on) if on else None
        board = await boards.board(conn, session.person_id, class_id, day, now)
        me = await load_me(conn, session.person_id, now)
        class_name = next((c.name for c in me.classes if c.class_id == class_id), "")
        counts = {k: 0 for k in ("reported", "leave", "absent", "unregistered")}
        for p in board["pupils"]:
            if p["status"] in counts:
                counts[p["status"]] += 1
        timezone = await class_timezone(conn, class_id)
        # The day's missing-pupil cases of the class, open ones first (audited).
        cases = await morning.class_day_cases(
            conn, session.person_id, class_id, date.fromisoformat(board["date"]), now
        )
        completed = board.get("check_completed_at")
        completed_at = (
            local_now(datetime.fromisoformat(completed), timezone).strftime("%H:%M") if completed else None
        )
        return page(
            request,
            session,
            "attendance.html",
            board=board,
            class_name=class_name,
            counts=counts,
            cases=cases,
            completed_at=completed_at,
            marks=MARKS,
            today=local_now(now, timezone).date().isoformat(),
        )

    @post("/", status_code=303)
    async def roll_call(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        now: datetime,
        session: WebSession,
        form: dict[str, str],
        class_id: uuid.UUID,
    ) -> Response[Any]:
        day = _parse_day(form.get("date"))
        marks = [
            {"pupil_id": key.removeprefix("mark_"), "status": value}
            for key, value in form.items()
            if key.startswith("mark_")
        ]
        if marks:
            await boards.roll_call(conn, session.person_id, class_id, day, marks, now)
        else:  # nothing to record, but the class must still be the caller's to see
            await boards.board(conn, session.person_id, class_id, day, now)
        return see_other(f"/web/classes/{class_id}/attendance?date={day}&done=marked")

    @post("/complete", status_code=303)
    async def complete(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        now: datetime,
        session: WebSession,
        form: dict[str, str],
        class_id: uuid.UUID,
    ) -> Response[Any]:
        day = _parse_day(form.get("date"))
        await boards.complete(conn, session.person_id, class_id, day, now)
        return see_other(f"/web/classes/{class_id}/attendance?date={day}&done=completed")
