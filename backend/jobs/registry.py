"""The scheduled jobs: an explicit table of names to functions.

A new job is a function ``(pool, now) -> effects`` in its domain and one row in
``job_table``; nothing registers itself on import.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any

import asyncpg

from backend.follow_up.jobs import absence_follow_up
from backend.jobs import daily, routine
from backend.jobs.base import Job
from backend.ops.metrics import observe_job
from backend.retention.jobs import retention
from backend.roster.jobs import RosterSync, roster_sync_job

log = logging.getLogger("skolebro.jobs")

__all__ = ["Job", "job_names", "job_table", "run_all", "run_job"]


def job_table(roster: RosterSync | None = None) -> dict[str, Job]:
    """Every job by name, in the order a scheduler tick runs them. ``roster``: the
    service's roster settings (the sync needs its provider); None reads the environment."""
    return {
        "still-sick": routine.still_sick,
        "absence-check-reminders": routine.absence_check_reminders,
        "missing-pupil-sweep": routine.missing_pupil_sweep,
        "note-retention": routine.note_retention,
        "publish-assessments": daily.publish_assessments,
        "prune-devices": daily.prune_devices,
        "absence-warnings": daily.absence_warnings,
        "absence-follow-up": absence_follow_up,
        "retention": retention,
        "roster-sync": roster_sync_job(roster.settings, roster.pepper) if roster else roster_sync_job(None),
    }


async def run_job(
    pool: asyncpg.Pool, name: str, now: datetime, roster: RosterSync | None = None
) -> dict[str, Any]:
    job = job_table(roster).get(name)
    if job is None:
        raise KeyError(name)
    started = time.perf_counter()
    try:
        effects = await job(pool, now)
    except BaseException:
        observe_job(name, False, time.perf_counter() - started)
        raise
    elapsed = time.perf_counter() - started
    observe_job(name, True, elapsed)
    if any(v for v in effects.values() if isinstance(v, int)):
        log.info(
            "job %s at %s: %s (%.2fs)",
            name,
            now.isoformat(),
            effects,
            elapsed,
            extra={"job": name, "duration_ms": round(elapsed * 1000, 1)},
        )
    else:
        log.debug(
            "job %s at %s: nothing due (%.2fs)",
            name,
            now.isoformat(),
            elapsed,
            extra={"job": name, "duration_ms": round(elapsed * 1000, 1)},
        )
    return effects


async def run_all(
    pool: asyncpg.Pool, now: datetime, roster: RosterSync | None = None
) -> dict[str, dict[str, Any]]:
    """One scheduler tick: every job at the same instant; one failing does not stop the rest."""
    results: dict[str, dict[str, Any]] = {}
    for name in job_table(roster):
        try:
            results[name] = await run_job(pool, name, now, roster)
        except Exception:
            # Whatever was not committed is still unclaimed: the next tick retries it.
            log.exception("job %s failed at %s; it will be retried on the next tick", name, now.isoformat())
    return results


def job_names() -> list[str]:
    return sorted(job_table())
