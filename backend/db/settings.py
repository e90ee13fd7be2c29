"""The database's settings: where it is and how the request pool uses it."""

from __future__ import annotations

from dataclasses import dataclass, field

from backend.lib.config import from_var

PLAN_CACHE_MODES = ("none", "auto", "force_generic_plan", "force_custom_plan")


@dataclass(frozen=True, slots=True)
class DatabaseSettings:
    # None: the embedded PostgreSQL in the data folder (dev, test)
    url: str | None = field(default=None, metadata=from_var("DATABASE_URL"))
    # A direct (not pooled by PgBouncer) connection for LISTEN and the migration lock.
    direct_url: str | None = field(default=None, metadata=from_var("SKOLEBRO_DIRECT_DATABASE_URL"))
    pool_min_size: int = 2
    # 20, not 10: with 32 requests in flight, requests queueing for one of 10 connections
    # made the morning mix's p99 54-64 ms; with 16-32 connections it was 22-31 ms, at the
    # same throughput (tests/benchmarks/bench_api.py --pool-size, on 2 cores).
    pool_max_size: int = field(default=20, metadata=from_var("SKOLEBRO_POOL_SIZE", int))
    # A hung database must not hold requests: each request fails with 503 within
    # about acquire + command timeout.
    connect_timeout_seconds: float = field(
        default=3.0, metadata=from_var("SKOLEBRO_DB_CONNECT_TIMEOUT", float)
    )
    acquire_timeout_seconds: float = field(
        default=1.5, metadata=from_var("SKOLEBRO_DB_ACQUIRE_TIMEOUT", float)
    )
    command_timeout_seconds: float = field(
        default=3.0, metadata=from_var("SKOLEBRO_DB_COMMAND_TIMEOUT", float)
    )
    # 0: not sent (set it on the role behind PgBouncer)
    statement_timeout_seconds: float = field(
        default=3.0, metadata=from_var("SKOLEBRO_DB_STATEMENT_TIMEOUT", float)
    )
    # asyncpg's prepared-statement cache; 0 behind PgBouncer in transaction mode.
    statement_cache_size: int = field(default=100, metadata=from_var("SKOLEBRO_DB_STATEMENT_CACHE_SIZE", int))
    # PostgreSQL's plan_cache_mode for the request pool, sent at connect; "none" sends none
    # (behind PgBouncer, set it on the role). Generic plans by default: the access
    # policy's inlined queries cost 4-6 ms of database CPU to plan and 0.2 ms to run,
    # and "auto" plans some of them anew on every request (README: Configuration).
    plan_cache_mode: str = field(
        default="force_generic_plan", metadata=from_var("SKOLEBRO_DB_PLAN_CACHE_MODE")
    )
