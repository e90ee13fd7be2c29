"""Sending a written absence warning from the pupil page (the form in
templates/pupil_warnings.html): the same service and access policy as the API."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg
from litestar import Controller, post
from litestar.response import Redirect

from backend.absence import warnings
from backend.access.policy import pupil_access
from backend.web.pages import SIGNED_IN, see_other
from backend.web.signed_in import WebSession


class WarningPages(Controller):
    path = "/web/pupils/{pupil_id:uuid}/absence-warnings"
    dependencies = SIGNED_IN
    include_in_schema = False

    @post("/{warning_id:uuid}/send", status_code=303)
    async def send(
        self,
        conn: asyncpg.Connection,
        now: datetime,
        session: WebSession,
        form: dict[str, str],
        pupil_id: uuid.UUID,
        warning_id: uuid.UUID,
    ) -> Redirect:
        access = await pupil_access(conn, session.person_id, pupil_id, now)
        await warnings.send_warning(conn, access, session.person_id, warning_id, now)
        return see_other(f"/web/pupils/{pupil_id}#warning-{warning_id}")


__all__ = ["WarningPages"]
