"""The morning board for the web page, in the contract's JSON shape.

The attendance package (``/api/v1/classes/{class_id}/attendance``) is built
separately. The page talks to it through this adapter only, in the shape
api.md fixes: ``{"class_id", "date", "check_completed_at", "pupils": [{
"pupil_id", "name", "status", "reason"?, "report_id"?, "missing_case_id"?}]}``.

- ``ApiBoard`` calls that API in-process (ASGI, no network) as the signed-in
  person with a ``web`` token, so the page follows every rule of the API —
  access, missing-pupil cases, pushes — without knowing its internals.
- ``FallbackBoard`` is a stand-in used only while the attendance API is not
  registered: its own marks and checks tables (migration 0007), same access
  (the class's contact teacher and class team, leaders of its school).
"""

from __future__ import annotations

import logging
import re
import uuid
from datetime import date, datetime
from typing import Any, Protocol

import asyncpg
import httpx
from litestar import Litestar

from backend.errors import Conflict, DomainError, Forbidden, Invalid, NotFound, Unauthorized
from backend.runtime import Runtime
from backend.schools.calendar import SchoolCalendar
from backend.schools.localtime import local_now
from backend.web import queries as q

log = logging.getLogger("skolebro.web")

Board = dict[str, Any]
MARKS = ("present", "absent", "late")
_BOARD_ROUTE = re.compile(r"^/api/v1/classes/\{class_id[^}]*\}/attendance$")


class BoardSource(Protocol):
    async def board(self, viewer: uuid.UUID, class_id: uuid.UUID, day: date | None) -> Board: ...

    async def roll_call(
        self, viewer: uuid.UUID, class_id: uuid.UUID, day: date, marks: list[dict[str, str]]
    ) -> Board: ...

    async def complete(self, viewer: uuid.UUID, class_id: uuid.UUID, day: date) -> Board: ...


def board_source(app: Litestar, rt: Runtime, conn: asyncpg.Connection) -> BoardSource:
    if has_attendance_api(app):
        return ApiBoard(app, rt)
    return FallbackBoard(rt, conn)


def has_attendance_api(app: Litestar) -> bool:
    known = app.state.get("web_has_attendance_api")
    if known is None:
        known = any(_BOARD_ROUTE.match(route.path) for route in app.routes)
        app.state["web_has_attendance_api"] = known
    return bool(known)


class ApiBoard:
    def __init__(self, app: Litestar, rt: Runtime) -> None:
        self._app = app
        self._rt = rt

    async def _call(self, viewer: uuid.UUID, method: str, path: str,
                    json: object = None, params: dict[str, str] | None = None) -> Board:
        token = self._rt.tokens.issue(viewer, "web", self._rt.clock.now())
        transport = httpx.ASGITransport(app=self._app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://skolebro.internal") as c:
            answer = await c.request(method, f"/api/v1{path}", json=json, params=params,
                                     headers={"authorization": f"Bearer {token}"})
        if answer.status_code == 200:
            return answer.json()
        _raise_problem(answer)
        raise AssertionError("unreachable")

    async def board(self, viewer: uuid.UUID, class_id: uuid.UUID, day: date | None) -> Board:
        params = {"date": day.isoformat()} if day else None
        return await self._call(viewer, "GET", f"/classes/{class_id}/attendance", params=params)

    async def roll_call(self, viewer: uuid.UUID, class_id: uuid.UUID, day: date,
                        marks: list[dict[str, str]]) -> Board:
        return await self._call(viewer, "PUT", f"/classes/{class_id}/attendance/{day}",
                                json={"marks": marks})

    async def complete(self, viewer: uuid.UUID, class_id: uuid.UUID, day: date) -> Board:
        return await self._call(viewer, "POST", f"/classes/{class_id}/attendance/{day}/complete")


def _raise_problem(answer: httpx.Response) -> None:
    """Turn the API's problem document back into the domain error the page shows."""
    try:
        code = str(answer.json().get("code") or "")
    except ValueError:
        code = ""
    error: type[DomainError] = {
        401: Unauthorized, 403: Forbidden, 404: NotFound, 409: Conflict, 422: Invalid,
    }.get(answer.status_code, DomainError)
    if answer.status_code >= 500 or error is DomainError:
        log.error("attendance API answered %s for the web board", answer.status_code)
        raise RuntimeError(f"attendance API answered {answer.status_code}")
    raise error(code or None)


class FallbackBoard:
    """Stand-in until backend/attendance is merged (see the module docstring)."""

    def __init__(self, rt: Runtime, conn: asyncpg.Connection) -> None:
        self._rt = rt
        self._conn = conn

    async def _access(self, viewer: uuid.UUID, class_id: uuid.UUID) -> asyncpg.Record:
        row = await self._conn.fetchrow(q.BOARD_ACCESS, viewer, class_id, self._rt.clock.now())
        if row is None or not row["allowed"]:
            raise NotFound()
        return row

    async def _board(self, cls: asyncpg.Record, day: date) -> Board:
        rows = await self._conn.fetch(q.BOARD, cls["id"], day)
        completed: datetime | None = rows[0]["check_completed_at"] if rows else None
        pupils = []
        for r in rows:
            entry: dict[str, Any] = {"pupil_id": str(r["pupil_id"]), "name": r["name"]}
            if r["mark"] in ("present", "late"):
                entry["status"] = r["mark"]
            elif r["report_id"] is not None:
                entry.update(status="reported", reason=r["reason"], report_id=str(r["report_id"]))
            elif r["on_leave"]:
                entry["status"] = "leave"
            elif r["mark"] == "absent":
                entry["status"] = "absent"
            else:
                entry["status"] = "unregistered"
            pupils.append(entry)
        return {
            "class_id": str(cls["id"]),
            "date": day.isoformat(),
            "check_completed_at": (local_now(completed, cls["timezone"]).isoformat()
                                   if completed else None),
            "pupils": pupils,
        }

    async def board(self, viewer: uuid.UUID, class_id: uuid.UUID, day: date | None) -> Board:
        cls = await self._access(viewer, class_id)
        return await self._board(cls, day or cls["today"])

    def _check_day(self, cls: asyncpg.Record, day: date) -> None:
        if day > cls["today"] or not SchoolCalendar().is_school_day(day):
            raise Invalid("request.invalid")

    async def roll_call(self, viewer: uuid.UUID, class_id: uuid.UUID, day: date,
                        marks: list[dict[str, str]]) -> Board:
        cls = await self._access(viewer, class_id)
        self._check_day(cls, day)
        if any(m.get("status") not in MARKS for m in marks):
            raise Invalid("request.invalid")
        try:
            # One mark per pupil; the last one sent wins, as on a corrected form.
            by_pupil = {uuid.UUID(m["pupil_id"]): m["status"] for m in marks}
        except (KeyError, ValueError) as exc:
            raise Invalid("request.invalid") from exc
        pupils = list(by_pupil)
        async with self._conn.transaction():
            written = await self._conn.fetchval(
                q.UPSERT_MARKS, class_id, day, pupils, list(by_pupil.values()), viewer,
                self._rt.clock.now(),
            )
            if written != len(pupils):
                raise Invalid("request.invalid")  # a pupil not in the class: nothing written
        log.info("roll call for class %s on %s: %d marks by %s (web stand-in)",
                 class_id, day, written, viewer)
        return await self._board(cls, day)

    async def complete(self, viewer: uuid.UUID, class_id: uuid.UUID, day: date) -> Board:
        cls = await self._access(viewer, class_id)
        self._check_day(cls, day)
        await self._conn.execute(q.COMPLETE_CHECK, class_id, day, viewer, self._rt.clock.now())
        log.info("absence check of class %s on %s completed by %s (web stand-in)",
                 class_id, day, viewer)
        return await self._board(cls, day)
