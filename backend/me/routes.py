"""HTTP for the signed-in person (api.md: Me)."""

from __future__ import annotations

import asyncpg
from litestar import Controller, get

from backend.access.principal import Principal
from backend.app.runtime import Runtime
from backend.edge.openapi import problems
from backend.me import service
from schemas.me import Me


class MeController(Controller):
    path = "/me"
    tags = ["me"]

    @get("/", summary="Who I am: roles, children, classes, groups", responses=problems(401))
    async def me(self, conn: asyncpg.Connection, rt: Runtime, principal: Principal) -> Me:
        return await service.me(conn, principal.person_id, rt.clock.now())
