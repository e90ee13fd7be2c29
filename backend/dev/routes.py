"""Dev/test only: move the clock, run a job now."""

from __future__ import annotations

import logging

from litestar import Controller, post

from backend.errors import Invalid
from backend.openapi import problems
from backend.runtime import Runtime
from schemas.dev import ClockSet, ClockState

log = logging.getLogger("skolebro.dev")


class DevController(Controller):
    path = "/dev"
    tags = ["dev"]

    @post("/clock", status_code=200, summary="Dev/test only: move the service clock",
          responses=problems(401, 422))
    async def set_clock(self, rt: Runtime, data: ClockSet) -> ClockState:
        if data.now.tzinfo is None:
            raise Invalid("request.invalid", field="now")
        rt.clock.set(data.now)
        log.warning("service clock moved to %s", data.now.isoformat())
        return ClockState(now=rt.clock.now())
