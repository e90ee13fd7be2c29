"""Erasing what has passed its retention period, and legal holds that stop it.

A run works category by category in batches of short transactions (no long
locks: the morning routine must not notice), skips rows others hold locked,
and records one ``retention_runs`` row with what it erased: the run's audit
entry. Only one real run works at a time; a second one started meanwhile erases
nothing and says so. Records the archive needs (enrollments, absence reports and
marks, assessments) are in no category and are never erased here.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import asyncpg

from backend.access.policy import PupilAccess, pupil_access
from backend.problems.codes import Code
from backend.problems.errors import Forbidden, Invalid
from backend.retention import queries as q
from backend.retention.settings import RetentionSettings
from schemas.retention import LegalHold, LegalHoldPlace

log = logging.getLogger("skolebro.retention")

# The archive's records: no category may ever name these tables.
ARCHIVE_TABLES = frozenset(
    {
        "class_enrollments",
        "former_class_enrollments",
        "absence_reports",
        "attendance_marks",
        "subject_absences",
        "assessments",
    }
)


@dataclass(slots=True)
class RetentionReport:
    as_of: datetime
    dry_run: bool
    run_id: int | None = None
    # Another real run was working: this one erased nothing.
    skipped: bool = False
    erased: dict[str, int] = field(default_factory=dict)
    cutoffs: dict[str, datetime] = field(default_factory=dict)

    def effects(self) -> dict[str, object]:
        return {"run_id": self.run_id, "dry_run": self.dry_run, "skipped": self.skipped, **self.erased}

    def lines(self) -> list[str]:
        verb = "would erase" if self.dry_run else "erased"
        if self.skipped:
            return ["another retention run is working; this one erased nothing"]
        out = [f"retention as of {self.as_of.isoformat()} (run {self.run_id}):"]
        for name, count in self.erased.items():
            out.append(
                f"  {name:<18} {verb} {count:>10,}  (older than {self.cutoffs[name].date().isoformat()})"
            )
        out.append(f"  {'total':<18} {verb} {sum(self.erased.values()):>10,}")
        return out


async def run_retention(
    pool: asyncpg.Pool,
    now: datetime,
    settings: RetentionSettings,
    *,
    dry_run: bool = False,
    started_by: str = "job",
    pause_seconds: float | None = None,
) -> RetentionReport:
    """Erase (or, dry, count) everything past its retention period as of ``now``."""
    report = RetentionReport(as_of=now, dry_run=dry_run)
    pause = settings.pause_ms / 1000 if pause_seconds is None else pause_seconds
    async with pool.acquire() as conn:
        await conn.execute(q.ABANDON_STALE)
        report.run_id = await conn.fetchval(q.START_RUN, now, dry_run, started_by)
        if report.run_id is None:
            report.skipped = True
            log.warning("retention run at %s skipped: another run is working", now.isoformat())
            return report
        outcome = "abandoned"
        try:
            names = sorted({t.table for _, targets in q.CATEGORIES.values() for t in targets})
            present = set(await conn.fetchval(q.EXISTING_TABLES, names) or ())
            for name, (setting, targets) in q.CATEGORIES.items():
                cutoff = now - timedelta(days=getattr(settings, setting))
                report.cutoffs[name] = cutoff
                report.erased[name] = 0
                for target in targets:
                    assert target.table not in ARCHIVE_TABLES
                    if target.table not in present:
                        continue
                    if dry_run:
                        report.erased[name] += await conn.fetchval(target.count(), cutoff)
                        continue
                    report.erased[name] += await _erase(conn, report.run_id, target, cutoff, settings, pause)
            outcome = "done"
        finally:
            await conn.execute(q.FINISH_RUN, report.run_id, outcome, json.dumps(report.erased))
    log.info(
        "retention %s as of %s: %s",
        "dry run" if dry_run else "run",
        now.isoformat(),
        report.erased,
        extra={"job": "retention"},
    )
    return report


async def _erase(
    conn: asyncpg.Connection,
    run_id: int,
    target: q.Target,
    cutoff: datetime,
    settings: RetentionSettings,
    pause_seconds: float,
) -> int:
    """Batches until a short one, each its own short transaction."""
    sql = target.erase()
    # A thread takes all its messages along: fewer threads a batch.
    batch = max(1, settings.batch_size // 10) if target.table == "message_threads" else settings.batch_size
    total = 0
    after = datetime.min.replace(tzinfo=UTC)
    while True:
        async with conn.transaction():
            # Planned for this batch's real cut-off and position, in this transaction
            # only: the pooled connection goes back with the pool's own settings.
            await conn.execute(q.CUSTOM_PLANS)
            row = await conn.fetchrow(sql, cutoff, batch, after)
        total += row["erased"]
        await conn.execute(q.HEARTBEAT, run_id)
        if row["picked"] < batch:
            return total
        after = row["last"]
        if pause_seconds:
            await asyncio.sleep(pause_seconds)


async def nightly(pool: asyncpg.Pool, now: datetime, settings: RetentionSettings) -> RetentionReport | None:
    """The scheduled run: once a UTC day, from 01:00 until 05:00 UTC (02:00-06:00 in
    Oslo in winter), when no school is in session and the scheduler's other jobs have
    nothing due; None when not due or already done today."""
    hour = now.astimezone(UTC).hour
    if not 1 <= hour < 5:
        return None
    async with pool.acquire() as conn:
        if not await conn.fetchval(q.CLAIM_NIGHT, now):
            return None
    return await run_retention(pool, now, settings, started_by="job")


# --- legal holds ----------------------------------------------------------------------


async def _leader_access(
    conn: asyncpg.Connection, viewer: uuid.UUID, pupil_id: uuid.UUID, now: datetime
) -> PupilAccess:
    """School leaders of the pupil's school decide holds; others who see the pupil get 403."""
    access = await pupil_access(conn, viewer, pupil_id, now)
    if access.relation != "school_leader":
        raise Forbidden(Code.LEGAL_HOLD_LEADERS_ONLY)
    return access


async def place_hold(
    conn: asyncpg.Connection, viewer: uuid.UUID, pupil_id: uuid.UUID, data: LegalHoldPlace, now: datetime
) -> LegalHold:
    reason = data.reason.strip()
    async with conn.transaction():
        access = await _leader_access(conn, viewer, pupil_id, now)
        if not reason:
            raise Invalid(Code.REQUEST_INVALID, field="reason")
        row = await conn.fetchrow(q.PLACE_HOLD, pupil_id, access.school_id, reason, viewer, now)
        await conn.execute(q.AUDIT, access.school_id, viewer, pupil_id, "legal_hold.placed", now)
    # No reason in the log: it may name a complaint or a court case.
    log.info("legal hold on pupil %s placed by %s", pupil_id, viewer)
    return LegalHold(
        pupil_id=row["pupil_id"], reason=row["reason"], placed_by=row["placed_by"], placed_at=row["placed_at"]
    )


async def lift_hold(conn: asyncpg.Connection, viewer: uuid.UUID, pupil_id: uuid.UUID, now: datetime) -> None:
    async with conn.transaction():
        access = await _leader_access(conn, viewer, pupil_id, now)
        if await conn.fetchval(q.LIFT_HOLD, pupil_id) is not None:
            await conn.execute(q.AUDIT, access.school_id, viewer, pupil_id, "legal_hold.lifted", now)
    log.info("legal hold on pupil %s lifted by %s", pupil_id, viewer)
