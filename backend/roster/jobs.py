"""The nightly ``roster-sync`` job: once a day, from the earliest ``roster_sync_at``
of the schools (default 05:00, Oslo time), when a OneRoster provider is configured."""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from backend.lib.config import read_group
from backend.roster.settings import RosterSettings, read_options
from backend.signin.settings import IdentitySettings

log = logging.getLogger("skolebro.roster.sync")

# The claim row keeps it to one replica and one run a day; a failed run is not
# retried every minute against a provider that is down (the log says so, and
# `skolebro roster sync` runs it by hand).
CLAIM = """
WITH due AS (SELECT coalesce(min(roster_sync_at), '05:00') AS at FROM schools)
INSERT INTO job_claims (job, unit_id, local_date, claimed_at)
SELECT 'roster-sync', '00000000-0000-0000-0000-000000000000',
       ($1::timestamptz AT TIME ZONE 'Europe/Oslo')::date, $1
FROM due WHERE ($1::timestamptz AT TIME ZONE 'Europe/Oslo')::time >= due.at
ON CONFLICT DO NOTHING RETURNING true
"""


@dataclass(frozen=True, slots=True)
class RosterSync:
    """What the nightly sync needs: the provider, and the key national identity numbers are hashed with."""

    settings: RosterSettings
    pepper: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> RosterSync:
        source = os.environ if environ is None else environ
        return cls(read_group(RosterSettings, source), read_group(IdentitySettings, source).pepper)


def _given_or_from_env(settings: RosterSettings | None, pepper: str | None) -> RosterSync:
    if settings is not None and pepper is not None:
        return RosterSync(settings, pepper)
    environment = RosterSync.from_env()
    return RosterSync(settings or environment.settings, pepper or environment.pepper)


def roster_sync_job(
    settings: RosterSettings | None, pepper: str | None = None
) -> Callable[[asyncpg.Pool, datetime], Awaitable[dict[str, Any]]]:
    """The job for these settings and pepper (None: the process environment's, read when it runs)."""

    async def run(pool: asyncpg.Pool, now: datetime) -> dict[str, Any]:
        from backend.roster.oneroster.model import RosterError
        from backend.roster.rest import SyncError, sync_roster

        current = _given_or_from_env(settings, pepper)
        if not current.settings.oneroster_configured:
            return {"synced": 0}
        async with pool.acquire() as conn:
            if not await conn.fetchval(CLAIM, now):
                return {"synced": 0}
            try:
                summary = await sync_roster(
                    conn, current.settings, now=now, options=read_options(current.settings, current.pepper)
                )
            except (SyncError, RosterError) as exc:
                log.error("nightly roster sync failed, nothing was changed: %s", exc)
                return {"synced": 0, "failed": 1}
        return {
            "synced": 1,
            "created": sum(summary.created.values()),
            "changed": sum(summary.updated.values()),
            "removed": sum(summary.removed.values()),
            "warnings": summary.warning_count,
        }

    return run
