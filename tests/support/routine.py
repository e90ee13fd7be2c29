"""Helpers for the morning-routine tests: local times, notifications, roll calls."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from tests.support.demo import person

OSLO = ZoneInfo("Europe/Oslo")
MONDAY = date(2026, 11, 23)


def oslo(day: date, hh: int, mm: int = 0, ss: int = 0) -> datetime:
    """The instant a clock in Oslo shows hh:mm on ``day``."""
    return datetime.combine(day, time(hh, mm, ss), OSLO)


async def inbox(db: asyncpg.Connection, username: str, kind: str | None = None) -> list[Any]:
    """The notifications a demo user has, oldest first."""
    return await db.fetch(
        "SELECT kind, title, body, data, urgent, created_at FROM notifications"
        " WHERE person_id = $1 AND ($2::text IS NULL OR kind = $2) ORDER BY created_at, id",
        person(username),
        kind,
    )


async def kinds_by_user(db: asyncpg.Connection, kind: str) -> dict[str, int]:
    rows = await db.fetch(
        "SELECT p.username, count(*) AS n FROM notifications n JOIN people p ON p.id = n.person_id"
        " WHERE n.kind = $1 GROUP BY p.username",
        kind,
    )
    return {r["username"]: r["n"] for r in rows}


async def class_pupils(db: asyncpg.Connection, class_id: uuid.UUID) -> list[uuid.UUID]:
    return [
        r["pupil_id"]
        for r in await db.fetch(
            "SELECT pupil_id FROM class_enrollments WHERE class_id = $1 ORDER BY pupil_id", class_id
        )
    ]


async def roll_call(
    client: Any,
    headers: dict[str, str],
    db: asyncpg.Connection,
    class_id: uuid.UUID,
    day: date,
    absent: set[uuid.UUID],
    late: frozenset[uuid.UUID] = frozenset(),
) -> Any:
    """Everyone present except ``absent`` (and ``late``)."""
    marks = []
    for p in await class_pupils(db, class_id):
        status = "absent" if p in absent else "late" if p in late else "present"
        marks.append({"pupil_id": str(p), "status": status})
    return await client.put(
        f"/api/v1/classes/{class_id}/attendance/{day.isoformat()}", headers=headers, json={"marks": marks}
    )


async def run_job(client: Any, tokens: Any, name: str) -> dict[str, Any]:
    """Run a scheduled job at the service clock through the dev endpoint."""
    r = await client.post(f"/api/v1/dev/jobs/{name}/run", headers=await tokens.headers("leader"))
    assert r.status_code == 200, r.text
    return r.json()["effects"]  # type: ignore[no-any-return]


def pupil_row(board: dict[str, Any], pupil: uuid.UUID) -> dict[str, Any]:
    return next(p for p in board["pupils"] if p["pupil_id"] == str(pupil))
