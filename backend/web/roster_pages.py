"""The roster's state for the school's leaders: the last import or sync with its
warnings, and the people at the school who cannot sign in."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import asyncpg
from litestar import Controller, Request, Response, get

from backend.roster.state import roster_state
from backend.web.pages import SIGNED_IN, page
from backend.web.signed_in import WebSession

# The kinds a run counts (backend/roster/importer.py), with their text keys.
KINDS = {
    "schools": "desk_kind_schools",
    "school years": "desk_kind_school_years",
    "people": "desk_kind_people",
    "classes": "desk_kind_classes",
    "groups": "desk_kind_groups",
    "guardian relations": "desk_kind_relations",
    "enrollments": "desk_kind_enrollments",
    "staff assignments": "desk_kind_assignments",
}


class RosterPages(Controller):
    path = "/web/schools/{school_id:uuid}/roster"
    include_in_schema = False
    dependencies = SIGNED_IN

    @get("/")
    async def roster_page(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        now: datetime,
        session: WebSession,
        school_id: uuid.UUID,
    ) -> Response[Any]:
        state = await roster_state(conn, session.person_id, school_id, now)
        return page(request, session, "roster_state.html", school_id=school_id, state=state, kinds=KINDS)
