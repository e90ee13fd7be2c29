"""Everything Skolebro holds about a person, and the children they may see (innsyn).

``start_export`` decides (the rate limit, which pupils: the access policy's) and
records the export in one short transaction; ``export_document`` then streams
the JSON document from one read-only snapshot, a row at a time, so a long
history never sits in memory.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

from backend.access.policy import readable_pupils
from backend.me import export_queries as q

log = logging.getLogger("skolebro.me.export")

FORMAT = "skolebro.export/1"
# At most one export per person in this window (api.md: 429 beyond).
EXPORT_EVERY = timedelta(minutes=10)
CURSOR_PREFETCH = 500


@dataclass(frozen=True, slots=True)
class ExportPlan:
    person_id: uuid.UUID
    pupils: tuple[uuid.UUID, ...]
    at: datetime
    # Seconds until the next export is allowed; None: this one goes ahead.
    retry_after: int | None = None


async def start_export(
    conn: asyncpg.Connection, person_id: uuid.UUID, client: str, now: datetime
) -> ExportPlan:
    async with conn.transaction():
        await conn.execute(q.LOCK_PERSON, person_id)
        last = await conn.fetchval(q.LAST_EXPORT, person_id)
        if last is not None and now - last < EXPORT_EVERY:
            wait = (last + EXPORT_EVERY - now).total_seconds()
            return ExportPlan(person_id, (), now, retry_after=max(1, int(wait + 0.999)))
        candidates = [r["pupil_id"] for r in await conn.fetch(q.CANDIDATE_PUPILS, person_id, now)]
        # The policy has the last word: a guardian with access, or the pupil themself.
        allowed = await readable_pupils(conn, person_id, candidates, now)
        pupils = tuple(sorted(p for p, a in allowed.items() if a.relation in ("guardian", "self")))
        await conn.execute(q.RECORD_EXPORT, person_id, client, now, len(pupils))
    log.info("export of person %s (%d pupils)", person_id, len(pupils))
    return ExportPlan(person_id, pupils, now)


# (key, statement, its parameters, one object or a list). P: the person, K: the
# pupils, T: the instant.
_SECTIONS: tuple[tuple[str, str, str, bool], ...] = (
    ("person", q.PERSON, "P", True),
    ("contact", q.CONTACT, "P", True),
    ("preferences", q.PREFERENCES, "P", True),
    ("devices", q.DEVICES, "P", False),
    ("inbox", q.INBOX, "P", False),
    ("threads", q.THREADS, "P", False),
    ("pupils", q.PUPILS, "K", False),
    ("absence_reports", q.ABSENCE_REPORTS, "PK", False),
    ("leave_requests", q.LEAVE_REQUESTS, "PK", False),
    ("missing_cases", q.MISSING_CASES, "PK", False),
    ("assessments", q.ASSESSMENTS, "KT", False),
    ("staff_reads", q.STAFF_READS, "PKT", False),
)


async def export_document(pool: asyncpg.Pool, plan: ExportPlan) -> AsyncIterator[bytes]:
    """The document, in pieces: one snapshot, server-side cursors, one row at a time."""
    yield (f'{{"format": "{FORMAT}", "generated_at": "{plan.at.isoformat()}"').encode()
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        for key, sql, params, single in _SECTIONS:
            given = {"P": plan.person_id, "K": list(plan.pupils), "T": plan.at}
            args = [given[p] for p in params]
            if single:
                value = await conn.fetchval(sql, *args)
                yield f', "{key}": {value or "null"}'.encode()
                continue
            yield f', "{key}": ['.encode()
            first = True
            async for row in conn.cursor(sql, *args, prefetch=CURSOR_PREFETCH):
                yield (row[0] if first else "," + row[0]).encode()
                first = False
            yield b"]"
    yield b"}\n"
