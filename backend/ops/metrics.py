"""Prometheus families of the service (prometheus-client's default registry).

HTTP requests and latency by route, job runs, and gauges read from the database at
scrape time: the push queue, the age of its oldest due delivery and the open
missing-pupil cases. The push outcomes are counted where the dispatcher records
them (notifications/metrics.py); process metrics come with prometheus-client.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime

import asyncpg
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Gauge, Histogram, generate_latest

import notifications.metrics  # noqa: F401  (registers the push families)
from backend.db.pool import connection

log = logging.getLogger("skolebro.metrics")

# A scrape on a hung database still answers, with the process's own figures.
DB_GAUGES_TIMEOUT_SECONDS = 2.0

HTTP_REQUESTS = Counter(
    "skolebro_http_requests",
    "HTTP requests by method, route template and status.",
    ["method", "route", "status"],
)
HTTP_SECONDS = Histogram(
    "skolebro_http_request_seconds",
    "HTTP request latency by route template.",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
JOB_RUNS = Counter(
    "skolebro_job_runs", "Scheduled job runs by job and outcome (ok, failed).", ["job", "outcome"]
)
JOB_LAST_SUCCESS = Gauge(
    "skolebro_job_last_success_timestamp_seconds", "When each job last finished without an error.", ["job"]
)
JOB_SECONDS = Histogram(
    "skolebro_job_run_seconds",
    "How long one run of a job took.",
    ["job"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0),
)
PUSH_QUEUE = Gauge(
    "skolebro_push_queue",
    "Deliveries waiting (pending) or being sent (sending), by urgency.",
    ["status", "urgency"],
)
PUSH_OLDEST_DUE = Gauge(
    "skolebro_push_oldest_due_age_seconds", "How long the oldest due delivery has been waiting (0: none)."
)
MISSING_CASES_OPEN = Gauge("skolebro_missing_cases_open", "Open missing-pupil cases by status.", ["status"])
DB_POOL_SIZE = Gauge("skolebro_db_pool_size", "Connections in this process's database pool.")
DB_POOL_IDLE = Gauge("skolebro_db_pool_idle", "Idle connections in this process's database pool.")

CONTENT_TYPE = CONTENT_TYPE_LATEST

_QUEUE = """
SELECT status, urgent, count(*) AS n, min(due_at) FILTER (WHERE due_at <= $1) AS oldest_due
FROM deliveries WHERE status IN ('pending', 'sending') GROUP BY status, urgent
"""
_CASES = "SELECT status, count(*) AS n FROM missing_cases WHERE status <> 'resolved' GROUP BY status"
_CASE_STATUSES = ("pending", "sought", "escalated")


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    HTTP_REQUESTS.labels(method, route, str(status)).inc()
    HTTP_SECONDS.labels(route).observe(seconds)


def observe_job(name: str, ok: bool, seconds: float) -> None:
    JOB_RUNS.labels(name, "ok" if ok else "failed").inc()
    JOB_SECONDS.labels(name).observe(seconds)
    if ok:
        JOB_LAST_SUCCESS.labels(name).set(time.time())


async def refresh_from_database(pool: asyncpg.Pool | None, now: datetime) -> None:
    """Read the queue and case gauges; called by each scrape (both are indexed, partial scans)."""
    if pool is None:
        return
    DB_POOL_SIZE.set(pool.get_size())
    DB_POOL_IDLE.set(pool.get_idle_size())
    async with connection(pool, DB_GAUGES_TIMEOUT_SECONDS) as conn:
        queue = await conn.fetch(_QUEUE, now)
        cases = await conn.fetch(_CASES)
    counts = {(s, u): 0 for s in ("pending", "sending") for u in ("urgent", "normal")}
    oldest: datetime | None = None
    for row in queue:
        counts[(row["status"], "urgent" if row["urgent"] else "normal")] = row["n"]
        if row["oldest_due"] is not None and (oldest is None or row["oldest_due"] < oldest):
            oldest = row["oldest_due"]
    for (status, urgency), n in counts.items():
        PUSH_QUEUE.labels(status, urgency).set(n)
    PUSH_OLDEST_DUE.set(max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)
    open_cases = {row["status"]: row["n"] for row in cases}
    for status in _CASE_STATUSES:
        MISSING_CASES_OPEN.labels(status).set(open_cases.get(status, 0))


async def refresh_within_limit(pool: asyncpg.Pool | None, now: datetime) -> None:
    """``refresh_from_database`` bounded in time; a failure only leaves the gauges stale.

    The refresh runs as a task of its own and is left behind on timeout, as /ready's
    check is: cancelling it in place would wait for the connection's release, which on
    a stopped (not dead) server waits as long as the hang.
    """
    task = asyncio.create_task(refresh_from_database(pool, now))
    done, _ = await asyncio.wait({task}, timeout=DB_GAUGES_TIMEOUT_SECONDS)
    if not done:
        task.cancel()
        log.warning(
            "metrics: database gauges not refreshed: no answer within %s s", DB_GAUGES_TIMEOUT_SECONDS
        )
    elif (exc := task.exception()) is not None:
        log.warning("metrics: database gauges not refreshed: %s", exc)


def render() -> bytes:
    return generate_latest(REGISTRY)
