"""Scheduled work of the absence summary: written subject warnings (grades 11–13)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import asyncpg

from backend.absence.warnings import draft_warnings, send_queued_mails
from notifications.channels import channels
from notifications.mail import MailTransport


async def absence_warnings(
    conn: asyncpg.Connection,
    now: datetime,
    pupils: Sequence[uuid.UUID] | None = None,
    mail: MailTransport | None = None,
) -> dict[str, Any]:
    """Draft (and, where the school chose so, send) the warnings due, then hand the
    warnings' queued e-mails to the mail transport (the process's unless given).

    Pass `pupils` to check only those (e.g. right after recording their absence).
    """
    effects: dict[str, Any] = dict(await draft_warnings(conn, now, pupils))
    effects.update(await send_queued_mails(conn, now, mail or channels().mail))
    return effects
