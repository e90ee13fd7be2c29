"""The scheduled jobs by name; others plug theirs in with ``register``."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import asyncpg

from backend.ops.metrics import observe_job

log = logging.getLogger("skolebro.jobs")

Job = Callable[[asyncpg.Pool, datetime], Awaitable[dict[str, Any]]]

JOBS: dict[str, Job] = {}


def register(name: str, job: Job) -> Job:
    """Add a job the scheduler runs on every tick (and the CLI/dev endpoint by name)."""
    JOBS[name] = job
    return job


def _load() -> None:
    # The routine's jobs register themselves on import.
    import backend.jobs.domains
    import backend.jobs.routine  # noqa: F401


async def run_job(pool: asyncpg.Pool, name: str, now: datetime) -> dict[str, Any]:
    _load()
    job = JOBS.get(name)
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


async def run_all(pool: asyncpg.Pool, now: datetime) -> dict[str, dict[str, Any]]:
    """One scheduler tick: every job at the same instant; one failing does not stop the rest."""
    _load()
    results: dict[str, dict[str, Any]] = {}
    for name in list(JOBS):
        try:
            results[name] = await run_job(pool, name, now)
        except Exception:
            # Whatever was not committed is still unclaimed: the next tick retries it.
            log.exception("job %s failed at %s; it will be retried on the next tick", name, now.isoformat())
    return results


def job_names() -> list[str]:
    _load()
    return sorted(JOBS)
