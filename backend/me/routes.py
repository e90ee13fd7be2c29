"""HTTP for the signed-in person (api.md: Me)."""

from __future__ import annotations

from datetime import datetime

import asyncpg
from litestar import Controller, get

from backend.access.principal import Principal
from backend.edge.openapi import problems
from backend.me import service
from schemas.me import Me


class MeController(Controller):
    path = "/me"
    tags = ["me"]

    @get("/", summary="Who I am: roles, children, classes, groups", responses=problems(401))
    async def me(self, conn: asyncpg.Connection, now: datetime, principal: Principal) -> Me:
        return await service.me(conn, principal.person_id, now)
